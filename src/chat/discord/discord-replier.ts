/**
 * Private answers on Discord through the interaction's webhook (valid 15 minutes): the deferred
 * "thinking…" message is edited into the answer, other answers are ephemeral follow-ups.
 */
import type { REST } from '@discordjs/rest';
import { MessageFlags, Routes } from 'discord-api-types/v10';
import type { Message } from '../../domain/message';
import type { Replier, ReplyTarget } from '../../domain/ports';
import { renderDiscordMessage } from './embed-renderer';
import { toRetryableDiscord } from './discord-errors';

export interface DiscordReplyData {
  applicationId: string;
  token: string;
  /** The interaction was answered with a deferral; its original message becomes the answer. */
  deferred?: boolean;
}

export class DiscordReplier implements Replier {
  constructor(private readonly rest: Pick<REST, 'post' | 'patch'>) {}

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
}
