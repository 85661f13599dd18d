/** What the monitor knows per environment (probe streak, rule breaches), kept in Redis so a new leader carries on and status can show it. */
import type { RedisClient } from '../redis/redis-client';
import { z } from 'zod';

export const ProbeState = z.object({
  failures: z.number().int().nonnegative().default(0),
  streakStart: z.number().optional(),
  /** The streak already started a trigger. */
  triggered: z.boolean().default(false),
  evidence: z.array(z.string()).default([]),
  last: z.string().optional(),
  lastAt: z.number().optional(),
});
export type ProbeState = z.infer<typeof ProbeState>;

export const RuleState = z.object({
  breachingSince: z.number().optional(),
  triggered: z.boolean().default(false),
  last: z.string().optional(),
  lastAt: z.number().optional(),
});
export type RuleState = z.infer<typeof RuleState>;

export class MonitorStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyOf: (service: string, environment: string) => string,
  ) {}

  async read<T>(service: string, environment: string, field: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
    const raw = await this.redis.hget(this.keyOf(service, environment), field);
    const parsed = raw ? schema.safeParse(JSON.parse(raw)) : undefined;
    return parsed?.success ? parsed.data : fallback;
  }

  async write(service: string, environment: string, field: string, value: unknown): Promise<void> {
    await this.redis.hset(this.keyOf(service, environment), field, JSON.stringify(value));
  }

  async all(service: string, environment: string): Promise<Record<string, unknown>> {
    const raw = await this.redis.hgetall(this.keyOf(service, environment));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as unknown]));
  }
}
