/**
 * Posts a rollback's events to its Discord incident channels: the header as a channel message
 * (edited in place), a thread started from it for the steps, keyed posts edited instead of
 * repeated, and the summary echoed in the channel. discord.js REST waits out 429s itself.
 *
 * A create whose answer is lost (timeout, reset) is re-sent — by REST itself, or by the outbox
 * later. Each create therefore carries a nonce derived from the rollback and the message, with
 * `enforce_nonce`: Discord then answers a repeat within a few minutes with the message the first
 * attempt made instead of posting another. A thread that already exists answers 160004 and is
 * adopted; edits are idempotent by nature.
 *
 * From the environment's catalog settings: `announce` events go to the stakeholder channels (posted
 * once, then edited; no thread); an event that addresses the on-call pings the configured role or
 * user in `content` with allowed_mentions limited to exactly them (every other message allows no
 * ping at all); and while a pager is configured, the thread's link is kept for it.
 */
import { createHash } from 'node:crypto';
import type { REST } from '@discordjs/rest';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import type { OutboundEvent } from '../../domain/outbound-event';
import type { ChatSink, Conversation } from '../../domain/ports';
import { RetryLaterError } from '../../domain/errors';
import type { Logger } from '../../observability/logger';
import type { ChatRefs } from '../../domain/chat-refs';
import { hasPager, noComms, threadLinkKey, type CommsLookup } from '../../domain/comms-lookup';
import { deliverPerChannel } from '../deliver-per-channel';
import { renderDiscordMessage, type DiscordMessageBody } from './embed-renderer';
import { isPermanentDiscordError, toRetryableDiscord } from './discord-errors';

const THREAD_ARCHIVE_MINUTES = 1440;

/** A ref value that is not a message id yet: a create of a message that later versions edit was sent, outcome unknown. */
const ATTEMPTED = 'attempt';

export function threadName(record: Conversation): string {
  return `Rollback ${record.service} ${record.environment} · ${record.id}`.slice(0, 100);
}

/** The same for every attempt at one message, different for any other; Discord takes up to 25 characters. */
export function messageNonce(rollbackId: string, refKey: string): string {
  return createHash('sha256').update(`${rollbackId}\n${refKey}`).digest('hex').slice(0, 25);
}

function postedId(ref: string | undefined): string | undefined {
  return ref === ATTEMPTED ? undefined : ref;
}

export class DiscordSink implements ChatSink {
  readonly name = 'discord';
  /** Posts are found again by their refs (and, after a lost answer, by metadata or nonce). */
  readonly replaySafe = true;

  constructor(
    private readonly rest: Pick<REST, 'post' | 'patch'>,
    private readonly refs: ChatRefs,
    private readonly logger: Logger,
    private readonly comms: CommsLookup = noComms,
  ) {}

  handles(record: Conversation): boolean {
    return record.channels.discord.length > 0 || this.comms(record).announce.discord.length > 0;
  }

  deliver(event: OutboundEvent, record: Conversation): Promise<void> {
    const announce = event.kind === 'announce';
    return deliverPerChannel(
      announce ? this.comms(record).announce.discord : record.channels.discord,
      (channel) => (announce ? this.announce(channel, event, record) : this.deliverTo(channel, event, record)),
      { isPermanent: isPermanentDiscordError, toRetryable: toRetryableDiscord },
      { logger: this.logger, platform: 'discord', rollbackId: record.id, seq: event.seq },
    );
  }

  /** A stakeholder message: posted once, then edited; never a thread, never a ping. */
  private async announce(channel: string, event: OutboundEvent, record: Conversation): Promise<void> {
    const key = event.supersedes ?? `seq:${event.seq}`;
    await this.postOnce(record, `discord:${channel}:announce:${key}`, channel, renderDiscordMessage(event.message), true);
  }

  /** The body of an event's message; it pings the on-call when `ping` and the environment names one. */
  private render(event: OutboundEvent, record: Conversation, ping: boolean): DiscordMessageBody {
    const oncall = ping && event.mention ? this.comms(record).mention.discord : undefined;
    return renderDiscordMessage(event.message, oncall);
  }

  private async edit(channel: string, messageId: string, body: DiscordMessageBody): Promise<void> {
    await this.rest.patch(Routes.channelMessage(channel, messageId), { body });
  }

  /**
   * Creates the message recorded under `refKey` in `target` once; when already there, a message that
   * later versions edit (`editable`) is edited instead. Returns its id.
   */
  private async postOnce(record: Conversation, refKey: string, target: string, body: DiscordMessageBody, editable: boolean): Promise<string> {
    const ref = await this.refs.get(record.id, refKey);
    const known = postedId(ref);
    if (known) {
      if (editable) await this.edit(target, known, body);
      return known;
    }
    // Only an editable message needs the mark: a repeat may be answered with what the first attempt
    // posted, an older version, which must then be brought up to date. A plain post never changes.
    if (editable && ref === undefined) await this.refs.set(record.id, refKey, ATTEMPTED);
    const message = (await this.rest.post(Routes.channelMessages(target), { body: { ...body, nonce: messageNonce(record.id, refKey), enforce_nonce: true } })) as APIMessage;
    await this.refs.set(record.id, refKey, message.id);
    if (editable && ref !== undefined) await this.edit(target, message.id, body);
    return message.id;
  }

  private async deliverTo(channel: string, event: OutboundEvent, record: Conversation): Promise<void> {
    const headerKey = `discord:${channel}:header`;
    if (event.kind === 'header') {
      // The thread starts with the first post under the header; a one-message notice gets none.
      await this.postOnce(record, headerKey, channel, this.render(event, record, true), true);
      return;
    }
    const header = postedId(await this.refs.get(record.id, headerKey));
    if (!header) throw new RetryLaterError(`no Discord header yet for ${record.id} in ${channel}`, 500);
    const thread = await this.ensureThread(channel, header, record);
    const key = event.supersedes ? `discord:${channel}:key:${event.supersedes}` : `discord:${channel}:seq:${event.seq}`;
    // A broadcast post pings from its echo in the channel, where people look; the thread copy stays quiet.
    await this.postOnce(record, key, thread, this.render(event, record, !event.broadcast), event.supersedes !== undefined);
    if (event.broadcast) await this.postOnce(record, `discord:${channel}:echo:${event.seq}`, channel, this.render(event, record, true), false);
  }

  /** A thread started from the header; its id is the header's id, as Discord defines it. */
  private async ensureThread(channel: string, header: string, record: Conversation): Promise<string> {
    const threadKey = `discord:${channel}:thread`;
    const known = await this.refs.get(record.id, threadKey);
    if (known) return known;
    try {
      const created = (await this.rest.post(Routes.threads(channel, header), { body: { name: threadName(record), auto_archive_duration: THREAD_ARCHIVE_MINUTES } })) as { guild_id?: string } | undefined;
      // The thread's link, for pagers: only the answer names the guild a link needs.
      if (created?.guild_id && hasPager(this.comms(record))) await this.refs.set(record.id, threadLinkKey('discord'), `https://discord.com/channels/${created.guild_id}/${header}`);
    } catch (error) {
      // 160004: a thread already exists for this message (created before a crash) — use it.
      if (!(error instanceof Error && 'code' in error && Number((error as { code: unknown }).code) === 160004)) throw error;
    }
    await this.refs.set(record.id, threadKey, header);
    return header;
  }
}
