/**
 * Posts a rollback's events to its console channels. Message ids are derived from the rollback,
 * channel and event key, so a re-delivery after a crash edits the same message instead of adding one.
 */
import type { OutboundEvent } from '../../domain/outbound-event';
import type { ChatSink, Clock, Conversation } from '../../domain/ports';
import type { ChatRefs } from '../../domain/chat-refs';
import type { ConsoleEventLog } from './console-event-log';

export class ConsoleSink implements ChatSink {
  readonly name = 'console';

  constructor(
    private readonly log: ConsoleEventLog,
    private readonly refs: ChatRefs,
    private readonly clock: Clock,
  ) {}

  handles(record: Conversation): boolean {
    return record.channels.console.length > 0;
  }

  async deliver(event: OutboundEvent, record: Conversation): Promise<void> {
    // The console has only incident channels; stakeholder announcements go to Slack and Discord.
    if (event.kind === 'announce') return;
    for (const channel of record.channels.console) {
      const header = `${record.id}:${channel}:header`;
      const id = event.kind === 'header' ? header : `${record.id}:${channel}:${event.supersedes ?? `seq${event.seq}`}`;
      const refKey = `console:${id}`;
      const posted = (await this.refs.get(record.id, refKey)) !== undefined;
      await this.log.append({
        kind: posted ? 'update' : 'post',
        id,
        channel,
        ...(event.kind === 'thread' ? { threadOf: header } : {}),
        ...(event.broadcast ? { broadcast: true } : {}),
        message: event.message,
        at: this.clock.now(),
      });
      if (!posted) await this.refs.set(record.id, refKey, '1');
    }
  }
}
