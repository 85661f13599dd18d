/**
 * A local fake of Fly.io for one app, following PROVIDERS.md §2: the Machines API (list, get, a
 * whole-config update under a lease, leases taken, viewed and given back with
 * `fly-machine-lease-nonce`, `{"error": …}` bodies) and the GraphQL releases query
 * (`releasesUnprocessed(first, after)` with `pageInfo`, `currentReleaseUnprocessed`, errors beside
 * `data` with status 200). Auth is `Bearer <token>`, or `FlyV1 <token>` for macaroons. An updated
 * machine goes replacing → starting → started (checks passing) one step per read of it, so callers
 * really wait. It also answers as the deployed app would (`GET /app/version`), for verification.
 */
import { randomBytes } from 'node:crypto';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

export interface FakeFlyRelease {
  id: string;
  version: number;
  description: string;
  reason: string;
  status: string;
  imageRef: string;
  stable: boolean;
  createdAt: string;
  user: { email: string };
}

export interface FakeMachineCheck {
  name: string;
  status: string;
  output: string;
  updated_at: string;
}

export interface FakeMachineEvent {
  type: string;
  status: string;
  source: string;
  timestamp: number;
  request?: { exit_event: { exit_code: number } };
}

export interface FakeMachineConfig {
  image: string;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

export interface FakeMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  config: FakeMachineConfig;
  checks: FakeMachineCheck[];
  /** Newest first, as Fly lists them. */
  events: FakeMachineEvent[];
  created_at: string;
  updated_at: string;
}

interface Lease {
  nonce: string;
  owner: string;
  description: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  version: string;
}

/** How an update ends: started with checks passing, a machine that fails, or one that starts with a critical check. */
export type FakeEnding = 'started' | 'failed' | 'critical';

/** What the next machine updates get instead of the normal answer. */
export type FlyUpdateFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean; textBody?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

