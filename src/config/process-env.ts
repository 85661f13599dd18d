/** The process environment Rewind runs from, validated at start with messages that say what to set. */
import { z } from 'zod';

export const ProcessEnv = z.object({
  REWIND_CONFIG: z.string().min(1).default('rewind.yaml'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** REDIS_URL is one node of a Redis Cluster; the others are discovered from it. */
  REDIS_CLUSTER: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token for GET /api/rollbacks; the API is off without it. */
  REWIND_API_TOKEN: z.string().min(16, 'REWIND_API_TOKEN must be at least 16 characters').optional(),
});
export type ProcessEnv = z.infer<typeof ProcessEnv>;

export function parseProcessEnv(env: Readonly<Record<string, string | undefined>>): ProcessEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ProcessEnv.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error('invalid environment:\n' + parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
