/**
 * The worker side: processes chat commands, runs rollbacks, delivers chat events, and sweeps up
 * undelivered events. Rollback jobs tolerate several worker deaths (they resume from checkpoints).
 */
import { Worker, type Job } from 'bullmq';
import type { RedisClient } from '../redis/redis-client';
import { RetryLaterError } from '../domain/errors';
import type { Replier } from '../domain/ports';
import { Command } from '../engine/commands';
import type { OutboxDrainer } from '../engine/outbox-drainer';
import type { HandledCommand, RollbackService } from '../engine/rollback-service';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { AbortChannel } from './abort-channel';
import { DeliverJob, ExecuteJob, RestoreJob } from './job-data';
import type { RewindQueues } from './queues';
import { QUEUE_NAMES, type QueueSettings } from './queue-settings';

export interface WorkerDeps {
  connection: RedisClient;
  settings: QueueSettings;
  queues: RewindQueues;
  service: RollbackService;
  drainer: OutboxDrainer;
  replier: Replier;
  aborts: AbortChannel;
  logger: Logger;
  metrics?: Metrics;
}

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

function retryLaterBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  if (error instanceof RetryLaterError) return Math.max(error.retryAfterMs, 100);
  return Math.min(250 * 2 ** Math.min(attemptsMade, 7), 30_000);
}

function countCommand(metrics: Metrics | undefined, command: Command, handled: HandledCommand): void {
  if (!metrics) return;
  metrics.commands.inc({ kind: command.type, outcome: handled.outcome });
  if (command.type !== 'auto_trigger' || handled.outcome !== 'done' || !handled.auto) return;
  const auto = handled.auto;
  const reason = auto.kind === 'ignored' ? auto.reason : auto.kind === 'notified' ? auto.reasonCode : '';
  metrics.autoSignals.inc({ source: command.signal.source, decision: auto.kind, reason });
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { connection, settings, logger } = deps;
  const common = {
    connection,
    prefix: settings.prefix,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
  };

  const commands = new Worker(
    QUEUE_NAMES.commands,
    async (job: Job) => {
      const command = Command.parse(job.data);
      try {
        countCommand(deps.metrics, command, await deps.service.handle(command, deps.replier));
      } catch (error) {
        deps.metrics?.commands.inc({ kind: command.type, outcome: 'error' });
        throw error;
      }
    },
    { ...common, concurrency: settings.commandConcurrency, maxStalledCount: 2 },
  );

  const rollbacks = new Worker<ExecuteJob | RestoreJob>(
    QUEUE_NAMES.rollbacks,
    async (job, _token, signal) => {
      if (job.name === 'restore') {
        const { rollbackId, restore } = RestoreJob.parse(job.data);
        // Not registered for abort: a restore runs in one transaction and is not stopped halfway by a click.
        await deps.service.runRestore(rollbackId, restore, signal ?? new AbortController().signal);
        return;
      }
      const { rollbackId, run } = ExecuteJob.parse(job.data);
      const registration = deps.aborts.register(rollbackId, signal);
      try {
        await deps.service.executor.run(rollbackId, run, registration.signal);
      } finally {
        registration.release();
      }
    },
    { ...common, concurrency: settings.rollbackConcurrency, maxStalledCount: settings.maxStalledCount },
  );
  rollbacks.on('failed', (job, error) => {
    if (!job) return;
    const finalAttempt = job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    logger.error({ rollbackId: job.data.rollbackId, job: job.name, attemptsMade: job.attemptsMade, err: error }, 'rollback job failed');
    if (!finalAttempt) return;
    const restore = RestoreJob.safeParse(job.data);
    const giveUp =
      job.name === 'restore' && restore.success
        ? deps.service.abandonRestore(restore.data.rollbackId, restore.data.restore, error.message)
        : deps.service.executor.abandon(job.data.rollbackId, ExecuteJob.parse(job.data).run, error.message);
    giveUp.catch((e: unknown) => logger.error({ err: e }, 'could not mark the job\'s work failed'));
  });

  const outbox = new Worker<DeliverJob>(
    QUEUE_NAMES.outbox,
    async (job) => {
      // Housekeeping that ends in chat posts rides this queue like the sweep: the drill check and review reminders.
      if (job.name === 'check_drills') {
        await deps.service.checkDrills();
        return;
      }
      if (job.name === 'remind_review') {
        await deps.service.remindReview(DeliverJob.parse(job.data).rollbackId);
        return;
      }
      if (job.name === 'sweep') {
        for (const rollbackId of await deps.drainer.pendingRollbacks(500)) await deps.queues.outbox.add('deliver', { rollbackId }, { removeOnComplete: true, attempts: 100, backoff: { type: 'retry-later' } });
        return;
      }
      await deps.drainer.drain(DeliverJob.parse(job.data).rollbackId);
    },
    { ...common, concurrency: settings.outboxConcurrency, maxStalledCount: 5, settings: { backoffStrategy: retryLaterBackoff } },
  );
  await deps.queues.outbox.upsertJobScheduler('outbox-sweep', { every: settings.sweepIntervalMs }, { name: 'sweep', data: { rollbackId: '-' } });
  // Drill reminders (and lost review reminders): one scheduler across replicas; each check claims per environment and period.
  await deps.queues.outbox.upsertJobScheduler('drill-check', { every: settings.drillCheckIntervalMs }, { name: 'check_drills', data: { rollbackId: '-' }, opts: { removeOnComplete: true, removeOnFail: { age: 24 * 3600 } } });

  const workers = [commands, rollbacks, outbox];
  for (const worker of workers) worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  await deps.aborts.listen();

  return {
    workers,
    async close() {
      // worker.close() waits for active jobs without limit and can hang while Redis is down.
      const within = <T>(work: Promise<T>, ms: number) => Promise.race([work, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
      if ((await within(Promise.all(workers.map((w) => w.close())), settings.shutdownTimeoutMs)) === 'timeout') {
        logger.warn({ timeoutMs: settings.shutdownTimeoutMs }, 'workers did not drain in time; their jobs will be resumed elsewhere');
        // Even a forced close waits on Redis; with Redis gone it would never return.
        await within(Promise.all(workers.map((w) => w.close(true).catch(() => undefined))), 2_000);
      }
    },
  };
}
