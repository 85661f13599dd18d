/** The three BullMQ queues and the Scheduler port implemented on them. */
import { Queue } from 'bullmq';
import type { QueueSample } from '../observability/metrics';
import type { RedisClient } from '../redis/redis-client';
import type { Clock, OutboxLog, Scheduler } from '../domain/ports';
import { ValidationError } from '../domain/errors';
import { Command, type CommandInput } from '../engine/commands';
import type { AbortChannel } from './abort-channel';
import { jobIdPart, type DeliverJob, type ExecuteJob, type RestoreJob } from './job-data';
import { QUEUE_NAMES, type QueueSettings } from './queue-settings';

const WEEK_S = 7 * 24 * 3600;
/** How long a "delivery job waiting" mark lasts if its job is lost: the sweep covers the gap. */
const WAITING_MARK_MS = 60_000;

export class RewindQueues {
  readonly commands: Queue;
  readonly rollbacks: Queue<ExecuteJob | RestoreJob>;
  readonly outbox: Queue<DeliverJob>;

  /** Where chat commands are taken in: the `commands` queue on a connection that fails fast while Redis is down. */
  private readonly intake: Queue | undefined;

  constructor(readonly connection: RedisClient, settings: QueueSettings, onError: (error: Error) => void, intakeConnection?: RedisClient) {
    const options = { connection, prefix: settings.prefix };
    this.commands = new Queue(QUEUE_NAMES.commands, options);
    this.intake = intakeConnection ? new Queue(QUEUE_NAMES.commands, { connection: intakeConnection, prefix: settings.prefix }) : undefined;
    this.intake?.on('error', onError);
    this.rollbacks = new Queue<ExecuteJob | RestoreJob>(QUEUE_NAMES.rollbacks, options);
    this.outbox = new Queue<DeliverJob>(QUEUE_NAMES.outbox, options);
    // Without a listener BullMQ prints connection errors to the console; they belong in the log.
    for (const queue of [this.commands, this.rollbacks, this.outbox]) queue.on('error', onError);
  }

  /**
   * Puts a chat interaction on the `commands` queue. `dedupeId` (the platform's interaction id)
   * makes a replayed or double-submitted interaction a no-op while its job exists.
   */
  async enqueueCommand(command: CommandInput, dedupeId?: string): Promise<void> {
    // A worker would refuse it anyway, after retries and with nobody told: refuse it here, where the sender hears why.
    const parsed = Command.safeParse(command);
    if (!parsed.success) throw new ValidationError(`Rewind cannot run that ${command.type.replace(/_/g, ' ')}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).slice(0, 3).join('; ')}. Nothing changed.`);
    await (this.intake ?? this.commands).add(command.type, command, {
      ...(dedupeId ? { jobId: `cmd-${jobIdPart(dedupeId)}` } : {}),
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: WEEK_S },
    });
  }

  /** Depth of each queue and the age of its oldest waiting job, for /metrics. */
  async sample(now: number): Promise<QueueSample[]> {
    return Promise.all(
      [this.commands, this.rollbacks, this.outbox].map(async (queue: Queue) => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
        return {
          queue: queue.name,
          counts: { waiting: counts['waiting'] ?? 0, active: counts['active'] ?? 0, delayed: counts['delayed'] ?? 0, failed: counts['failed'] ?? 0, prioritized: counts['prioritized'] ?? 0 },
          oldestWaitingSeconds: oldest ? Math.max(now - oldest.timestamp, 0) / 1_000 : 0,
        };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.commands.close(), this.rollbacks.close(), this.outbox.close(), this.intake?.close()]);
  }
}

export class BullScheduler implements Scheduler {
  constructor(
    private readonly queues: RewindQueues,
    private readonly aborts: AbortChannel,
    private readonly clock: Clock,
    private readonly outbox: Pick<OutboxLog, 'markDeliveryWaiting'>,
  ) {}

  async execute(rollbackId: string, run: number): Promise<void> {
    await this.queues.rollbacks.add(
      'execute',
      { rollbackId, run },
      {
        jobId: `exec-${jobIdPart(rollbackId)}-${run}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        // Removed when done so an abort of a parked rollback can start a fresh job with the same id.
        removeOnComplete: true,
        removeOnFail: { age: WEEK_S },
      },
    );
  }

  async restore(rollbackId: string, restore: number): Promise<void> {
    await this.queues.rollbacks.add(
      'restore',
      { rollbackId, restore },
      // A restore is never started twice for one approval: one job id per restore.
      { jobId: `restore-${jobIdPart(rollbackId)}-${restore}`, attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: WEEK_S }, removeOnFail: { age: WEEK_S } },
    );
  }

  private expiryJobId(rollbackId: string, atMs: number): string {
    return `expire-${jobIdPart(rollbackId)}-${atMs}`;
  }

  async expireAt(rollbackId: string, atMs: number): Promise<void> {
    await this.queues.commands.add(
      'expire',
      { type: 'expire', rollbackId },
      { jobId: this.expiryJobId(rollbackId, atMs), delay: Math.max(0, atMs - this.clock.now()), attempts: 5, removeOnComplete: true, removeOnFail: { age: WEEK_S } },
    );
  }

  async cancelExpiry(rollbackId: string, atMs: number): Promise<void> {
    // Best effort: an expiry that fires anyway finds the request decided and does nothing.
    await this.queues.commands.remove(this.expiryJobId(rollbackId, atMs)).catch(() => 0);
  }

  /**
   * The break-glass review's one reminder: a delayed job on the outbox queue (housekeeping that ends
   * in a chat post, beside the sweep; chat commands stay alone on theirs), one per rollback and due
   * time. A second call (a retried commit, the periodic re-arm) adds nothing while the job exists,
   * and the record says whether the reminder went out, so a job that runs twice posts once.
   */
  async remindReview(rollbackId: string, atMs: number): Promise<void> {
    await this.queues.outbox.add(
      'remind_review',
      { rollbackId },
      { jobId: `review-${jobIdPart(rollbackId)}-${atMs}`, delay: Math.max(0, atMs - this.clock.now()), attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: { age: WEEK_S } },
    );
  }

  async requestAbort(rollbackId: string): Promise<void> {
    await this.aborts.publish(rollbackId);
  }

  /**
   * One waiting delivery job per rollback is enough: it drains every event committed before it
   * starts, and the drainer clears the mark as it starts, so a later commit schedules a new one.
   */
  async deliver(rollbackId: string): Promise<void> {
    if (!(await this.outbox.markDeliveryWaiting(rollbackId, WAITING_MARK_MS))) return;
    await this.queues.outbox.add(
      'deliver',
      { rollbackId },
      { attempts: 100, backoff: { type: 'retry-later' }, removeOnComplete: true, removeOnFail: { age: WEEK_S } },
    );
  }
}
