/**
 * Delivers a rollback's chat events to every sink, in order, each sink at its own pace. Header
 * edits and other superseded events that are still undelivered collapse to the latest one.
 * One drainer per rollback at a time; after unlocking it looks again, so an event appended
 * while it held the lock is never stranded.
 */
import { RetryLaterError, describeError } from '../domain/errors';
import type { OutboundEvent } from '../domain/outbound-event';
import type { ChatSink, Conversation, OutboxLog } from '../domain/ports';

export interface DrainerLogger {
  warn(obj: object, msg: string): void;
}

const BATCH = 100;
const LOCK_TTL_MS = 60_000;
const DEFAULT_RETRY_MS = 1_000;

/**
 * Collapses undelivered events that share a `supersedes` key: the latest version is delivered at
 * the position of the earliest, so a header still precedes its thread and a step's result sits
 * where its start would have been. What the replaced versions meant is kept: their milestones ride
 * on the delivered one, in order (a pager behind by a whole rollback still sees its start and its
 * end), and if any version addressed the on-call, so does the delivered one.
 */
export function collapseSuperseded<T extends { event: OutboundEvent }>(batch: readonly T[]): { item: T; event: OutboundEvent }[] {
  const versions = new Map<string, OutboundEvent[]>();
  for (const item of batch) {
    const key = item.event.supersedes;
    if (key !== undefined) versions.set(key, [...(versions.get(key) ?? []), item.event]);
  }
  const seen = new Set<string>();
  const out: { item: T; event: OutboundEvent }[] = [];
  for (const item of batch) {
    const key = item.event.supersedes;
    if (key === undefined) out.push({ item, event: item.event });
    else if (!seen.has(key)) {
      seen.add(key);
      out.push({ item, event: merged(versions.get(key)!) });
    }
  }
  return out;
}

/** The last version, carrying the milestones and the mention of all of them. */
function merged(versions: readonly OutboundEvent[]): OutboundEvent {
  const last = versions.at(-1)!;
  if (versions.length === 1) return last;
  const milestones = versions.flatMap((v) => v.milestones ?? []);
  const mention = versions.some((v) => v.mention === true);
  const { milestones: _milestones, mention: _mention, ...rest } = last;
  return { ...rest, ...(milestones.length > 0 ? { milestones } : {}), ...(mention ? { mention } : {}) };
}

export type DeliveryResult = 'delivered' | 'retry' | 'error';

export class OutboxDrainer {
  constructor(
    private readonly conversations: { get(id: string): Promise<Conversation | undefined> },
    private readonly log: OutboxLog,
    private readonly sinks: readonly ChatSink[],
    private readonly logger: DrainerLogger,
    /** Told of each delivery and each failed attempt (for metrics). */
    private readonly observe: (sink: string, result: DeliveryResult) => void = () => undefined,
  ) {}

  /** Drains until nothing is pending; throws RetryLaterError when a sink must be retried later. */
  async drain(rollbackId: string): Promise<void> {
    // From here on, what is committed is either read below or gets a delivery of its own.
    await this.log.clearDeliveryWaiting(rollbackId);
    for (let round = 0; round < 10; round++) {
      const token = await this.log.tryLock(rollbackId, LOCK_TTL_MS);
      // Someone else is draining; they look again after unlocking, so our events are covered.
      if (!token) return;
      try {
        const record = await this.conversations.get(rollbackId);
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

  private async deliverAll(record: Conversation): Promise<void> {
    let retryAfterMs = 0;
    let failure: string | undefined;
    for (const sink of this.sinks) {
      // A platform that said "retry after N" is left alone by every drainer until then.
      const paused = await this.log.sinkPause(record.id, sink.name);
      if (paused > 0) {
        failure = `${sink.name}: held back for ${paused} ms`;
        retryAfterMs = Math.max(retryAfterMs, paused);
        continue;
      }
      try {
        await this.deliverTo(sink, record);
      } catch (error) {
        const wait = error instanceof RetryLaterError ? error.retryAfterMs : DEFAULT_RETRY_MS;
        this.observe(sink.name, error instanceof RetryLaterError ? 'retry' : 'error');
        await this.log.pauseSink(record.id, sink.name, wait);
        failure = `${sink.name}: ${describeError(error)}`;
        retryAfterMs = Math.max(retryAfterMs, wait);
        this.logger.warn({ rollbackId: record.id, sink: sink.name, retryAfterMs: wait, err: error }, 'chat delivery failed; will retry');
      }
    }
    if (failure) throw new RetryLaterError(`chat delivery for ${record.id} incomplete (${failure})`, retryAfterMs);
  }

  private async deliverTo(sink: ChatSink, record: Conversation): Promise<void> {
    const handles = sink.handles(record);
    for (;;) {
      const batch = await this.log.pending(record.id, sink.name, BATCH);
      if (batch.length === 0) return;
      if (handles) await this.deliverBatch(sink, record, collapseSuperseded(batch));
      await this.log.advance(record.id, sink.name, batch.at(-1)!.position);
      if (batch.length < BATCH) return;
    }
  }

  /**
   * Delivered up to an event: a crash after it re-delivers nothing before it. A sink that replays
   * harmlessly is advanced once per batch instead (by the caller), or up to its last delivery when
   * one fails, so a retry does not redo what got through.
   */
  private async deliverBatch(sink: ChatSink, record: Conversation, items: readonly { item: { position: string }; event: OutboundEvent }[]): Promise<void> {
    let unrecorded: string | undefined;
    try {
      for (const { item, event } of items) {
        await sink.deliver(event, record);
        this.observe(sink.name, 'delivered');
        if (sink.replaySafe) unrecorded = item.position;
        else await this.log.advance(record.id, sink.name, item.position);
      }
      unrecorded = undefined;
    } finally {
      if (unrecorded) await this.log.advance(record.id, sink.name, unrecorded);
    }
  }

  /** Rollbacks whose chat events are not yet everywhere (for the periodic sweep). */
  pendingRollbacks(limit: number): Promise<string[]> {
    return this.log.pendingRollbacks(limit);
  }
}
