/**
 * Posts a rollback's events to its Discord incident channels: the header as a channel message
 * (edited in place), a thread started from it for the steps, keyed posts edited instead of
 * repeated, and the summary echoed in the channel. discord.js REST waits out 429s itself.
 */
import type { REST } from '@discordjs/rest';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import type { OutboundEvent } from '../../domain/outbound-event';
import type { ChatSink, Conversation } from '../../domain/ports';
import { RetryLaterError } from '../../domain/errors';
import type { Logger } from '../../observability/logger';
import type { ChatRefs } from '../chat-refs';
import { deliverPerChannel } from '../deliver-per-channel';
import { renderDiscordMessage } from './embed-renderer';
import { isPermanentDiscordError, toRetryableDiscord } from './discord-errors';

const THREAD_ARCHIVE_MINUTES = 1440;

export function threadName(record: Conversation): string {
  return `Rollback ${record.service} ${record.environment} · ${record.id}`.slice(0, 100);
}

export class DiscordSink implements ChatSink {
  readonly name = 'discord';

  constructor(
    private readonly rest: Pick<REST, 'post' | 'patch'>,
    private readonly refs: ChatRefs,
    private readonly logger: Logger,
  ) {}

  handles(record: Conversation): boolean {
    return record.channels.discord.length > 0;
  }

  deliver(event: OutboundEvent, record: Conversation): Promise<void> {
    return deliverPerChannel(
      record.channels.discord,
      (channel) => this.deliverTo(channel, event, record),
      { isPermanent: isPermanentDiscordError, toRetryable: toRetryableDiscord },
      { logger: this.logger, platform: 'discord', rollbackId: record.id, seq: event.seq },
    );
  }

  private async post(channel: string, event: OutboundEvent): Promise<string> {
    const message = (await this.rest.post(Routes.channelMessages(channel), { body: renderDiscordMessage(event.message) })) as APIMessage;
    return message.id;
  }

  private async edit(channel: string, messageId: string, event: OutboundEvent): Promise<void> {
    await this.rest.patch(Routes.channelMessage(channel, messageId), { body: renderDiscordMessage(event.message) });
  }

  private async deliverTo(channel: string, event: OutboundEvent, record: Conversation): Promise<void> {
    const headerKey = `discord:${channel}:header`;
    let header = await this.refs.get(record.id, headerKey);
    if (event.kind === 'header') {
      if (header) await this.edit(channel, header, event);
      else {
        header = await this.post(channel, event);
        await this.refs.set(record.id, headerKey, header);
      }
      // The thread starts with the first post under the header; a one-message notice gets none.
      return;
    }
    if (!header) throw new RetryLaterError(`no Discord header yet for ${record.id} in ${channel}`, 500);
    const thread = await this.ensureThread(channel, header, record);
    const key = event.supersedes ? `discord:${channel}:key:${event.supersedes}` : `discord:${channel}:seq:${event.seq}`;
    const existing = await this.refs.get(record.id, key);
    if (existing && event.supersedes) return this.edit(thread, existing, event);
    if (existing) return;
    await this.refs.set(record.id, key, await this.post(thread, event));
    if (event.broadcast) {
      const echoKey = `discord:${channel}:echo:${event.seq}`;
      if (!(await this.refs.get(record.id, echoKey))) await this.refs.set(record.id, echoKey, await this.post(channel, event));
    }
  }

  /** A thread started from the header; its id is the header's id, as Discord defines it. */
  private async ensureThread(channel: string, header: string, record: Conversation): Promise<string> {
    const threadKey = `discord:${channel}:thread`;
    const known = await this.refs.get(record.id, threadKey);
    if (known) return known;
    try {
      await this.rest.post(Routes.threads(channel, header), { body: { name: threadName(record), auto_archive_duration: THREAD_ARCHIVE_MINUTES } });
    } catch (error) {
      // 160004: a thread already exists for this message (created before a crash) — use it.
      if (!(error instanceof Error && 'code' in error && Number((error as { code: unknown }).code) === 160004)) throw error;
    }
    await this.refs.set(record.id, threadKey, header);
    return header;
  }
}
