/**
 * A small blue/green service speaking seed 004's API (status, rollback switch, health), with fault
 * injection and Prometheus metrics, so tests and the demo roll back something real over HTTP.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listen, readBody } from './demo-http';
import { performance } from 'node:perf_hooks';

export type Color = 'blue' | 'green';

/**
 * What `GET /deployment/status` answers: `seed` is only what seed 004 documents (`currentEnvironment`,
 * `currentVersion`, `deploymentHistory`); `full` adds `state` and a per-environment `environments` map.
 */
export const STATUS_SHAPES = ['full', 'seed'] as const;
export type StatusShape = (typeof STATUS_SHAPES)[number];

/** DEMO_STATUS_SHAPE's value; unset is `full`. */
export function parseStatusShape(value: string | undefined): StatusShape {
  if (value === undefined || value === '') return 'full';
  if ((STATUS_SHAPES as readonly string[]).includes(value)) return value as StatusShape;
  throw new Error(`DEMO_STATUS_SHAPE must be one of ${STATUS_SHAPES.join(', ')}, not "${value}"`);
}

export interface EnvironmentOptions {
  version: string;
  /** False makes /health answer 503 while this side is live. */
  healthy?: boolean;
  /** A broken release: unhealthy, and `/api/work` answers 500. */
  bad?: boolean;
  commit?: string;
}

