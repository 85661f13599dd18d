/**
 * Private answers on Slack: through the interaction's response_url (works anywhere the command was
 * typed, 5 uses in 30 minutes), else chat.postEphemeral to the user in the channel. Files (a
 * post-mortem draft, a history export) go through Slack's upload flow into the channel where the
 * command was typed, in the rollback's thread when that channel has one.
 */
import type { WebClient } from '@slack/web-api';
import { request } from 'undici';
import { z } from 'zod';
import { FileRefusedError, mimeTypeOf, type ChatFile, type FileReplier, type PostedFile, type ThreadLink } from '../../domain/chat-file';
import type { Message } from '../../domain/message';
import type { Conversation, ReplyTarget } from '../../domain/ports';
import { RetryLaterError } from '../../domain/errors';
import type { ChatRefs } from '../../domain/chat-refs';
import { renderMessage } from './block-kit';
import { isPermanentSlackError, toRetryable } from './slack-errors';

export interface SlackReplyData {
  responseUrl?: string;
  channelId?: string;
  userId?: string;
}

function slackErrorCode(error: unknown): string {
  return (error as { data?: { error?: string } }).data?.error ?? 'an error';
}

const UploadUrl = z.object({ upload_url: z.string().url(), file_id: z.string().min(1) });
const Permalink = z.object({ permalink: z.string().url() });
const Completed = z.object({ files: z.array(z.object({ id: z.string(), permalink: z.string().optional() })).default([]) });

/** A message ts (`1700000000.000100`); a ref holding anything else (an attempt mark) names no message yet. */
const TS = /^\d+\.\d+$/;

export class SlackReplier implements FileReplier {
  constructor(
    private readonly client: Pick<WebClient, 'chat' | 'files'>,
    /** Where the sink keeps the rollback's header ts per channel: the thread a file about it goes in. */
    private readonly refs?: Pick<ChatRefs, 'get'>,
  ) {}

  async postFile(target: ReplyTarget, file: ChatFile, about?: Conversation): Promise<PostedFile | undefined> {
    const channel = (target.data as SlackReplyData).channelId;
    if (!channel) return undefined;
    const thread = about && this.refs && about.channels.slack.includes(channel) ? await this.refs.get(about.id, `slack:${channel}:header`) : undefined;
    const threadTs = thread && TS.test(thread) ? thread : undefined;
    const bytes = Buffer.from(file.content, 'utf8');
    try {
      const { upload_url, file_id } = UploadUrl.parse(await this.client.files.getUploadURLExternal({ filename: file.name, length: bytes.length }));
      await this.upload(upload_url, bytes, mimeTypeOf(file));
      const done = Completed.parse(
        await this.client.files.completeUploadExternal({
          files: [{ id: file_id, title: file.title }],
          channel_id: channel,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          initial_comment: file.comment,
        }),
      );
      const link = done.files.find((f) => f.id === file_id)?.permalink;
      return { where: threadTs ? "the rollback's thread" : 'this channel', ...(link ? { link } : {}) };
    } catch (error) {
      if (isPermanentSlackError(error)) throw new FileRefusedError(`Slack answered ${slackErrorCode(error)}${slackErrorCode(error) === 'not_in_channel' ? ' (invite Rewind to this channel)' : ''}`);
      throw error instanceof RetryLaterError ? error : toRetryable(error);
    }
  }

  /** chat.getPermalink of each incident channel's header, under which the thread hangs. */
  async threadLinks(_target: ReplyTarget, about: Conversation): Promise<ThreadLink[]> {
    const links: ThreadLink[] = [];
    for (const channel of about.channels.slack) {
      const ts = this.refs ? await this.refs.get(about.id, `slack:${channel}:header`) : undefined;
      if (!ts || !TS.test(ts)) continue;
      const answer = Permalink.safeParse(await this.client.chat.getPermalink({ channel, message_ts: ts }));
      links.push({ platform: 'slack', channel, ...(answer.success ? { url: answer.data.permalink } : {}) });
    }
    return links;
  }

  /** The bytes go to the URL Slack handed out, outside the Web API, so its client's retries do not apply. */
  private async upload(url: string, bytes: Buffer, contentType: string): Promise<void> {
    const response = await request(url, { method: 'POST', headers: { 'content-type': contentType }, body: bytes, headersTimeout: 10_000, bodyTimeout: 10_000 });
    await response.body.dump();
    if (response.statusCode === 429 || response.statusCode >= 500) throw new RetryLaterError(`Slack's upload URL answered ${response.statusCode}`, 2_000);
    if (response.statusCode !== 200) throw new Error(`Slack's upload URL refused the file (HTTP ${response.statusCode})`);
  }

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
