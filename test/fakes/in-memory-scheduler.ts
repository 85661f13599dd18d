/**
 * Scheduler in memory. It records everything asked of it and runs nothing on its own: the test
 * drains the work, so what runs, and in which order, is always the test's choice.
 *
 * Like the BullMQ scheduler, an execution is one job per rollback and run: asking again while that
 * job waits or runs adds nothing, and once it is done a new one may be added (an abort of a
 * rollback parked on a verification decision). `requestAbort` fires the running job's signal.
 */
import type { Scheduler } from '../../src/domain/ports';

export interface SchedulerWorker {
  execute(rollbackId: string, run: number, signal: AbortSignal): Promise<void>;
  expire(rollbackId: string): Promise<unknown>;
  restore?(rollbackId: string, restore: number): Promise<void>;
}

interface Job {
  rollbackId: string;
  run: number;
}

const jobKey = (rollbackId: string, run: number) => `${rollbackId}#${run}`;

export class InMemoryScheduler implements Scheduler {
  /** Every call, in order, for assertions. */
  readonly executions: Job[] = [];
  readonly expiriesSet: { rollbackId: string; atMs: number }[] = [];
  readonly expiriesCancelled: { rollbackId: string; atMs: number }[] = [];
  readonly abortsRequested: string[] = [];
  readonly deliveries: string[] = [];
  readonly restores: { rollbackId: string; restore: number }[] = [];
  /** Review reminders asked for; like the job ids, one per rollback and time. */
  readonly reviewReminders: { rollbackId: string; atMs: number }[] = [];

  private readonly queue: Job[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly timers = new Map<string, { rollbackId: string; atMs: number }>();
  private worker?: SchedulerWorker;

  /** The worker that drains the jobs (the executor and expireApproval on the same deps). */
  attach(worker: SchedulerWorker): void {
    this.worker = worker;
  }

  async execute(rollbackId: string, run: number): Promise<void> {
    this.executions.push({ rollbackId, run });
    const key = jobKey(rollbackId, run);
    if (this.running.has(key) || this.queue.some((j) => jobKey(j.rollbackId, j.run) === key)) return;
    this.queue.push({ rollbackId, run });
  }

  async expireAt(rollbackId: string, atMs: number): Promise<void> {
    this.expiriesSet.push({ rollbackId, atMs });
    this.timers.set(jobKey(rollbackId, atMs), { rollbackId, atMs });
  }

  async cancelExpiry(rollbackId: string, atMs: number): Promise<void> {
    this.expiriesCancelled.push({ rollbackId, atMs });
    this.timers.delete(jobKey(rollbackId, atMs));
  }

  async requestAbort(rollbackId: string): Promise<void> {
    this.abortsRequested.push(rollbackId);
    for (const [key, controller] of this.running) if (key.startsWith(`${rollbackId}#`)) controller.abort(new Error('abort requested'));
  }

  async deliver(rollbackId: string): Promise<void> {
    this.deliveries.push(rollbackId);
  }

  async restore(rollbackId: string, restore: number): Promise<void> {
    this.restores.push({ rollbackId, restore });
  }

  async remindReview(rollbackId: string, atMs: number): Promise<void> {
    if (this.reviewReminders.some((r) => r.rollbackId === rollbackId && r.atMs === atMs)) return;
    this.reviewReminders.push({ rollbackId, atMs });
  }

  /** Executions waiting for a worker, oldest first. */
  pending(): readonly Job[] {
    return [...this.queue];
  }

  /** Expiry timers still set, by due time. */
  pendingExpiries(): { rollbackId: string; atMs: number }[] {
    return [...this.timers.values()].sort((a, b) => a.atMs - b.atMs);
  }

  /** Takes the oldest waiting execution and runs it to its end (or its first never-ending wait). */
  runNext(): Promise<void> | undefined {
    const job = this.queue.shift();
    if (!job) return undefined;
    const worker = this.requireWorker();
    const key = jobKey(job.rollbackId, job.run);
    const controller = new AbortController();
    this.running.set(key, controller);
    return worker.execute(job.rollbackId, job.run, controller.signal).finally(() => {
      if (this.running.get(key) === controller) this.running.delete(key);
    });
  }

  /** Runs waiting executions one after another until none waits, including those they add. */
  async drain(): Promise<number> {
    let ran = 0;
    for (let next = this.runNext(); next; next = this.runNext()) {
      await next;
      ran++;
    }
    return ran;
  }

  /** Fires every expiry timer due at `nowMs`, as the delayed queue would. */
  async fireExpiries(nowMs: number): Promise<number> {
    const worker = this.requireWorker();
    const due = this.pendingExpiries().filter((t) => t.atMs <= nowMs);
    for (const timer of due) {
      this.timers.delete(jobKey(timer.rollbackId, timer.atMs));
      await worker.expire(timer.rollbackId);
    }
    return due.length;
  }

  private requireWorker(): SchedulerWorker {
    if (!this.worker) throw new Error('InMemoryScheduler: attach a worker before draining');
    return this.worker;
  }
}
