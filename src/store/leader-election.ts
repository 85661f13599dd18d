/**
 * One active leader across replicas (Discord gateway, health monitor), through a Redis lock with
 * a token: the leader renews it; if the leader dies the lock expires and another process takes
 * over within `ttlMs + renewMs`. Renewal is checked against the token, so a paused ex-leader can
 * never extend someone else's lock.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client';
import type { Every, LeaderCallbacks, Leadership } from '../domain/ports';
import type { Logger } from '../observability/logger';
import { RELEASE_LOCK_SCRIPT } from './scripts';
import { LuaScript } from '../redis/lua-script';

const RENEW_SCRIPT = new LuaScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0
`);

export interface LeaderElectionOptions {
  redis: RedisClient;
  key: string;
  /** How long the lock lives without renewal. */
  ttlMs: number;
  /** How often the leader renews and followers try; well under ttlMs. */
  renewMs: number;
  logger: Logger;
  /** The renewal timer. */
  every: Every;
}

export class LeaderElection implements Leadership {
  readonly token = randomBytes(8).toString('hex');
  private stopTimer: (() => void) | undefined;
  private leader = false;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** Resolves once every renewal tick fired so far has run. */
  idle(): Promise<void> {
    return this.ticking;
  }

  async start(callbacks: LeaderCallbacks): Promise<void> {
    this.stopped = false;
    const tick = async () => {
      try {
        await this.tick(callbacks);
      } catch (error) {
        this.options.logger.warn({ err: error, key: this.options.key }, 'leader election check failed');
        if (this.leader) await this.demote(callbacks);
      }
    };
    await tick();
    this.stopTimer = this.options.every(this.options.renewMs, () => {
      this.ticking = this.ticking.then(tick);
    });
  }

  private async tick(callbacks: LeaderCallbacks): Promise<void> {
    if (this.stopped) return;
    const { redis, key, ttlMs } = this.options;
    if (this.leader) {
      const renewed = await RENEW_SCRIPT.run(redis, [key], [this.token, String(ttlMs)]);
      if (renewed !== 1) await this.demote(callbacks);
      return;
    }
    const won = await redis.set(key, this.token, 'PX', ttlMs, 'NX');
    if (won && !this.stopped) {
      this.leader = true;
      this.options.logger.info({ key }, 'became leader');
      await callbacks.onElected();
    }
  }

  private async demote(callbacks: LeaderCallbacks): Promise<void> {
    this.leader = false;
    this.options.logger.warn({ key: this.options.key }, 'lost leadership');
    await callbacks.onDemoted();
  }

  /** Stops campaigning; a leader releases the lock so another process takes over at once. */
  async stop(callbacks: LeaderCallbacks): Promise<void> {
    this.stopped = true;
    this.stopTimer?.();
    await this.ticking;
    if (this.leader) {
      this.leader = false;
      await callbacks.onDemoted();
      await RELEASE_LOCK_SCRIPT.run(this.options.redis, [this.options.key], [this.token]).catch(() => 0);
    }
  }

  /** Test hook for a crash: stop renewing without releasing, as a killed process would. */
  abandon(): void {
    this.stopped = true;
    this.stopTimer?.();
    this.leader = false;
  }
}
