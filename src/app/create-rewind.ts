/**
 * The composition root: the only place that names concrete classes. Builds the store, queues,
 * engine, workers and HTTP server for the roles this process plays.
 */
import type { Server } from 'node:http';
import type { Dispatcher } from 'undici';
import type { LoadedCatalog } from '../config/load-catalog';
import { LogReplier } from '../chat/log/log-replier';
import type { ChatRefs } from '../domain/chat-refs';
import { commsLookup, hasPager } from '../domain/comms-lookup';
import { LogSink } from '../chat/log/log-sink';
import { RoutingReplier } from '../chat/routing-replier';
import type { ChatFront } from '../chat/chat-front';
import { createConsoleFront } from '../chat/console/console-front';
import type { Guide } from '../chat/console/console-routes';
import type { DiscordSettings } from '../chat/discord/discord-settings';
import type { SlackSettings } from '../chat/slack/slack-settings';
import { NO_GROUPS, type GroupDirectory } from '../domain/approvers';
import { newRollbackId } from '../domain/ids';
import type { ChatSink, Clock, Every, Replier, RollbackStore } from '../domain/ports';
import type { CommandInput } from '../engine/commands';
import type { EngineDeps } from '../engine/engine-deps';
import { OutboxDrainer } from '../engine/outbox-drainer';
import { RollbackService } from '../engine/rollback-service';
import { closeServer, createHttpServer, listen } from '../http/http-server';
import { Router } from '../http/router';
import type { Route } from '../inbound/route';
import { apiRoutes } from '../http/routes/api-routes';
import { healthRoutes } from '../http/routes/health-routes';
import { metricsRoutes } from '../http/routes/metrics-routes';
import type { Logger } from '../observability/logger';
import { MeteredStore } from '../observability/metered-store';
import { Metrics, outboundObserver, roleName } from '../observability/metrics';
import { HttpClient } from '../outbound/http-client';
import { Opsgenie } from '../paging/opsgenie';
import { PagerDuty } from '../paging/pagerduty';
import { PagerSink } from '../paging/pager';
import { AbortChannel } from '../queue/abort-channel';
import { BullScheduler, RewindQueues } from '../queue/queues';
import type { QueueSettings } from '../queue/queue-settings';
import { createRedis } from '../redis/redis-connection';
import { startWorkers, type RunningWorkers } from '../queue/workers';
import { Keys } from '../store/keys';
import { LeaderElection } from '../store/leader-election';
import { RedisAutomationState } from '../store/redis-automation-state';
import { RedisChatRefs } from '../store/redis-chat-refs';
import { RedisDrillLedger } from '../store/redis-drill-ledger';
import { RedisNoticeStore } from '../store/redis-notice-store';
import { AutomationMonitor } from '../triggers/automation-monitor';
import { createVerifier } from '../verifiers/create-verifier';
import { emitSignal } from '../triggers/emit-signal';
import { monitorLease } from '../triggers/monitor-lease';
import { webhookRoutes } from '../triggers/webhook-routes';
import { MonitorStateStore } from '../triggers/monitor-state';
import { RedisOutboxLog } from '../store/redis-outbox-log';
import { RedisRollbackStore } from '../store/redis-rollback-store';
import type { SecretScrubber } from '../observability/secret-scrubber';
import { CatalogIntegrations } from './catalog-integrations';
import { systemClock, systemEvery } from './system-clock';

export interface RewindRoles {
  /** Serves HTTP: health, API, chat and webhook routes. */
  ingress: boolean;
  /** Runs the BullMQ workers. */
  worker: boolean;
}

export interface RewindOptions {
  roles: RewindRoles;
  loaded: LoadedCatalog;
  redisUrl: string;
  /** `redisUrl` is a node of a Redis Cluster. */
  redisCluster?: boolean;
  queue: QueueSettings;
  logger: Logger;
  scrubber: SecretScrubber;
  http?: { port: number; host: string };
  apiToken?: string | undefined;
  /** Chat destinations; defaults to the log. */
  sinks?: ChatSink[];
  replier?: Replier;
  groups?: GroupDirectory;
  clock?: Clock;
  /** Periodic work (leader renewal); tests may tick it by hand. */
  every?: Every;
  /** undici dispatcher for provider and verifier calls (tests may pass their own). */
  dispatcher?: Dispatcher;
  /** Extra routes from webhook adapters. */
  routes?: Route[];
  /** Slack front, when SLACK_BOT_TOKEN is set. */
  slack?: SlackSettings | undefined;
  /** Discord front, when DISCORD_TOKEN is set. */
  discord?: DiscordSettings | undefined;
  /** The local web console (REWIND_CONSOLE=1), with an optional guided tour (the demo). */
  console?: { guide?: Guide } | undefined;
}

