/**
 * The DrillLedger in Redis: an environment's drills in a sorted set scored by when they ended (the
 * newest is the last drill; recording one twice changes nothing), and reminder claims as SET NX
 * with a TTL, so one replica per environment and period posts the reminder.
 */
import type { DrillEntry, DrillLedger } from '../domain/drills';
import type { RedisClient } from '../redis/redis-client';
import type { Keys } from './keys';

/** Drills kept per environment; the newest is all the reminder needs, a few more help a person looking. */
const KEEP = 20;

export class RedisDrillLedger implements DrillLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async last(service: string, environment: string): Promise<DrillEntry | undefined> {
    const [rollbackId, score] = await this.redis.zrevrange(this.keys.drills(service, environment), 0, 0, 'WITHSCORES');
    return rollbackId && score !== undefined ? { rollbackId, at: Number(score) } : undefined;
  }

  async record(service: string, environment: string, entry: DrillEntry): Promise<void> {
    const key = this.keys.drills(service, environment);
    await this.redis.multi().zadd(key, entry.at, entry.rollbackId).zremrangebyrank(key, 0, -(KEEP + 1)).exec();
  }

  async claimReminder(service: string, environment: string, period: string, ttlMs: number): Promise<boolean> {
    const claimed = await this.redis.set(this.keys.drillReminder(service, environment, period), String(Date.now()), 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return claimed === 'OK';
  }
}