/** What the next lease requests get: no answer, having taken the lease or not. */
export type FlyLeaseFault = { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

/**
 * How GraphQL says "unknown app" and "bad token": Fly's codes are not documented, so the fake can
 * answer with `extensions.code`, with the message only, or with HTTP status and a null app.
 */
export type GraphqlErrorStyle = 'with-codes' | 'message-only' | 'http-status';

export interface FlyFakeOptions {
  token: string;
  app: string;
  /** The time leases expire by and timestamps are written in; a test's fast clock, so waiting for a lease to expire is fast too. */
  now?: () => number;
  graphqlErrors?: GraphqlErrorStyle;
}

const DEFAULT_PAGE = 25;
const MAX_PAGE = 100;
const TOKEN_OWNER = 'rewind-bot@example.com';
const SIDE_GROUPS = new Set(['fly_app_release_command', 'fly_app_console', 'fly_app_test_machine_command']);

/** The documented rule: macaroons (`fm1r_`, `fm2_`) go as `FlyV1 <token>`, a token written `FlyV1 …` as it is, anything else as `Bearer`. */
export function flyAuthorizationFor(token: string): string {
  if (token.startsWith('FlyV1 ')) return token;
  return token.split(',').some((part) => /^(fm1r|fm2)_/.test(part.trim())) ? `FlyV1 ${token}` : `Bearer ${token}`;
}

function error(status: number, message: string, headers?: Record<string, string>): FakeAnswer {
  return { status, body: { error: message }, ...(headers ? { headers } : {}) };
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function cursor(index: number): string {
  return Buffer.from(String(index + 1)).toString('base64');
}

function fromCursor(value: unknown): number {
  const index = Number(Buffer.from(String(value), 'base64').toString('utf8'));
  return Number.isInteger(index) && index > 0 ? index : 0;
}

/** The arguments of one GraphQL field, `name: $var` or a literal, with variables resolved. */
function fieldArguments(text: string, variables: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(',')) {
    const match = /^\s*(\w+)\s*:\s*(.+?)\s*$/.exec(part);
    if (!match) continue;
    const raw = match[2]!;
    if (raw.startsWith('$')) out[match[1]!] = variables[raw.slice(1)];
    else if (/^-?\d+$/.test(raw)) out[match[1]!] = Number(raw);
    else if (raw === 'null') out[match[1]!] = null;
    else out[match[1]!] = raw.replace(/^"|"$/g, '');
  }
  return out;
}

export class FlyApiFake {
  readonly requests: { method: string; path: string; authorization?: string | undefined }[] = [];
  /** Newest first, as the API lists them. */
  readonly releases: FakeFlyRelease[] = [];
  readonly machines: FakeMachine[] = [];
  /** Every config sent to a machine update, whole, with its `skip_launch`. */
  readonly updates: { machineId: string; config: FakeMachineConfig; skipLaunch: unknown }[] = [];
  /** Machine-update POSTs per machine, answered or not. */
  readonly updateCalls = new Map<string, number>();
  /** Image changes actually applied per machine. */
  readonly imageChanges = new Map<string, number>();
  private readonly leases = new Map<string, Lease>();
  private readonly rollouts = new Map<string, { steps: string[]; ending: FakeEnding }>();
  private readonly updateFaults = new FailureQueue<FlyUpdateFault>();
  private readonly leaseFaults = new FailureQueue<FlyLeaseFault>();
  private nextEnding: FakeEnding | undefined;
  private brokenReads = 0;
  private fieldErrors = 0;
  private seededAt: number;
  private readonly now: () => number;
  private readonly style: GraphqlErrorStyle;

  private constructor(
    private readonly server: HttpFakeServer,
    private readonly token: string,
    readonly app: string,
    options: FlyFakeOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.style = options.graphqlErrors ?? 'with-codes';
    this.seededAt = this.now() - 3 * 86_400_000;
  }

  static async start(options: FlyFakeOptions): Promise<FlyApiFake> {
    const ref: { fake?: FlyApiFake } = {};
    const server = await HttpFakeServer.listen('fly fake', (request) => ref.fake!.handle(request));
    ref.fake = new FlyApiFake(server, options.token, options.app, options);
    return ref.fake;
  }

  /** The Machines API base. */
  get url(): string {
    return this.server.base;
  }

  get graphqlUrl(): string {
    return `${this.server.base}/graphql`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- seeding and switches ----

  /** A release as flyctl leaves one (newest first in the list); seeded ones are dated in the past, in order. */
  release(imageRef: string, options: { status?: string; description?: string; reason?: string; email?: string } = {}): FakeFlyRelease {
    this.seededAt += 60_000;
    const status = options.status ?? 'complete';
    const release: FakeFlyRelease = {
      id: `rel_${hex(8)}`,
      version: (this.releases[0]?.version ?? 0) + 1,
      description: options.description ?? 'Deploy image',
      reason: options.reason ?? 'deploy',
      status,
      imageRef,
      stable: status === 'complete',
      createdAt: new Date(this.seededAt).toISOString(),
      user: { email: options.email ?? 'dev@example.com' },
    };
    this.releases.unshift(release);
    return release;
  }

  /** A started machine: a Fly Launch one of a process group, or (`flyLaunch: false`) one started with `fly machine run`. */
  machine(options: { region: string; group?: string; flyLaunch?: boolean; image?: string }): FakeMachine {
    const group = options.group ?? 'app';
    const at = new Date(this.seededAt).toISOString();
    const flyLaunch = options.flyLaunch ?? true;
    const serves = flyLaunch && group === 'app';
    const machine: FakeMachine = {
      id: hex(7),
      name: `${['aged', 'bold', 'calm', 'dry'][this.machines.length % 4]}-${['wind', 'leaf', 'fire', 'snow'][this.machines.length % 4]}-${1000 + this.machines.length}`,
      state: 'started',
      region: options.region,
      instance_id: `01J${hex(6).toUpperCase()}`,
      config: {
        image: options.image ?? 'registry.fly.io/placeholder:latest',
        env: { APP_ENV: 'production', PRIMARY_REGION: 'ord', ...(flyLaunch ? { FLY_PROCESS_GROUP: group } : {}) },
        init: flyLaunch && group !== 'app' ? { cmd: [group] } : {},
        guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 512 },
        services: serves
          ? [{ protocol: 'tcp', internal_port: 8080, autostop: 'stop', autostart: true, min_machines_running: 1, ports: [{ port: 80, handlers: ['http'], force_https: true }, { port: 443, handlers: ['tls', 'http'] }] }]
          : [],
        ...(serves ? { checks: { health: { type: 'http', port: 8080, path: '/health', interval: '15s', timeout: '10s', grace_period: '5s' } } } : {}),
        restart: { policy: 'on-failure', max_retries: 10 },
        metadata: flyLaunch ? { fly_platform_version: 'v2', fly_process_group: group, fly_flyctl_version: '0.3.170' } : {},
      },
      checks: serves ? [{ name: 'health', status: 'passing', output: 'Success', updated_at: at }] : [],
      events: [{ type: 'start', status: 'started', source: 'flyd', timestamp: this.seededAt }],
      created_at: at,
      updated_at: at,
    };
    this.machines.push(machine);
    return machine;
  }

  /** Seeding: every Fly Launch machine runs the release, as `fly deploy` leaves them (counts nothing). */
  runEverywhere(release: FakeFlyRelease): void {
    for (const machine of this.machines.filter((m) => this.isFlyLaunch(m))) {
      machine.config = { ...machine.config, image: release.imageRef, metadata: { ...machine.config.metadata, fly_release_id: release.id, fly_release_version: String(release.version) } };
    }
  }

  /** For the next update of any machine, or of this one. */
  failUpdates(fault: FlyUpdateFault, machineId?: string): void {
    this.updateFaults.add(machineId ?? '*', fault);
  }

  failLeases(fault: FlyLeaseFault): void {
    this.leaseFaults.add('lease', fault);
  }

  /** The next updated machine ends `failed` (or started with a critical check) instead of coming up healthy. */
  failNextDeploy(ending: Exclude<FakeEnding, 'started'> = 'failed'): void {
    this.nextEnding = ending;
  }

  /** The next read of the release list answers with a node that is not Fly's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  /** The next GraphQL answer carries a field error beside its data, as GraphQL does when one field cannot be resolved. */
  fieldErrorOnNextRead(): void {
    this.fieldErrors++;
  }

  /** Someone else (an in-flight `fly deploy`) holds the machine's lease. */
  holdLease(machineId: string, options: { owner?: string; description?: string; ttlSeconds?: number } = {}): void {
    this.leases.set(machineId, {
      nonce: hex(6),
      owner: options.owner ?? 'dev@example.com',
      description: options.description ?? 'fly deploy',
      expiresAt: this.now() + (options.ttlSeconds ?? 300) * 1_000,
      version: `01J${hex(6).toUpperCase()}`,
    });
  }

  // ---- what tests check ----

  /** The most machine-update POSTs any one machine got. */
  maxUpdateCalls(): number {
    return Math.max(0, ...this.updateCalls.values());
  }

  /** The most image changes applied to any one machine. */
  maxImageChanges(): number {
    return Math.max(0, ...this.imageChanges.values());
  }

  leaseOf(machineId: string): { owner: string; description: string } | undefined {
    const lease = this.activeLease(machineId);
    return lease ? { owner: lease.owner, description: lease.description } : undefined;
  }

  /** `v<n>` of the release whose image most started Fly Launch machines serve, as the app reports it. */
  liveVersion(): string | undefined {
    const counts = new Map<string, number>();
    for (const m of this.machines.filter((m) => this.isFlyLaunch(m) && m.state === 'started')) counts.set(m.config.image, (counts.get(m.config.image) ?? 0) + 1);
    const image = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const release = this.releases.find((r) => r.imageRef === image && r.status === 'complete');
    return release ? `v${release.version}` : undefined;
  }

  /** What Fly calls the current release: the newest that completed. Raw machine updates do not change it. */
  currentRelease(): FakeFlyRelease | undefined {
    return this.releases.find((r) => r.status === 'complete');
  }

  // ---- the API ----

  private async handle(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url } = request;
    const path = url.pathname;
    this.requests.push({ method, path, authorization: request.headers.authorization });
    if (path === '/app/version') return { status: 200, body: { version: this.liveVersion() ?? null } };
    if (path === '/app/health') return { status: 200, body: { health: 'healthy' } };
    if (path === '/graphql') return method === 'POST' ? this.graphql(request) : error(405, 'method not allowed');
    if (!this.authorized(request)) return error(401, 'You must be authenticated to view this.');
    const match = /^\/v1\/apps\/([^/]+)\/machines(?:\/([^/]+))?(\/lease)?\/?$/.exec(path);
    if (!match) return error(404, `no route ${method} ${path}`);
    if (match[1] !== this.app) return error(404, `app not found: ${match[1]}`);
    const machineId = match[2];
    if (!machineId) return method === 'GET' ? this.list(url.searchParams) : error(405, 'method not allowed');
    const machine = this.machines.find((m) => m.id === machineId && m.state !== 'destroyed');
    if (!machine) return error(404, 'machine not found');
    if (match[3]) {
      if (method === 'POST') return this.takeLease(machine, request);
      if (method === 'GET') return this.viewLease(machine);
      if (method === 'DELETE') return this.giveBackLease(machine, request);
      return error(405, 'method not allowed');
    }
    if (method === 'GET') return { status: 200, body: this.view(this.advance(machine)) };
    if (method === 'POST') return this.update(machine, request);
    return error(405, 'method not allowed');
  }

  private authorized(request: FakeRequest): boolean {
    return request.headers.authorization === flyAuthorizationFor(this.token);
  }

  private list(query: URLSearchParams): FakeAnswer {
    const region = query.get('region');
    const shown = this.machines.filter((m) => (query.get('include_deleted') === 'true' || m.state !== 'destroyed') && (!region || m.region === region));
    return { status: 200, body: shown.map((m) => this.view(this.advance(m))) };
  }

  private update(machine: FakeMachine, request: FakeRequest): FakeAnswer | NoAnswer {
    this.updateCalls.set(machine.id, (this.updateCalls.get(machine.id) ?? 0) + 1);
    const lease = this.activeLease(machine.id);
    if (lease && request.headers['fly-machine-lease-nonce'] !== lease.nonce) {
      return error(412, 'machine is leased: the fly-machine-lease-nonce header does not match its lease');
    }
    const body = JSON.parse(request.body || '{}') as { config?: Partial<FakeMachineConfig>; skip_launch?: unknown };
    if (!body.config || typeof body.config.image !== 'string') return error(400, 'config.image is required: send the entire machine config');
    const config = body.config as FakeMachineConfig;
    const fault = this.updateFaults.take((key) => key === '*' || key === machine.id);
    if (fault) {
      if (fault.effect) this.apply(machine, config, body.skip_launch);
      if ('noAnswer' in fault) return { noAnswer: fault.noAnswer };
      const headers = fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
      if (fault.textBody) return { status: fault.status, body: `injected ${fault.status}`, ...(headers ? { headers } : {}) };
      return error(fault.status, fault.status === 429 ? 'rate limit exceeded' : `injected ${fault.status}`, headers);
    }
    this.apply(machine, config, body.skip_launch);
    return { status: 200, body: this.view(machine) };
  }

  /** Fly replaces the whole config with what it is sent, and replaces the machine's instance. */
  private apply(machine: FakeMachine, config: FakeMachineConfig, skipLaunch: unknown): void {
    this.updates.push({ machineId: machine.id, config: structuredClone(config), skipLaunch });
    if (config.image !== machine.config.image) this.imageChanges.set(machine.id, (this.imageChanges.get(machine.id) ?? 0) + 1);
    const now = this.now();
    machine.config = structuredClone(config);
    machine.instance_id = `01J${hex(6).toUpperCase()}`;
    machine.state = 'replacing';
    machine.updated_at = new Date(now).toISOString();
    machine.checks = machine.checks.map((c) => ({ ...c, status: 'warning', output: 'waiting for status update', updated_at: machine.updated_at }));
    machine.events.unshift({ type: 'update', status: 'replacing', source: 'user', timestamp: now });
    const ending = this.nextEnding ?? 'started';
    this.nextEnding = undefined;
    this.rollouts.set(machine.id, { steps: ['starting', ending === 'failed' ? 'failed' : 'started'], ending });
  }

  /** One step along replacing → starting → started (or the programmed ending) per read. */
  private advance(machine: FakeMachine): FakeMachine {
    const rollout = this.rollouts.get(machine.id);
    const next = rollout?.steps.shift();
    if (!rollout || !next) return machine;
    if (rollout.steps.length === 0) this.rollouts.delete(machine.id);
    const now = this.now();
    const at = new Date(now).toISOString();
    machine.state = next;
    machine.updated_at = at;
    if (next === 'starting') machine.events.unshift({ type: 'launch', status: 'created', source: 'flyd', timestamp: now });
    if (next === 'started') {
      machine.events.unshift({ type: 'start', status: 'started', source: 'flyd', timestamp: now });
      const critical = rollout.ending === 'critical';
      machine.checks = machine.checks.map((c) => ({ ...c, status: critical ? 'critical' : 'passing', output: critical ? 'Get "http://172.19.0.2:8080/health": dial tcp: connection refused' : 'Success', updated_at: at }));
    }
    if (next === 'failed') {
      machine.events.unshift({ type: 'exit', status: 'failed', source: 'flyd', timestamp: now, request: { exit_event: { exit_code: 1 } } });
      machine.checks = machine.checks.map((c) => ({ ...c, status: 'critical', output: 'machine is not running', updated_at: at }));
    }
    return machine;
  }

  private view(machine: FakeMachine): FakeMachine {
    return structuredClone(machine);
  }

  // ---- leases ----

  private activeLease(machineId: string): Lease | undefined {
    const lease = this.leases.get(machineId);
    if (lease && lease.expiresAt <= this.now()) this.leases.delete(machineId);
    return this.leases.get(machineId);
  }

  private takeLease(machine: FakeMachine, request: FakeRequest): FakeAnswer | NoAnswer {
    const input = JSON.parse(request.body || '{}') as { ttl?: unknown; description?: unknown };
    const held = this.activeLease(machine.id);
    if (held) return error(409, `lease currently held by ${held.owner}, expires at ${new Date(held.expiresAt).toISOString()}`);
    const fault = this.leaseFaults.take(() => true);
    const lease: Lease = {
      nonce: hex(6),
      owner: TOKEN_OWNER,
      description: typeof input.description === 'string' ? input.description : '',
      expiresAt: this.now() + (typeof input.ttl === 'number' && input.ttl > 0 ? input.ttl : 30) * 1_000,
      version: `01J${hex(6).toUpperCase()}`,
    };
    if (fault) {
      if (fault.effect) this.leases.set(machine.id, lease);
      return { noAnswer: fault.noAnswer };
    }
    this.leases.set(machine.id, lease);
    return { status: 200, body: { status: 'success', data: this.leaseBody(lease, true) } };
  }

  /** A view of the lease does not show its nonce (whether Fly's does is not confirmed; this is the harder case). */
  private viewLease(machine: FakeMachine): FakeAnswer {
    const lease = this.activeLease(machine.id);
    if (!lease) return error(404, 'lease not found');
    return { status: 200, body: { status: 'success', data: this.leaseBody(lease, false) } };
  }

  private giveBackLease(machine: FakeMachine, request: FakeRequest): FakeAnswer {
    const lease = this.activeLease(machine.id);
    if (!lease) return error(404, 'lease not found');
    if (request.headers['fly-machine-lease-nonce'] !== lease.nonce) return error(409, 'lease nonce does not match');
    this.leases.delete(machine.id);
    return { status: 200, body: { status: 'success' } };
  }

  private leaseBody(lease: Lease, withNonce: boolean): Record<string, unknown> {
    return {
      ...(withNonce ? { nonce: lease.nonce } : {}),
      expires_at: Math.floor(lease.expiresAt / 1_000),
      owner: lease.owner,
      description: lease.description,
      version: lease.version,
    };
  }

  private isFlyLaunch(machine: FakeMachine): boolean {
    return machine.config.metadata['fly_platform_version'] === 'v2' && !SIDE_GROUPS.has(machine.config.metadata['fly_process_group'] ?? '');
  }

  // ---- GraphQL ----

  private graphql(request: FakeRequest): FakeAnswer {
    let input: { query?: unknown; variables?: unknown };
    try {
      input = JSON.parse(request.body || '{}') as typeof input;
    } catch {
      return { status: 400, body: { errors: [{ message: 'Unexpected token in JSON' }] } };
    }
    if (!this.authorized(request)) return this.graphqlError('You must be authenticated to view this.', 'UNAUTHORIZED', 401, null);
    const query = typeof input.query === 'string' ? input.query : '';
    if (!query) return { status: 200, body: { errors: [{ message: 'No query string was present' }] } };
    const variables = input.variables && typeof input.variables === 'object' ? (input.variables as Record<string, unknown>) : {};
    const appArgs = /\bapp\s*\(([^)]*)\)/.exec(query);
    const appName = appArgs ? fieldArguments(appArgs[1]!, variables)['name'] : undefined;
    if (appName !== this.app) return this.graphqlError(`Could not find App "${String(appName)}"`, 'NOT_FOUND', 200, { app: null });
    const app: Record<string, unknown> = {};
    for (const field of query.matchAll(/(?:(\w+)\s*:\s*)?releasesUnprocessed\s*(?:\(([^)]*)\))?/g)) {
      app[field[1] ?? 'releasesUnprocessed'] = this.releasePage(fieldArguments(field[2] ?? '', variables));
    }
    for (const field of query.matchAll(/(?:(\w+)\s*:\s*)?currentReleaseUnprocessed\b/g)) app[field[1] ?? 'currentReleaseUnprocessed'] = this.currentRelease() ?? null;
    if (this.fieldErrors > 0) {
      this.fieldErrors--;
      const path = ['app', Object.keys(app)[0] ?? 'releases', 'nodes', 0, 'user'];
      return { status: 200, body: { data: { app }, errors: [{ message: 'Cannot return null for non-nullable field User.email', path }] } };
    }
    return { status: 200, body: { data: { app } } };
  }

  private graphqlError(message: string, code: string, status: number, data: unknown): FakeAnswer {
    if (this.style === 'http-status') return status === 200 ? { status, body: { data } } : { status, body: { errors: [{ message }] } };
    const extensions = this.style === 'with-codes' ? { extensions: { code } } : {};
    return { status: 200, body: { data, errors: [{ message, locations: [{ line: 1, column: 3 }], path: ['app'], ...extensions }] } };
  }

  private releasePage(args: Record<string, unknown>): unknown {
    if (this.brokenReads > 0) {
      this.brokenReads--;
      return { nodes: [{ id: 'rel_broken', version: 'forty-two', status: 'complete' }], pageInfo: { hasNextPage: false, endCursor: null } };
    }
    const asked = typeof args['first'] === 'number' ? args['first'] : DEFAULT_PAGE;
    const first = Math.min(Math.max(asked, 0), MAX_PAGE);
    const list = typeof args['status'] === 'string' ? this.releases.filter((r) => r.status === args['status']) : this.releases;
    const start = args['after'] ? fromCursor(args['after']) : 0;
    const nodes = list.slice(start, start + first);
    return {
      nodes: nodes.map((r) => ({ ...r, user: { ...r.user } })),
      pageInfo: { hasNextPage: start + nodes.length < list.length, endCursor: nodes.length ? cursor(start + nodes.length - 1) : null },
    };
  }
}