export interface Rewind {
  service: RollbackService;
  queues: RewindQueues;
  /** The durable records, through the port (tests and the demo read them; nothing else of Redis shows). */
  store: RollbackStore;
  keys: Keys;
  url?: string;
  server?: Server;
  close(): Promise<void>;
}

/**
 * The pagers some environment of the catalog pages through, as outbox sinks after the chat ones (so a
 * page can link to the thread a chat sink just posted). None when no environment pages.
 */
function pagingSinks(catalog: LoadedCatalog['catalog'], http: HttpClient, refs: ChatRefs, clock: Clock, logger: Logger): ChatSink[] {
  const comms = commsLookup(catalog);
  const all = catalog.services().flatMap((service) => catalog.environments(service).map((environment) => comms({ service, environment })));
  if (!all.some(hasPager)) return [];
  const sinks: ChatSink[] = [];
  if (all.some((c) => c.paging.pagerduty)) sinks.push(new PagerSink(new PagerDuty(http, clock), refs, comms, logger));
  if (all.some((c) => c.paging.opsgenie)) sinks.push(new PagerSink(new Opsgenie(http, clock), refs, comms, logger));
  return sinks;
}

const loadSlackFront = () => require('../chat/slack/slack-front') as typeof import('../chat/slack/slack-front');
const loadDiscordFront = () => require('../chat/discord/discord-front') as typeof import('../chat/discord/discord-front');

