/** A chat sink that writes each message as plain text to the log: what Rewind says when no chat platform is configured. */
import type { OutboundEvent } from '../../domain/outbound-event';
import type { ChatSink, Conversation } from '../../domain/ports';
import { renderPlainText } from '../../messages/plain-text';
import type { Logger } from '../../observability/logger';

export class LogSink implements ChatSink {
  readonly name = 'log';
  /** A line logged twice after a crash misleads nobody. */
  readonly replaySafe = true;

  constructor(private readonly logger: Logger) {}

  handles(): boolean {
    return true;
  }

  async deliver(event: OutboundEvent, record: Conversation): Promise<void> {
    this.logger.info(
      { rollbackId: record.id, seq: event.seq, kind: event.kind, messageKind: event.message.kind, text: renderPlainText(event.message) },
      event.message.fallback,
    );
  }
}
