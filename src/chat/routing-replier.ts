/** Sends each answer through the replier of the platform the interaction came from. */
import type { Message } from '../domain/message';
import type { Replier, ReplyTarget } from '../domain/ports';

export class RoutingReplier implements Replier {
  constructor(
    private readonly byPlatform: Readonly<Record<string, Replier>>,
    private readonly fallback: Replier,
  ) {}

  reply(target: ReplyTarget, message: Message): Promise<void> {
    return (this.byPlatform[target.platform] ?? this.fallback).reply(target, message);
  }
}
