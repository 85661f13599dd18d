/** Private answers in the console: a message only the acting user sees. */
import { randomUUID } from 'node:crypto';
import type { Message } from '../../domain/message';
import type { Clock, Replier, ReplyTarget } from '../../domain/ports';
import type { ConsoleEventLog } from './console-event-log';

export class ConsoleReplier implements Replier {
  constructor(
    private readonly log: ConsoleEventLog,
    private readonly clock: Clock,
  ) {}

  async reply(target: ReplyTarget, message: Message): Promise<void> {
    const user = String(target.data['user'] ?? '');
    const channel = String(target.data['channel'] ?? '');
    if (!user) return;
    await this.log.append({ kind: 'post', id: `private-${randomUUID()}`, channel, message, at: this.clock.now(), ephemeralTo: user });
  }
}
