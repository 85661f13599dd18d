/**
 * Delivers a rollback's chat events to every sink, in order, each sink at its own pace. Header
 * edits and other superseded events that are still undelivered collapse to the latest one.
 * One drainer per rollback at a time; after unlocking it looks again, so an event appended
 * while it held the lock is never stranded.
 */
import { RetryLaterError, describeError } from '../domain/errors';
import type { OutboundEvent } from '../domain/outbound-event';
import type { ChatSink, OutboxLog, RollbackStore } from '../domain/ports';
import type { RollbackRecord } from '../domain/rollback-record';

export interface DrainerLogger {
  warn(obj: object, msg: string): void;
}

const BATCH = 100;
const LOCK_TTL_MS = 60_000;
const DEFAULT_RETRY_MS = 1_000;

/** Drops events that a later undelivered event with the same `supersedes` key makes stale. */
export function collapseSuperseded<T extends { event: OutboundEvent }>(batch: readonly T[]): { deliver: T[]; skipped: T[] } {
  const lastByKey = new Map<string, number>();
  batch.forEach((item, i) => {
    if (item.event.supersedes) lastByKey.set(item.event.supersedes, i);
  });
  const deliver: T[] = [];
  const skipped: T[] = [];
  batch.forEach((item, i) => {
    const key = item.event.supersedes;
    (key !== undefined && lastByKey.get(key) !== i ? skipped : deliver).push(item);
  });
  return { deliver, skipped };
}

export class OutboxDrainer {
  constructor(
    private readonly store: RollbackStore,
    private readonly log: OutboxLog,
    private readonly sinks: readonly ChatSink[],
    private readonly logger: DrainerLogger,
  ) {}

  /** Drains until nothing is pending; throws RetryLaterError when a sink must be retried later. */
  async drain(rollbackId: string): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const token = await this.log.tryLock(rollbackId, LOCK_TTL_MS);
      // Someone else is draining; they look again after unlocking, so our events are covered.
      if (!token) return;
      try {
        const record = await this.store.get(rollbackId);
        if (!record) return;
        await this.deliverAll(record);
      } finally {
        await this.log.unlock(rollbackId, token);
      }
      // Checked after unlocking: an event appended while we held the lock (whose own drain job
      // gave up on the lock) is seen here, and we go round again.
      if (await this.log.settle(rollbackId, this.sinks.map((s) => s.name))) return;
    }
  }

  private async deliverAll(record: RollbackRecord): Promise<void> {
    let retryAfterMs = 0;
    let failure: string | undefined;
    for (const sink of this.sinks) {
      try {
        await this.deliverTo(sink, record);
      } catch (error) {
        failure = `${sink.name}: ${describeError(error)}`;
        retryAfterMs = Math.max(retryAfterMs, error instanceof RetryLaterError ? error.retryAfterMs : DEFAULT_RETRY_MS);
        this.logger.warn({ rollbackId: record.id, sink: sink.name, err: error }, 'chat delivery failed; will retry');
      }
    }
    if (failure) throw new RetryLaterError(`chat delivery for ${record.id} incomplete (${failure})`, retryAfterMs);
  }

  private async deliverTo(sink: ChatSink, record: RollbackRecord): Promise<void> {
    const handles = sink.handles(record);
    for (;;) {
      const batch = await this.log.pending(record.id, sink.name, BATCH);
      if (batch.length === 0) return;
      const { deliver } = collapseSuperseded(batch);
      const keep = new Set(deliver);
      for (const item of batch) {
        if (handles && keep.has(item)) await sink.deliver(item.event, record);
        await this.log.advance(record.id, sink.name, item.position);
      }
      if (batch.length < BATCH) return;
    }
  }

  /** Rollbacks whose chat events are not yet everywhere (for the periodic sweep). */
  pendingRollbacks(limit: number): Promise<string[]> {
    return this.log.pendingRollbacks(limit);
  }
}
