/**
 * Posts a rollback's events to its Slack incident channels: the header once (then edited in place
 * with chat.update), thread replies under it, a later post with the same key edits the earlier
 * one (a step's start becomes its result), and the summary is broadcast to the channel.
 *
 * Each message is posted at most once, although Slack has no idempotency key: a post that timed
 * out may have landed, and so may one whose process died before recording its ts. So every post
 * carries message metadata naming the rollback and the message, and an attempt mark is recorded
 * in ChatRefs right before postMessage. A later try that finds the mark instead of a ts first
 * looks for the message (the header in the channel's history, a reply in the thread) and adopts
 * it; only when it is not there is it posted again. A failed look-up is retried later like any
 * other call — never answered by posting blindly.
 *
 * Two more destinations come from the environment's catalog settings: `announce` events go to the
 * stakeholder channels (the same post-once-then-edit, no thread), and an event that addresses the
 * on-call carries the configured mention. While a pager is configured, the header's permalink is
 * kept for it (one auth.test per process for the workspace's address).
 */
import type { WebClient } from '@slack/web-api';
import type { OutboundEvent } from '../../domain/outbound-event';
import type { ChatSink, Clock, Conversation } from '../../domain/ports';
import { RetryLaterError } from '../../domain/errors';
import type { Logger } from '../../observability/logger';
import type { ChatRefs } from '../../domain/chat-refs';
import { hasPager, noComms, threadLinkKey, type CommsLookup } from '../../domain/comms-lookup';
import { deliverPerChannel } from '../deliver-per-channel';
import { renderMessage, slackMention } from './block-kit';
import { isPermanentSlackError, toRetryable } from './slack-errors';

type SlackClient = Pick<WebClient, 'chat' | 'conversations' | 'auth'>;

/** The metadata event type on every message Rewind posts; its payload names the rollback and the message. */
export const MESSAGE_EVENT_TYPE = 'rewind_message';
/** A ref value that is not a ts yet: a post was sent (or was about to be) at this epoch-ms time, outcome unknown. */
const ATTEMPT_PREFIX = 'attempt:';
/** How far before the attempt the history is searched: Slack stamps `ts` with its own clock, not ours. */
const LOOKBACK_MS = 2 * 60_000;
/** Slack recommends pages of at most 200 messages for conversations.history and conversations.replies. */
const PAGE_SIZE = 200;
/**
 * Look-up refusals no retry can fix: the app was not reinstalled with the history scopes, or it posts
 * to a channel it is not a member of (chat:write.public) and so may not read it. Holding the thread
 * back for good would lose every later message; posting again risks one duplicate, so that is done,
 * with a warning.
 */
const CANNOT_LOOK = new Set(['missing_scope', 'not_in_channel']);

export interface MessagePayload {
  rollback: string;
  key: string;
}

/** The metadata that makes a post findable again. */
export function messageMetadata(rollbackId: string, key: string): { event_type: string; event_payload: { rollback: string; key: string } } {
  return { event_type: MESSAGE_EVENT_TYPE, event_payload: { rollback: rollbackId, key } };
}

/** Whether a message as returned by conversations.history/replies (with include_all_metadata) is this one. */
export function carriesMetadata(message: { metadata?: { event_type?: string; event_payload?: unknown } }, rollbackId: string, key: string): boolean {
  const payload = message.metadata?.event_payload as Partial<MessagePayload> | undefined;
  return message.metadata?.event_type === MESSAGE_EVENT_TYPE && payload?.rollback === rollbackId && payload.key === key;
}

/** When the first attempt was made; 0 (search the whole history) if the mark cannot be read. */
function attemptTime(ref: string | undefined): number | undefined {
  if (!ref?.startsWith(ATTEMPT_PREFIX)) return undefined;
  const at = Number(ref.slice(ATTEMPT_PREFIX.length));
  return Number.isFinite(at) ? at : 0;
}

/** The ts a ref holds, or undefined while it is only an attempt mark (or unset). */
function postedTs(ref: string | undefined): string | undefined {
  return ref === undefined || ref.startsWith(ATTEMPT_PREFIX) ? undefined : ref;
}

/** The permalink of a message, from the workspace's address (auth.test's `url`) and the message's ts. */
export function slackPermalink(workspaceUrl: string, channel: string, ts: string): string {
  return `${workspaceUrl.replace(/\/?$/, '/')}archives/${channel}/p${ts.replace('.', '')}`;
}

const POST_OPTIONS = { unfurl_links: false, unfurl_media: false } as const;

export class SlackSink implements ChatSink {
  readonly name = 'slack';
  /** Posts are found again by their refs (and, after a lost answer, by metadata or nonce). */
  readonly replaySafe = true;
  private workspaceUrl: Promise<string | undefined> | undefined;

  constructor(
    private readonly client: SlackClient,
    private readonly refs: ChatRefs,
    private readonly logger: Logger,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly comms: CommsLookup = noComms,
  ) {}

  handles(record: Conversation): boolean {
    return record.channels.slack.length > 0 || this.comms(record).announce.slack.length > 0;
  }

  deliver(event: OutboundEvent, record: Conversation): Promise<void> {
    const announce = event.kind === 'announce';
    const channels = announce ? this.comms(record).announce.slack : record.channels.slack;
    const deliver = (channel: string) => (announce ? this.announce(channel, event, record) : this.deliverTo(channel, event, record));
    return deliverPerChannel(channels, deliver, { isPermanent: isPermanentSlackError, toRetryable }, {
      logger: this.logger,
      platform: 'slack',
      rollbackId: record.id,
      seq: event.seq,
    });
  }

