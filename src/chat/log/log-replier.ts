/** Answers to interactions, written to the log when no chat platform takes them. */
import type { Message } from '../../domain/message';
import type { Replier, ReplyTarget } from '../../domain/ports';
import { renderPlainText } from '../../messages/plain-text';
import type { Logger } from '../../observability/logger';

export class LogReplier implements Replier {
  constructor(private readonly logger: Logger) {}

  async reply(target: ReplyTarget, message: Message): Promise<void> {
    this.logger.info({ platform: target.platform, text: renderPlainText(message) }, `reply: ${message.fallback}`);
  }
}
