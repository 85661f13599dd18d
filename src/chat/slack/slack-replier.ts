/**
 * Private answers on Slack: through the interaction's response_url (works anywhere the command was
 * typed, 5 uses in 30 minutes), else chat.postEphemeral to the user in the channel.
 */
import type { WebClient } from '@slack/web-api';
import { request } from 'undici';
import type { Message } from '../../domain/message';
import type { Replier, ReplyTarget } from '../../domain/ports';
import { RetryLaterError } from '../../domain/errors';
import { renderMessage } from './block-kit';
import { toRetryable } from './slack-errors';

export interface SlackReplyData {
  responseUrl?: string;
  channelId?: string;
  userId?: string;
}

export class SlackReplier implements Replier {
  constructor(private readonly client: Pick<WebClient, 'chat'>) {}

  async reply(target: ReplyTarget, message: Message): Promise<void> {
    const data = target.data as SlackReplyData;
    const { text, blocks } = renderMessage(message);
    if (data.responseUrl) {
      const response = await request(data.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, blocks }),
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      await response.body.dump();
      if (response.statusCode === 429 || response.statusCode >= 500) throw new RetryLaterError(`response_url answered ${response.statusCode}`, 1_000);
      if (response.statusCode < 300) return;
      // An expired or used-up response_url: fall back to an ephemeral message.
    }
    if (data.channelId && data.userId) {
      try {
        await this.client.chat.postEphemeral({ channel: data.channelId, user: data.userId, text, blocks });
      } catch (error) {
        throw toRetryable(error);
      }
    }
  }
}
