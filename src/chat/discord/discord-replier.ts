/**
 * Private answers on Discord through the interaction's webhook (valid 15 minutes): the deferred
 * "thinking…" message is edited into the answer, other answers are ephemeral follow-ups. Files (a
 * post-mortem draft, a history export) are message attachments in the channel where the command
 * was typed, in the rollback's thread when it was typed in the incident channel or the thread.
 */
import { createHash } from 'node:crypto';
import { MessageFlags, Routes, type APIMessage } from 'discord-api-types/v10';
import { DiscordAPIError, type REST } from '@discordjs/rest';
import { FileRefusedError, mimeTypeOf, type ChatFile, type FileReplier, type PostedFile, type ThreadLink } from '../../domain/chat-file';
import type { Message } from '../../domain/message';
import type { Conversation, ReplyTarget } from '../../domain/ports';
import type { ChatRefs } from '../../domain/chat-refs';
import { messageWithFiles } from './discord-multipart';
import { renderDiscordMessage } from './embed-renderer';
import { isPermanentDiscordError, toRetryableDiscord } from './discord-errors';

export interface DiscordReplyData {
  applicationId: string;
  token: string;
  /** The interaction was answered with a deferral; its original message becomes the answer. */
  deferred?: boolean;
  /** Where the command was typed: files are posted there. */
  channelId?: string;
  guildId?: string;
}

const SNOWFLAKE = /^\d+$/;

/**
 * The same interaction posting the same file gives the same nonce: with `enforce_nonce`, a command
 * retried after a lost answer gets the first message back instead of a second copy.
 */
function fileNonce(token: string, name: string): string {
  return createHash('sha256').update(`${token}\n${name}`).digest('hex').slice(0, 25);
}

export class DiscordReplier implements FileReplier {
  constructor(
    private readonly rest: Pick<REST, 'post' | 'patch'>,
    /** Where the sink keeps each incident channel's thread for a rollback. */
    private readonly refs?: Pick<ChatRefs, 'get'>,
  ) {}

  async reply(target: ReplyTarget, message: Message): Promise<void> {
    const data = target.data as unknown as DiscordReplyData;
    const body = { ...renderDiscordMessage(message), flags: MessageFlags.Ephemeral };
    try {
      if (data.deferred) await this.rest.patch(Routes.webhookMessage(data.applicationId, data.token, '@original'), { body, auth: false });
      else await this.rest.post(Routes.webhook(data.applicationId, data.token), { body, auth: false });
    } catch (error) {
      throw toRetryableDiscord(error);
    }
  }

  async postFile(target: ReplyTarget, file: ChatFile, about?: Conversation): Promise<PostedFile | undefined> {
    const data = target.data as unknown as DiscordReplyData;
    const asked = data.channelId;
    if (!asked) return undefined;
    const thread = await this.threadFor(asked, about);
    const channel = thread ?? asked;
    const body = {
      content: file.comment,
      allowed_mentions: { parse: [] },
      attachments: [{ id: 0, filename: file.name, description: file.title }],
      nonce: fileNonce(data.token, file.name),
      enforce_nonce: true,
    };
    try {
      const form = messageWithFiles(body, [{ name: file.name, contentType: mimeTypeOf(file), data: Buffer.from(file.content, 'utf8') }]);
      const posted = (await this.rest.post(Routes.channelMessages(channel), { body: form.body, passThroughBody: true, headers: { 'Content-Type': form.contentType } })) as APIMessage;
      return { where: thread ? "the rollback's thread" : 'this channel', ...(data.guildId ? { link: `https://discord.com/channels/${data.guildId}/${channel}/${posted.id}` } : {}) };
    } catch (error) {
      if (isPermanentDiscordError(error)) throw new FileRefusedError(`Discord answered ${error instanceof DiscordAPIError ? `“${error.message}”` : 'with a refusal'} (Rewind needs Send Messages and Attach Files here)`);
      throw toRetryableDiscord(error);
    }
  }

  /** A thread is a channel: its link is the guild's and the thread's id, known from the interaction and the sink's refs. */
  async threadLinks(target: ReplyTarget, about: Conversation): Promise<ThreadLink[]> {
    const { guildId } = target.data as unknown as DiscordReplyData;
    const links: ThreadLink[] = [];
    for (const channel of about.channels.discord) {
      const ref = this.refs ? await this.refs.get(about.id, `discord:${channel}:thread`) : undefined;
      if (!ref || !SNOWFLAKE.test(ref)) continue;
      links.push({ platform: 'discord', channel, ...(guildId ? { url: `https://discord.com/channels/${guildId}/${ref}` } : {}) });
    }
    return links;
  }

  /** The rollback's thread when the command came from its incident channel or from the thread itself. */
  private async threadFor(asked: string, about: Conversation | undefined): Promise<string | undefined> {
    if (!about || !this.refs) return undefined;
    for (const incident of about.channels.discord) {
      const ref = await this.refs.get(about.id, `discord:${incident}:thread`);
      const thread = ref && SNOWFLAKE.test(ref) ? ref : undefined;
      if (asked === incident || asked === thread) return thread;
    }
    return undefined;
  }
}
