/** Records private answers to interactions. */
import type { Message } from '../../src/domain/message';
import type { Replier, ReplyTarget } from '../../src/domain/ports';

export class RecordingReplier implements Replier {
  readonly replies: { target: ReplyTarget; message: Message }[] = [];

  async reply(target: ReplyTarget, message: Message): Promise<void> {
    this.replies.push({ target, message });
  }
}
