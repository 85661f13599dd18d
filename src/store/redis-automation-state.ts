/** AutomationState in Redis: pauses, locks and deploys as small JSON values; signal claims as SET NX with a TTL. */
import type { RedisClient } from '../redis/redis-client';
import { z } from 'zod';
import { Actor } from '../domain/actor';
import type { AutoPause, AutomationState, DeployEvent, EnvironmentLock, HeldPlatform, MonitorReport } from '../domain/automation';
import { PlatformHold } from '../domain/release';
import type { Keys } from './keys';

const Pause = z.object({ by: Actor, at: z.number() });
const Lock = z.object({ reason: z.string(), rollbackId: z.string().optional(), since: z.number(), by: Actor });
const Held = z.object({ hold: PlatformHold, rollbackId: z.string(), since: z.number() });
const Deploy = z.object({ version: z.string(), at: z.number(), by: z.string().optional(), url: z.string().optional(), source: z.string() });
const DEPLOY_HISTORY = 50;

export class RedisAutomationState implements AutomationState {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  private async read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const raw = await this.redis.get(key);
    if (!raw) return undefined;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  private async write(key: string, value: unknown): Promise<void> {
    if (value === undefined) await this.redis.del(key);
    else await this.redis.set(key, JSON.stringify(value));
  }

  pause(service: string, environment: string): Promise<AutoPause | undefined> {
    return this.read(this.keys.autoPause(service, environment), Pause);
  }
  setPause(service: string, environment: string, pause: AutoPause | undefined): Promise<void> {
    return this.write(this.keys.autoPause(service, environment), pause);
  }
  lock(service: string, environment: string): Promise<EnvironmentLock | undefined> {
    return this.read(this.keys.environmentLock(service, environment), Lock);
  }
  setLock(service: string, environment: string, lock: EnvironmentLock | undefined): Promise<void> {
    return this.write(this.keys.environmentLock(service, environment), lock);
  }
  platformHold(service: string, environment: string): Promise<HeldPlatform | undefined> {
    return this.read(this.keys.platformHold(service, environment), Held);
  }
  setPlatformHold(service: string, environment: string, held: HeldPlatform | undefined): Promise<void> {
    return this.write(this.keys.platformHold(service, environment), held);
  }
  latestDeploy(service: string, environment: string): Promise<DeployEvent | undefined> {
    return this.read(this.keys.latestDeploy(service, environment), Deploy);
  }

  async recordDeploy(service: string, environment: string, deploy: DeployEvent): Promise<void> {
    const json = JSON.stringify(deploy);
    const history = this.keys.deploys(service, environment);
    await this.redis.multi().set(this.keys.latestDeploy(service, environment), json).lpush(history, json).ltrim(history, 0, DEPLOY_HISTORY - 1).exec();
  }

  async monitorReport(service: string, environment: string): Promise<MonitorReport> {
    const raw = await this.redis.hgetall(this.keys.monitorState(service, environment));
    const report: MonitorReport = { rules: [] };
    for (const [field, json] of Object.entries(raw)) {
      const value = JSON.parse(json) as { failures?: number; breachingSince?: number; last?: string };
      if (field === 'health') report.health = { failures: value.failures ?? 0, last: value.last };
      else if (field.startsWith('rule:')) report.rules.push({ name: field.slice('rule:'.length), breachingSince: value.breachingSince, last: value.last });
    }
    return report;
  }

  async claimSignal(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.signalClaim(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