  /** A stakeholder message: posted once, then edited; never a thread, never a mention. */
  private async announce(channel: string, event: OutboundEvent, record: Conversation): Promise<void> {
    const { text, blocks } = renderMessage(event.message);
    await this.postOnce(record, channel, event.supersedes ?? `seq:${event.seq}`, {
      post: (metadata) => this.client.chat.postMessage({ channel, text, blocks, metadata, ...POST_OPTIONS }),
      edit: (ts) => this.client.chat.update({ channel, ts, text, blocks }),
    });
  }

  /** The on-call's mention when the event addresses them and the environment names one. */
  private mentionFor(event: OutboundEvent, record: Conversation): string | undefined {
    const oncall = event.mention ? this.comms(record).mention.slack : undefined;
    return oncall ? slackMention(oncall) : undefined;
  }

  private async deliverTo(channel: string, event: OutboundEvent, record: Conversation): Promise<void> {
    const mention = this.mentionFor(event, record);
    const { text, blocks } = renderMessage(event.message, mention ? { mention } : {});
    const options = POST_OPTIONS;
    if (event.kind === 'header') {
      const ts = await this.postOnce(record, channel, 'header', {
        post: (metadata) => this.client.chat.postMessage({ channel, text, blocks, metadata, ...options }),
        edit: (ts) => this.client.chat.update({ channel, ts, text, blocks }),
      });
      if (hasPager(this.comms(record))) await this.keepLink(record, channel, ts);
      return;
    }

    const parent = postedTs(await this.refs.get(record.id, `slack:${channel}:header`));
    // The header always precedes its thread in the outbox; without it, wait for it rather than post loose.
    if (!parent) throw new RetryLaterError(`no Slack header yet for ${record.id} in ${channel}`, 500);
    const key = event.supersedes ? `key:${event.supersedes}` : `seq:${event.seq}`;
    await this.postOnce(record, channel, key, {
      thread: parent,
      post: (metadata) => this.client.chat.postMessage({ channel, thread_ts: parent, text, blocks, metadata, reply_broadcast: event.broadcast, ...options }),
      // A keyed post is edited by later versions; a plain one, once there, is left alone.
      ...(event.supersedes ? { edit: (ts: string) => this.client.chat.update({ channel, ts, text, blocks }) } : {}),
    });
  }

  /** Keeps the header's permalink for pagers, once per rollback (the first channel that has one). */
  private async keepLink(record: Conversation, channel: string, ts: string): Promise<void> {
    const key = threadLinkKey('slack');
    if ((await this.refs.get(record.id, key)) !== undefined) return;
    const base = await this.workspace();
    if (base) await this.refs.set(record.id, key, slackPermalink(base, channel, ts));
  }

  /** The workspace's address, asked once per process; a failed ask is tried again next time and costs no delivery. */
  private workspace(): Promise<string | undefined> {
    this.workspaceUrl ??= this.client.auth.test().then(
      (answer) => answer.url,
      (error: unknown) => {
        this.workspaceUrl = undefined;
        this.logger.warn({ err: error }, 'Slack auth.test failed; pages go without a link to the thread for now');
        return undefined;
      },
    );
    return this.workspaceUrl;
  }

  /**
   * Delivers the message under `key` (its ref is `slack:<channel>:<key>`): edited when already
   * posted, adopted when an earlier attempt turns out to have landed, posted otherwise. Returns its ts.
   */
  private async postOnce(
    record: Conversation,
    channel: string,
    key: string,
    how: {
      /** The parent's ts for a thread reply; a header is looked for in the channel's history. */
      thread?: string;
      post(metadata: ReturnType<typeof messageMetadata>): Promise<{ ts?: string }>;
      edit?(ts: string): Promise<unknown>;
    },
  ): Promise<string> {
    const refKey = `slack:${channel}:${key}`;
    const ref = await this.refs.get(record.id, refKey);
    const known = postedTs(ref);
    if (known) {
      await how.edit?.(known);
      return known;
    }
    const attemptedAt = attemptTime(ref);
    if (attemptedAt !== undefined) {
      const found = await this.findEarlierPost(record.id, channel, key, attemptedAt, how.thread);
      if (found) {
        await this.refs.set(record.id, refKey, found);
        // The attempt that landed may have carried an older version of a keyed message.
        await how.edit?.(found);
        return found;
      }
    } else {
      // Kept from the first attempt on, so the look-up window covers every attempt since.
      await this.refs.set(record.id, refKey, `${ATTEMPT_PREFIX}${this.clock.now()}`);
    }
    const posted = await how.post(messageMetadata(record.id, key));
    await this.refs.set(record.id, refKey, posted.ts!);
    return posted.ts!;
  }

  /** The ts of the message an earlier attempt posted under `key`, if Slack has it. */
  private async findEarlierPost(rollbackId: string, channel: string, key: string, attemptedAt: number, thread: string | undefined): Promise<string | undefined> {
    const oldest = (Math.max(0, attemptedAt - LOOKBACK_MS) / 1000).toFixed(6);
    try {
      let cursor: string | undefined;
      do {
        const page = { channel, oldest, include_all_metadata: true, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
        const answer = thread ? await this.client.conversations.replies({ ...page, ts: thread }) : await this.client.conversations.history(page);
        const hit = answer.messages?.find((message) => carriesMetadata(message, rollbackId, key));
        if (hit?.ts) {
          this.logger.info({ rollbackId, channel, key }, 'an earlier Slack post had landed; adopted it instead of posting again');
          return hit.ts;
        }
        cursor = answer.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return undefined;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error ?? '';
      if (!CANNOT_LOOK.has(code)) throw error;
      this.logger.warn(
        { rollbackId, channel, key, slackError: code },
        'cannot check whether an earlier Slack post landed (add the bot to the channel, or reinstall the app for channels:history/groups:history); posting again, a duplicate is possible',
      );
      return undefined;
    }
  }
}