export interface BlueGreenServiceOptions {
  blue: EnvironmentOptions;
  green: EnvironmentOptions;
  live: Color;
  /** How long a switch stays in state `switching`; 0 (default) makes switches instant. */
  switchDelayMs?: number;
  /**
   * An asynchronous platform: the switch answers `202 {"accepted": true}` at once and only begins
   * this long afterwards, so the status shows the old side until then. 0 (default) switches first.
   */
  acceptDelayMs?: number;
  /** `full` by default. */
  statusShape?: StatusShape;
  /** A service that ignores `Idempotency-Key`, as seed 004 documents none: every POST switches. */
  ignoreIdempotencyKey?: boolean;
  /** A slow status endpoint: every `GET /deployment/status` answers this late (the status as it is when answered). */
  statusDelayMs?: number;
  /**
   * False leaves the idle side's deploy out of the history, as on a service's first blue/green
   * deploy: in the `seed` shape nobody can then tell what the idle side runs.
   */
  idleInHistory?: boolean;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RollbackFault {
  /** The HTTP status to answer with. */
  status: number;
  /** How many POSTs answer this way; 1 by default. */
  count?: number;
  /** Switch first, then answer with the error: the call took effect but the caller cannot tell. */
  afterSwitch?: boolean;
  /** Hold the answer this long (to outlast a client's timeout). */
  delayMs?: number;
  /** Switch this long after the request, whatever the answer says: a late effect the caller cannot see coming. */
  switchAfterMs?: number;
}

export interface HistoryEntry {
  version: string;
  environment: Color;
  deployedAt: string;
  action: 'deploy' | 'rollback';
  status: 'succeeded' | 'switching';
  commit?: string;
}

interface Environment {
  version: string;
  deployedAt: string;
  healthy: boolean;
  bad: boolean;
  commit: string;
}

interface ActiveFault {
  status: number;
  count: number;
  afterSwitch: boolean;
  delayMs?: number;
  switchAfterMs?: number;
}

interface Answer {
  status: number;
  body: unknown;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** When it arrived (ms), so tests can line probes up with what they caused. */
  at: number;
  authorization?: string;
  idempotencyKey?: string;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const MAX_REMEMBERED_REQUESTS = 1_000;

function other(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

/** A stable fake commit per version, so previews have something to show. */
function commitFor(version: string): string {
  return createHash('sha1').update(`release ${version}`).digest('hex').slice(0, 7);
}

export class BlueGreenService {
  /** POST /deployment/rollback requests received, replays and refusals included. */
  rollbackRequests = 0;
  /** Traffic switches actually made by rollbacks. */
  switches = 0;
  /** The last Authorization header any request carried. */
  lastAuthorization: string | undefined;
  /** The most recent requests (up to 1,000), oldest first. */
  readonly requests: ReceivedRequest[] = [];

  private readonly environments: Record<Color, Environment>;
  private live: Color;
  private state: 'stable' | 'switching' = 'stable';
  private readonly history: HistoryEntry[] = [];
  private readonly answersByKey = new Map<string, Answer>();
  private readonly ignoreIdempotencyKey: boolean;
  private readonly statusDelayMs: number;
  private readonly faults: ActiveFault[] = [];
  private readonly switchDelayMs: number;
  private readonly acceptDelayMs: number;
  private readonly statusShape: StatusShape;
  private held = false;
  private pendingSwitch: (() => void) | undefined;
  private switchTimer: NodeJS.Timeout | undefined;
  /** Answers held back by a fault's `delayMs`; cleared on close so nothing outlives the service. */
  private readonly delayTimers = new Set<NodeJS.Timeout>();
  private readonly codeCounts = new Map<number, number>();
  private readonly latencyCounts = LATENCY_BUCKETS.map(() => 0);
  private latencySum = 0;
  private latencyCount = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: BlueGreenServiceOptions,
  ) {
    const now = Date.now();
    const env = (o: EnvironmentOptions, ageMs: number): Environment => ({
      version: o.version,
      deployedAt: new Date(now - ageMs).toISOString(),
      healthy: (o.healthy ?? true) && !o.bad,
      bad: o.bad ?? false,
      commit: o.commit ?? commitFor(o.version),
    });
    this.live = options.live;
    const idle = other(options.live);
    this.environments = {
      [idle]: env(options[idle], 86_400_000),
      [options.live]: env(options[options.live], 3_600_000),
    } as Record<Color, Environment>;
    for (const color of options.idleInHistory === false ? [options.live] : [idle, options.live]) {
      const e = this.environments[color];
      this.history.push({ version: e.version, environment: color, deployedAt: e.deployedAt, action: 'deploy', status: 'succeeded', commit: e.commit });
    }
    this.switchDelayMs = options.switchDelayMs ?? 0;
    this.acceptDelayMs = options.acceptDelayMs ?? 0;
    this.ignoreIdempotencyKey = options.ignoreIdempotencyKey ?? false;
    this.statusDelayMs = options.statusDelayMs ?? 0;
    this.statusShape = options.statusShape ?? 'full';
  }

  static async start(options: BlueGreenServiceOptions): Promise<BlueGreenService> {
    const { server, url } = await listen(options);
    const service = new BlueGreenService(server, url, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void service.handle(req, res));
    return service;
  }

  async close(): Promise<void> {
    if (this.switchTimer) clearTimeout(this.switchTimer);
    for (const timer of this.delayTimers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- programmatic controls (also under POST /control/...) ----

  /** Deploys `version` to the idle side and sends traffic to it, as a CD pipeline would. */
  deploy(version: string, options: { bad?: boolean; commit?: string } = {}): void {
    if (this.state === 'switching') throw new Error('a switch is in progress; release it before deploying');
    const target = other(this.live);
    const commit = options.commit ?? commitFor(version);
    const deployedAt = new Date().toISOString();
    this.environments[target] = { version, deployedAt, healthy: !options.bad, bad: options.bad ?? false, commit };
    this.live = target;
    this.history.push({ version, environment: target, deployedAt, action: 'deploy', status: 'succeeded', commit });
  }

  setHealthy(environment: Color, healthy: boolean): void {
    this.environments[environment].healthy = healthy;
  }

  /** Switches stay in `switching` until `releaseSwitches()`. */
  holdSwitches(): void {
    this.held = true;
  }

  releaseSwitches(): void {
    this.held = false;
    const finish = this.pendingSwitch;
    this.pendingSwitch = undefined;
    finish?.();
  }

  failNextRollbacks(fault: RollbackFault): void {
    const { delayMs, switchAfterMs } = fault;
    this.faults.push({ status: fault.status, count: fault.count ?? 1, afterSwitch: fault.afterSwitch ?? false, ...(delayMs !== undefined ? { delayMs } : {}), ...(switchAfterMs !== undefined ? { switchAfterMs } : {}) });
  }

  /** The same document `GET /deployment/status` answers. */
  status(): Record<string, unknown> {
    const seed = {
      currentEnvironment: this.live,
      currentVersion: this.environments[this.live].version,
      deploymentHistory: this.history.map((h) => ({ ...h })),
    };
    if (this.statusShape === 'seed') return seed;
    const describe = (color: Color) => {
      const e = this.environments[color];
      return { version: e.version, deployedAt: e.deployedAt, health: e.healthy ? 'healthy' : 'unhealthy' };
    };
    return { ...seed, state: this.state, environments: { blue: describe('blue'), green: describe('green') } };
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const authorization = req.headers.authorization;
    const idempotencyKey = header(req, 'idempotency-key');
    if (authorization) this.lastAuthorization = authorization;
    this.requests.push({ method, path, at: Date.now(), ...(authorization ? { authorization } : {}), ...(idempotencyKey ? { idempotencyKey } : {}) });
    // The demo runs for hours under polling; keep only recent requests.
    if (this.requests.length > MAX_REMEMBERED_REQUESTS) this.requests.splice(0, this.requests.length - MAX_REMEMBERED_REQUESTS);
    const counted = path !== '/metrics' && !path.startsWith('/control/');
    res.on('finish', () => {
      if (counted) this.observe(res.statusCode, (performance.now() - started) / 1_000);
    });
    try {
      const body = method === 'POST' ? await readBody(req) : '';
      await this.route(method, path, body, idempotencyKey, res);
    } catch (error) {
      if (!res.headersSent) send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async route(method: string, path: string, body: string, idempotencyKey: string | undefined, res: ServerResponse): Promise<void> {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /deployment/status':
        if (this.statusDelayMs > 0) return this.later(this.statusDelayMs, () => send(res, 200, this.status()));
        return send(res, 200, this.status());
      case 'POST /deployment/rollback':
        return this.rollback(idempotencyKey, res);
      case 'GET /health': {
        const e = this.environments[this.live];
        return send(res, e.healthy ? 200 : 503, { health: e.healthy ? 'healthy' : 'unhealthy', environment: this.live, version: e.version });
      }
      case 'GET /api/work':
      case 'POST /api/work': {
        const e = this.environments[this.live];
        if (e.bad) return send(res, 500, { error: `release ${e.version} is broken`, environment: this.live, version: e.version });
        return send(res, 200, { ok: true, environment: this.live, version: e.version });
      }
      case 'GET /metrics':
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(this.metrics());
        return;
      case 'POST /control/deploy': {
        const input = parseJson(body) as { version?: unknown; bad?: unknown };
        if (typeof input.version !== 'string' || !input.version) throw new Error('expected {"version": "…", "bad"?: true}');
        this.deploy(input.version, { bad: input.bad === true });
        return send(res, 200, this.status());
      }
      case 'POST /control/healthy': {
        const input = parseJson(body) as { environment?: unknown; healthy?: unknown };
        if ((input.environment !== 'blue' && input.environment !== 'green') || typeof input.healthy !== 'boolean') {
          throw new Error('expected {"environment": "blue"|"green", "healthy": true|false}');
        }
        this.setHealthy(input.environment, input.healthy);
        return send(res, 200, this.status());
      }
      case 'POST /control/hold-switches':
        this.holdSwitches();
        return send(res, 200, { held: true });
      case 'POST /control/release-switches':
        this.releaseSwitches();
        return send(res, 200, { held: false });
      case 'POST /control/fail-rollbacks': {
        const input = parseJson(body) as { status?: unknown; count?: unknown; afterSwitch?: unknown };
        if (typeof input.status !== 'number') throw new Error('expected {"status": 500, "count"?: 1, "afterSwitch"?: false}');
        this.failNextRollbacks({ status: input.status, ...(typeof input.count === 'number' ? { count: input.count } : {}), afterSwitch: input.afterSwitch === true });
        return send(res, 200, { ok: true });
      }
      case 'GET /control/counters':
        return send(res, 200, { rollbackRequests: this.rollbackRequests, switches: this.switches });
      default:
        return send(res, 404, { error: `no route ${route}` });
    }
  }

  private async rollback(key: string | undefined, res: ServerResponse): Promise<void> {
    this.rollbackRequests++;
    const idempotencyKey = this.ignoreIdempotencyKey ? undefined : key;
    const replay = idempotencyKey ? this.answersByKey.get(idempotencyKey) : undefined;
    if (replay) return send(res, replay.status, replay.body);

    const fault = this.faults[0];
    if (fault) {
      fault.count--;
      if (fault.count <= 0) this.faults.shift();
      if (fault.afterSwitch && this.state === 'stable') {
        // The switch happened, so a retry with the same key must learn that, not switch again.
        const answer = this.switchTraffic();
        if (idempotencyKey) this.answersByKey.set(idempotencyKey, answer);
      }
      if (fault.switchAfterMs !== undefined) this.later(fault.switchAfterMs, () => void this.switchTraffic());
      if (fault.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.delayTimers.delete(timer);
            resolve();
          }, fault.delayMs);
          this.delayTimers.add(timer);
        });
      }
      return send(res, fault.status, { success: false, error: `injected failure (${fault.status})` });
    }

    if (this.state === 'switching') return send(res, 409, { success: false, error: 'a switch is already in progress' });
    if (this.acceptDelayMs > 0) return this.acceptLater(idempotencyKey, res);
    const answer = this.switchTraffic();
    if (idempotencyKey) this.answersByKey.set(idempotencyKey, answer);
    return send(res, answer.status, answer.body);
  }

