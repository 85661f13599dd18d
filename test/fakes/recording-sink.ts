/** A chat sink that records what Rewind would post, in delivery order; it can also fail on demand. */
import { RetryLaterError } from '../../src/domain/errors';
import type { OutboundEvent } from '../../src/domain/outbound-event';
import type { ChatSink, Conversation } from '../../src/domain/ports';

export class RecordingSink implements ChatSink {
  readonly delivered: OutboundEvent[] = [];
  private failures = 0;
  private retryAfterMs = 0;

  constructor(readonly name = 'recording') {}

  handles(): boolean {
    return true;
  }

  /** The next `count` deliveries throw as a rate-limited platform would. */
  failNext(count: number, retryAfterMs: number): void {
    this.failures = count;
    this.retryAfterMs = retryAfterMs;
  }

  async deliver(event: OutboundEvent, _record: Conversation): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new RetryLaterError('rate limited (429)', this.retryAfterMs);
    }
    this.delivered.push(event);
  }

  forRollback(id: string): OutboundEvent[] {
    return this.delivered.filter((e) => e.rollbackId === id);
  }

  kinds(id: string): string[] {
    return this.forRollback(id).map((e) => `${e.kind}:${e.message.kind}`);
  }
}
