/**
 * Posts a rollback's events to its Slack incident channels: the header once (then edited in place
 * with chat.update), thread replies under it, a later post with the same key edits the earlier
 * one (a step's start becomes its result), and the summary is broadcast to the channel.
 */
import type { WebClient } from '@slack/web-api';
import type { OutboundEvent } from '../../domain/outbound-event';
import type { ChatSink, Conversation } from '../../domain/ports';
import { RetryLaterError } from '../../domain/errors';
import type { Logger } from '../../observability/logger';
import type { ChatRefs } from '../chat-refs';
import { deliverPerChannel } from '../deliver-per-channel';
import { renderMessage } from './block-kit';
import { isPermanentSlackError, toRetryable } from './slack-errors';

type SlackClient = Pick<WebClient, 'chat'>;

export class SlackSink implements ChatSink {
  readonly name = 'slack';

  constructor(
    private readonly client: SlackClient,
    private readonly refs: ChatRefs,
    private readonly logger: Logger,
  ) {}

  handles(record: Conversation): boolean {
    return record.channels.slack.length > 0;
  }

  deliver(event: OutboundEvent, record: Conversation): Promise<void> {
    return deliverPerChannel(record.channels.slack, (channel) => this.deliverTo(channel, event, record), { isPermanent: isPermanentSlackError, toRetryable }, {
      logger: this.logger,
      platform: 'slack',
      rollbackId: record.id,
      seq: event.seq,
    });
  }

  private async deliverTo(channel: string, event: OutboundEvent, record: Conversation): Promise<void> {
    const { text, blocks } = renderMessage(event.message);
    const headerKey = `slack:${channel}:header`;
    if (event.kind === 'header') {
      const ts = await this.refs.get(record.id, headerKey);
      if (ts) {
        await this.client.chat.update({ channel, ts, text, blocks });
      } else {
        const posted = await this.client.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false });
        await this.refs.set(record.id, headerKey, posted.ts!);
      }
      return;
    }

    const parent = await this.refs.get(record.id, headerKey);
    // The header always precedes its thread in the outbox; without it, wait for it rather than post loose.
    if (!parent) throw new RetryLaterError(`no Slack header yet for ${record.id} in ${channel}`, 500);
    const key = event.supersedes ? `slack:${channel}:key:${event.supersedes}` : `slack:${channel}:seq:${event.seq}`;
    const existing = await this.refs.get(record.id, key);
    if (existing && event.supersedes) {
      await this.client.chat.update({ channel, ts: existing, text, blocks });
      return;
    }
    if (existing) return; // delivered before a crash; do not post twice
    const posted = await this.client.chat.postMessage({
      channel,
      thread_ts: parent,
      text,
      blocks,
      reply_broadcast: event.broadcast,
      unfurl_links: false,
      unfurl_media: false,
    });
    await this.refs.set(record.id, key, posted.ts!);
  }
}
