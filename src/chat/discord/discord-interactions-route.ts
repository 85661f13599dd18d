/** POST /discord/interactions: Ed25519-verified HTTP interactions (bad or missing signature: 401, nothing queued). */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../domain/ports';
import type { Route } from '../../inbound/route';
import type { Logger } from '../../observability/logger';
import type { DiscordInteractionHandler } from './discord-interaction-handler';
import { Interaction } from './discord-payloads';
import { isValidDiscordRequest } from './verify-interaction';

export function discordInteractionsRoute(handler: DiscordInteractionHandler, publicKey: KeyObject, clock: Clock, logger: Logger): Route {
  return {
    method: 'POST',
    path: '/discord/interactions',
    handler: async (request) => {
      const signature = request.headers['x-signature-ed25519'];
      const timestamp = request.headers['x-signature-timestamp'];
      if (!isValidDiscordRequest(publicKey, typeof signature === 'string' ? signature : undefined, typeof timestamp === 'string' ? timestamp : undefined, request.rawBody, clock.now())) {
        logger.warn('rejected a Discord interaction with a bad or missing signature');
        return { status: 401, body: { error: 'invalid request signature' } };
      }
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return { status: 400, body: { error: 'unreadable interaction body' } };
      }
      const parsed = Interaction.safeParse(body);
      if (!parsed.success) return { status: 400, body: { error: 'not an interaction Rewind can read' } };
      return { status: 200, body: await handler.handle(parsed.data) };
    },
  };
}
