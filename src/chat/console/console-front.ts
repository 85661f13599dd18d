/**
 * The local web console as a chat front (demo and tests): same neutral messages, same commands
 * queue as Slack and Discord. It has no authentication: enable it (REWIND_CONSOLE=1) only where
 * the page is reachable by people who may act as anyone.
 */
import type { RedisClient } from '../../redis/redis-client';
import type { ChatFront, ChatFrontDeps } from '../chat-front';
import { ConsoleEventLog } from './console-event-log';
import { ConsoleHub } from './console-hub';
import { ConsoleReplier } from './console-replier';
import { consoleRoutes, type Guide } from './console-routes';
import { ConsoleSink } from './console-sink';

export interface ConsoleFrontDeps extends ChatFrontDeps {
  redis: RedisClient;
  eventsKey: string;
  guide?: Guide | undefined;
}

export function createConsoleFront(deps: ConsoleFrontDeps): ChatFront {
  const log = new ConsoleEventLog(deps.redis, deps.eventsKey);
  const front: ChatFront = { platform: 'console', sink: new ConsoleSink(log, deps.refs, deps.clock), replier: new ConsoleReplier(log, deps.clock), routes: [], stop: async () => undefined };
  if (!deps.ingress) return front;
  // Blocking reads need a connection of their own.
  const reader = deps.redis.duplicate();
  reader.on('error', (error: Error) => deps.logger.warn({ err: error }, 'console stream connection error'));
  const hub = new ConsoleHub(log, reader, deps.logger);
  front.routes = consoleRoutes(deps, hub, deps.guide);
  front.stop = async () => hub.stop();
  return front;
}