export async function createRewind(options: RewindOptions): Promise<Rewind> {
  const { logger, queue: settings } = options;
  const clock = options.clock ?? systemClock;
  const every = options.every ?? systemEvery;
  const keys = new Keys(settings.prefix);
  const onRedisError = (error: Error) => logger.warn({ err: error }, 'redis connection error');
  const cluster = options.redisCluster ?? false;
  const redis = createRedis(options.redisUrl, 'main', onRedisError, { cluster });
  const subscriber = options.roles.worker ? createRedis(options.redisUrl, 'abort-sub', onRedisError, { cluster }) : undefined;

  const store = new RedisRollbackStore(redis, keys, options.scrubber, () => clock.now());
  const metrics = new Metrics({ role: roleName(options.roles) });
  const intake = options.roles.ingress ? createRedis(options.redisUrl, 'intake', onRedisError, { failFast: true, cluster }) : undefined;
  const queues = new RewindQueues(redis, settings, onRedisError, intake);
  const aborts = new AbortChannel(redis, subscriber, settings.prefix);
  const http = new HttpClient({ logger, clock, observer: outboundObserver(metrics), ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
  const integrations = new CatalogIntegrations(options.loaded.catalog, http, clock, options.loaded.envReferences);
  const frontDeps = {
    ingress: options.roles.ingress,
    catalog: options.loaded.catalog,
    integrations,
    enqueue: (command: CommandInput, dedupeId?: string) => queues.enqueueCommand(command, dedupeId),
    records: store,
    refs: new RedisChatRefs(redis, keys),
    clock,
    logger,
  };
  const fronts: ChatFront[] = [];
  // Each platform's SDK (Bolt about 30 MB, Discord's REST client about 23 MB) is loaded only where it is configured.
  if (options.slack) fronts.push(await loadSlackFront().createSlackFront(options.slack, frontDeps));
  if (options.discord) {
    // A crashed leader's lease runs out after 15 s; another replica then connects.
    const gatewayLeadership = new LeaderElection({ redis, key: keys.leader('discord-gateway'), ttlMs: 15_000, renewMs: 5_000, logger, every });
    fronts.push(await loadDiscordFront().createDiscordFront(options.discord, { ...frontDeps, gatewayLeadership }));
  }
  if (options.console) fronts.push(createConsoleFront({ ...frontDeps, redis, eventsKey: keys.consoleEvents(), guide: options.console.guide }));
  const automation = new RedisAutomationState(redis, keys);
  const notices = new RedisNoticeStore(redis, keys, options.scrubber, () => clock.now());
  const outboxLog = new RedisOutboxLog(redis, keys);
  const deps: EngineDeps = {
    store: new MeteredStore(store, metrics),
    catalog: options.loaded.catalog,
    integrations,
    scheduler: new BullScheduler(queues, aborts, clock, outboxLog),
    clock,
    groups: options.groups ?? fronts.find((f) => f.groups)?.groups ?? NO_GROUPS,
    newId: newRollbackId,
    logger,
    automation,
    notices,
    drills: new RedisDrillLedger(redis, keys),
  };
  const service = new RollbackService(deps);

  let workers: RunningWorkers | undefined;
  let monitor: AutomationMonitor | undefined;
  if (options.roles.worker) {
    const sinks = [...(options.sinks ?? [new LogSink(logger)]), ...fronts.map((f) => f.sink), ...pagingSinks(options.loaded.catalog, http, frontDeps.refs, clock, logger)];
    const conversations = { get: (id: string) => (RedisNoticeStore.isNoticeId(id) ? notices.get(id) : store.get(id)) };
    const drainer = new OutboxDrainer(conversations, outboxLog, sinks, logger, (sink, result) => metrics.chatDeliveries.inc({ platform: sink, result }));
    const replier = options.replier ?? new RoutingReplier(Object.fromEntries(fronts.map((f) => [f.platform, f.replier])), new LogReplier(logger));
    workers = await startWorkers({ connection: redis, settings, queues, service, drainer, replier, aborts, logger, metrics });
    monitor = new AutomationMonitor({
      catalog: options.loaded.catalog,
      check: (config) => createVerifier(config, { http, clock }),
      clock,
      state: new MonitorStateStore(redis, (s, e) => keys.monitorState(s, e)),
      emit: (signal) => emitSignal(signal, { automation, enqueue: (command, dedupeId) => queues.enqueueCommand(command, dedupeId) }),
      election: new LeaderElection({ redis, key: keys.leader('automation-monitor'), ...monitorLease(options.loaded.catalog), logger, every }),
      logger,
    });
    await monitor.start();
  }

  let server: Server | undefined;
  let url: string | undefined;
  if (options.http) {
    metrics.sampleQueuesWith(() => queues.sample(clock.now()));
    const router = new Router().add(
      ...metricsRoutes(metrics),
      ...healthRoutes([
        { name: 'catalog', check: async () => undefined },
        {
          name: 'redis',
          check: async () => {
            await Promise.race([redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('redis did not answer PING within 1 s')), 1_000).unref())]);
          },
        },
      ]),
    );
    if (options.roles.ingress) {
      const hooks = webhookRoutes({ catalog: options.loaded.catalog, hooks: options.loaded.config.hooks, automation, enqueue: frontDeps.enqueue, clock, logger });
      router.add(...apiRoutes(store, options.apiToken, () => clock.now()), ...hooks, ...fronts.flatMap((f) => f.routes), ...(options.routes ?? []));
    }
    server = createHttpServer(router, logger);
    url = await listen(server, options.http.port, options.http.host);
  }

  let closed = false;
  return {
    service,
    queues,
    store,
    keys,
    ...(url ? { url } : {}),
    ...(server ? { server } : {}),
    async close() {
      if (closed) return;
      closed = true;
      // Each stage is bounded: with Redis unreachable, BullMQ and ioredis would wait forever.
      const bounded = (work: Promise<unknown>, ms: number) =>
        Promise.race([work.catch((error: unknown) => logger.warn({ err: error }, 'error while closing')), new Promise((r) => setTimeout(r, ms).unref())]);
      if (server) await bounded(closeServer(server), settings.shutdownTimeoutMs);
      for (const front of fronts) await bounded(front.stop(), 2_000);
      if (monitor) await bounded(monitor.stop(), 2_000);
      if (workers) await workers.close();
      await bounded(queues.close(), 2_000);
      subscriber?.disconnect();
      intake?.disconnect();
      await bounded(redis.quit(), 1_000);
      redis.disconnect();
    },
  };
}
