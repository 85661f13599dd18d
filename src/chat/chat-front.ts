/** What a chat platform adds to a process: where messages go, how people are answered, and its HTTP routes. */
import type { GroupDirectory } from '../domain/approvers';
import type { ChatSink, Clock, IntegrationFactory, Replier, RollbackStore, ServiceCatalog } from '../domain/ports';
import type { CommandInput } from '../engine/commands';
import type { Route } from '../inbound/route';
import type { Logger } from '../observability/logger';
import type { ChatRefs } from '../domain/chat-refs';

/** What a platform's ingress needs to validate interactions and hand them to the queue. */
export interface ChatIngressDeps {
  catalog: ServiceCatalog;
  integrations: IntegrationFactory;
  enqueue: (command: CommandInput, dedupeId?: string) => Promise<void>;
  records: Pick<RollbackStore, 'get'>;
  logger: Logger;
}

/** What building a platform's front needs, for either role. */
export interface ChatFrontDeps extends ChatIngressDeps {
  ingress: boolean;
  refs: ChatRefs;
  clock: Clock;
}

export interface ChatFront {
  platform: 'slack' | 'discord' | 'console';
  sink: ChatSink;
  replier: Replier;
  /** Group membership for approver checks, where the platform has groups. */
  groups?: GroupDirectory;
  routes: Route[];
  stop(): Promise<void>;
}
