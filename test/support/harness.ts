/** Starts a real Rewind (real Redis, BullMQ, HTTP) in this process for one test file. */
import type { DiscordSettings } from '../../src/chat/discord/discord-settings';
import type { SlackSettings } from '../../src/chat/slack/slack-settings';
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { startTarget } from './bluegreen-target';
import { createRewind, type Rewind, type RewindRoles } from '../../src/app/create-rewind';
import { parseCatalog } from '../../src/config/load-catalog';
import type { Actor } from '../../src/domain/actor';
import type { Clock } from '../../src/domain/ports';
import type { RollbackRecord } from '../../src/domain/rollback-record';
import type { RollbackState } from '../../src/domain/rollback-state';
import type { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger';
import { SecretScrubber } from '../../src/observability/secret-scrubber';
import { QueueSettings } from '../../src/queue/queue-settings';
import { RecordingReplier } from '../fakes/recording-replier';
import { RecordingSink } from '../fakes/recording-sink';
import { testRedisUrl, uniquePrefix } from './redis';
import { waitFor } from './wait-for';

export interface Harness {
  rewind: Rewind;
  sink: RecordingSink;
  replier: RecordingReplier;
  prefix: string;
  logger: Logger;
  waitForState(id: string, states: RollbackState | RollbackState[], timeoutMs?: number): Promise<RollbackRecord>;
  close(): Promise<void>;
}

/** Short locks so a dead worker's job comes back within about a second in crash tests. */
export const FAST_QUEUE = { lockDurationMs: 1_000, stalledIntervalMs: 500, sweepIntervalMs: 1_000, shutdownTimeoutMs: 2_000 };

export async function startHarness(
  catalogYaml: string,
  options: {
    roles?: RewindRoles;
    env?: Record<string, string>;
    prefix?: string;
    http?: boolean;
    apiToken?: string;
    slack?: SlackSettings;
    discord?: DiscordSettings;
    console?: boolean;
    /** false: answers go to the chat platform instead of the recording replier. */
    recordReplies?: boolean;
    /** The engine's clock (default: the system's). */
    clock?: Clock;
    /** A Redis of the test's own (default: the shared test Redis). */
    redisUrl?: string;
    /** `redisUrl` is a node of a Redis Cluster. */
    redisCluster?: boolean;
    /** Where log lines go, and from which level (default: nowhere, unless REWIND_TEST_LOG_LEVEL says). */
    log?: { level: string; destination: Writable };
    /** Queue settings over FAST_QUEUE (e.g. a short drill check interval). */
    queue?: Partial<QueueSettings>;
  } = {},
): Promise<Harness> {
  const scrubber = new SecretScrubber();
  const loaded = parseCatalog(catalogYaml, options.env ?? {});
  scrubber.add(loaded.secrets);
  const logger = createLogger({ level: options.log?.level ?? process.env['REWIND_TEST_LOG_LEVEL'] ?? 'silent', scrubber, ...(options.log ? { destination: options.log.destination } : {}) });
  const sink = new RecordingSink();
  const replier = new RecordingReplier();
  const prefix = options.prefix ?? uniquePrefix();
  const rewind = await createRewind({
    roles: options.roles ?? { ingress: true, worker: true },
    loaded,
    redisUrl: options.redisUrl ?? testRedisUrl(),
    ...(options.redisCluster ? { redisCluster: true } : {}),
    queue: QueueSettings.parse({ prefix, ...FAST_QUEUE, ...options.queue }),
    logger,
    scrubber,
    sinks: [sink],
    ...(options.recordReplies === false ? {} : { replier }),
    ...(options.slack ? { slack: options.slack } : {}),
    ...(options.discord ? { discord: options.discord } : {}),
    ...(options.console ? { console: {} } : {}),
    ...(options.http ? { http: { port: 0, host: '127.0.0.1' } } : {}),
    ...(options.apiToken ? { apiToken: options.apiToken } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    rewind,
    sink,
    replier,
    prefix,
    logger,
    waitForState: (id, states, timeoutMs = 15_000) => {
      const wanted = Array.isArray(states) ? states : [states];
      return waitFor(
        async () => (await rewind.store.get(id))!,
        (r) => r !== undefined && wanted.includes(r.state),
        { timeoutMs, what: `rollback ${id} to reach ${wanted.join('|')}` },
      );
    },
    close: () => rewind.close(),
  };
}

export const ONCALL: Actor = { platform: 'slack', id: 'U0ONCALL', name: 'oncall' };
export const LEAD: Actor = { platform: 'slack', id: 'U0LEAD', name: 'lead' };
export const SECOND_LEAD: Actor = { platform: 'slack', id: 'U0LEAD2', name: 'lead2' };
export const STRANGER: Actor = { platform: 'slack', id: 'U0STRANGER', name: 'stranger' };

/** The runbooks' decision matrix with Slack approvers U0LEAD and U0LEAD2, as every test catalog starts. */
const TEST_DEFAULTS = `
defaults:
  approvals:
    critical: { required: 0 }
    high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2] }, timeout: 15m }
    medium: { required: 1, approvers: { slack: [U0LEAD] }, timeout: 1h }
    low: { refuse: "Low severity: fix it in the next release." }
  rto: { critical: 2m, high: 15m }`;

/** A catalog with one bluegreen service pointing at `baseUrl`; extra YAML is merged into the environment. */
export function bluegreenCatalog(baseUrl: string, environmentExtra = '', defaultsExtra = ''): string {
  return `${TEST_DEFAULTS}
${defaultsExtra}
services:
  checkout-api:
    environments:
      production:
        channels: { slack: C0INCIDENT }
        provider: { type: bluegreen, baseUrl: ${baseUrl}, timeout: 2s, retries: 1 }
        waitLive: { timeout: 20s, interval: 20ms }
${environmentExtra}
`;
}

/** A catalog with one service `web` whose environment is `environmentYaml` (a platform fake's provider and checks), same policy as above. */
export function platformCatalog(environmentYaml: string): string {
  return `${TEST_DEFAULTS}
services:
  web:
    environments:
      production:
        channels: { slack: C0INCIDENT }
${environmentYaml}
`;
}

/** A live blue/green service (green 2.4.1 live, blue 2.4.0 idle) and a Rewind pointed at it, fresh for each test. */
export function useBluegreenRewind(environmentExtra = ''): { target: BlueGreenService; h: Harness } {
  const context = {} as { target: BlueGreenService; h: Harness };
  beforeEach(async () => {
    context.target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    context.h = await startHarness(bluegreenCatalog(context.target.url, environmentExtra));
  });
  afterEach(async () => {
    await context.h.close();
    await context.target.close();
  });
  return context;
}