  private acceptLater(idempotencyKey: string | undefined, res: ServerResponse): void {
    const answer: Answer = { status: 202, body: { accepted: true } };
    if (idempotencyKey) this.answersByKey.set(idempotencyKey, answer);
    this.later(this.acceptDelayMs, () => void this.switchTraffic());
    send(res, answer.status, answer.body);
  }

  /** Runs `work` after `ms`; cleared on close so nothing outlives the service. */
  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.delayTimers.delete(timer);
      work();
    }, ms);
    this.delayTimers.add(timer);
  }

  /**
   * Points traffic at the idle side. The live environment and version change at once and `state`
   * stays `switching` until the new side serves, so anyone re-reading sees the switch has begun.
   */
  private switchTraffic(): Answer {
    const previous = this.live;
    const target = other(previous);
    const env = this.environments[target];
    this.live = target;
    this.state = 'switching';
    this.switches++;
    const entry: HistoryEntry = { version: env.version, environment: target, deployedAt: new Date().toISOString(), action: 'rollback', status: 'switching', commit: env.commit };
    this.history.push(entry);
    const finish = () => {
      this.switchTimer = undefined;
      this.state = 'stable';
      entry.status = 'succeeded';
    };
    if (this.held) this.pendingSwitch = finish;
    else if (this.switchDelayMs > 0) this.switchTimer = setTimeout(() => (this.held ? (this.pendingSwitch = finish) : finish()), this.switchDelayMs);
    else finish();
    return {
      status: 200,
      body: { success: true, previousEnvironment: previous, currentEnvironment: target, currentVersion: env.version, state: this.state },
    };
  }

  private observe(code: number, seconds: number): void {
    this.codeCounts.set(code, (this.codeCounts.get(code) ?? 0) + 1);
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.latencyCounts[i]!++;
    });
    this.latencySum += seconds;
    this.latencyCount++;
  }

  private metrics(): string {
    const lines = ['# HELP http_requests_total Requests served, by status code.', '# TYPE http_requests_total counter'];
    for (const [code, count] of [...this.codeCounts].sort(([a], [b]) => a - b)) lines.push(`http_requests_total{code="${code}"} ${count}`);
    lines.push('# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram');
    LATENCY_BUCKETS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${this.latencyCounts[i]}`));
    lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`http_request_duration_seconds_sum ${this.latencySum}`, `http_request_duration_seconds_count ${this.latencyCount}`);
    const live = this.environments[this.live];
    lines.push('# HELP app_version_info The release serving traffic.', '# TYPE app_version_info gauge');
    lines.push(`app_version_info{version="${live.version}",environment="${this.live}"} 1`);
    return lines.join('\n') + '\n';
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseJson(body: string): unknown {
  try {
    return body ? (JSON.parse(body) as unknown) : {};
  } catch {
    throw new Error('the body is not JSON');
  }
}
