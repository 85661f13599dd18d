/** Queue and worker tunables, with defaults chosen for rollbacks (long, I/O-bound, must survive crashes). */
import { z } from 'zod';

export const QUEUE_NAMES = { commands: 'commands', rollbacks: 'rollbacks', outbox: 'outbox' } as const;

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const QueueSettings = z.object({
  /** Hash-tag prefix of every Redis key (BullMQ's and Rewind's), so Redis Cluster keeps them in one slot. */
  prefix: z.string().default('{rewind}'),
  /** Chat interactions processed at once per worker process. */
  commandConcurrency: int(16),
  /** Rollbacks run at once per worker process; they mostly wait on providers. */
  rollbackConcurrency: int(64),
  outboxConcurrency: int(32),
  /** How long a worker's claim on a job lasts without renewal; a dead worker's jobs return after it. */
  lockDurationMs: int(30_000),
  /** How often workers look for jobs whose worker died. */
  stalledIntervalMs: int(30_000),
  /** How many times a rollback job may be taken over after its worker died before it is failed. */
  maxStalledCount: int(5),
  /** How often undelivered chat events are swept up (a safety net; delivery is normally immediate). */
  sweepIntervalMs: int(30_000),
  /** How long shutdown waits for running jobs before giving up. */
  shutdownTimeoutMs: int(10_000),
  /** How often environments are checked for an overdue drill (`drills: { every }`); one job across replicas. */
  drillCheckIntervalMs: int(10 * 60_000),
});
export type QueueSettings = z.infer<typeof QueueSettings>;

/** Reads the settings from `REWIND_*` environment variables. */
export function queueSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): QueueSettings {
  return QueueSettings.parse({
    prefix: env['REWIND_REDIS_PREFIX'],
    commandConcurrency: env['REWIND_COMMAND_CONCURRENCY'],
    rollbackConcurrency: env['REWIND_ROLLBACK_CONCURRENCY'],
    outboxConcurrency: env['REWIND_OUTBOX_CONCURRENCY'],
    lockDurationMs: env['REWIND_LOCK_DURATION_MS'],
    stalledIntervalMs: env['REWIND_STALLED_INTERVAL_MS'],
    maxStalledCount: env['REWIND_MAX_STALLED_COUNT'],
    sweepIntervalMs: env['REWIND_SWEEP_INTERVAL_MS'],
    shutdownTimeoutMs: env['REWIND_SHUTDOWN_TIMEOUT_MS'],
    drillCheckIntervalMs: env['REWIND_DRILL_CHECK_INTERVAL_MS'],
  });
}
