/**
 * Everything Discord for one process: for workers the sink and the replier; for ingress the HTTP
 * interactions route (scales out freely) or the gateway connection (one leader across replicas).
 */
import type { Leadership } from '../../domain/ports';
import type { ChatFront, ChatFrontDeps } from '../chat-front';
import { commsLookup } from '../../domain/comms-lookup';
import { DiscordInteractionHandler } from './discord-interaction-handler';
import { discordInteractionsRoute } from './discord-interactions-route';
import { DiscordReplier } from './discord-replier';
import { createDiscordRest } from './discord-rest';
import type { DiscordSettings } from './discord-settings';
import { DiscordSink } from './discord-sink';
import { discordPublicKey } from './verify-interaction';

export interface DiscordFrontDeps extends ChatFrontDeps {
  /** Who holds the gateway connection among the replicas (gateway mode only). */
  gatewayLeadership: Leadership;
}

export async function createDiscordFront(settings: DiscordSettings, deps: DiscordFrontDeps): Promise<ChatFront> {
  const rest = createDiscordRest(settings);
  const front: ChatFront = { platform: 'discord', sink: new DiscordSink(rest, deps.refs, deps.logger, commsLookup(deps.catalog)), replier: new DiscordReplier(rest, deps.refs), routes: [], stop: async () => undefined };
  if (!deps.ingress) return front;
  const handler = new DiscordInteractionHandler(deps);
  if (settings.mode === 'http') {
    front.routes.push(discordInteractionsRoute(handler, discordPublicKey(settings.publicKey!), deps.clock, deps.logger));
    return front;
  }
  // discord.js (about 45 MB) is loaded only in gateway mode.
  const { DiscordGateway } = require('./discord-gateway') as typeof import('./discord-gateway');
  const gateway = new DiscordGateway(settings, handler, rest, deps.gatewayLeadership, deps.logger);
  await gateway.start();
  front.stop = () => gateway.stop();
  return front;
}
