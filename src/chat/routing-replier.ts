/** Sends each answer (and file) through the replier of the platform the interaction came from. */
import { canPostFiles, type ChatFile, type FileReplier, type PostedFile, type ThreadLink } from '../domain/chat-file';
import type { Message } from '../domain/message';
import type { Conversation, Replier, ReplyTarget } from '../domain/ports';

export class RoutingReplier implements FileReplier {
  constructor(
    private readonly byPlatform: Readonly<Record<string, Replier>>,
    private readonly fallback: Replier,
  ) {}

  private route(target: ReplyTarget): Replier {
    return this.byPlatform[target.platform] ?? this.fallback;
  }

  reply(target: ReplyTarget, message: Message): Promise<void> {
    return this.route(target).reply(target, message);
  }

  /** Undefined where the platform cannot post files: the caller answers with a message instead. */
  async postFile(target: ReplyTarget, file: ChatFile, about?: Conversation): Promise<PostedFile | undefined> {
    const replier = this.route(target);
    return canPostFiles(replier) ? replier.postFile(target, file, about) : undefined;
  }

  async threadLinks(target: ReplyTarget, about: Conversation): Promise<ThreadLink[]> {
    const replier = this.route(target);
    return canPostFiles(replier) && replier.threadLinks ? replier.threadLinks(target, about) : [];
  }
}
