/**
 * A local fake of the Argo CD API server for one Application, following PROVIDERS.md §5: Bearer (or
 * `argocd.token` cookie) auth, `GET /api/v1/applications/{name}` with history oldest first capped at
 * revisionHistoryLimit, `POST …/rollback {id, dryRun, prune}` refused while auto-sync is on, `PATCH`
 * with a merge patch given as a string, grpc-gateway error bodies `{error, code, message, details}`
 * (403 "permission denied" for an unknown app unless `project` is given, then 404). A rollback's
 * operation moves requested → Running → Succeeded (health Progressing) → Healthy one step per read
 * of the app, so callers really wait. It also answers `GET /app/version` as the deployed app would.
 */
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

type Json = Record<string, unknown>;

export interface ArgoHistoryRecord {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt: string;
  source: Json;
  initiatedBy: { username?: string; automated?: boolean };
}

export interface ArgoOperationState {
  operation: Json & { sync: Json & { revision: string } };
  phase: 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';
  message: string;
  startedAt: string;
  finishedAt?: string;
  syncResult?: { revision: string; source: Json };
}

export interface ArgoAppRecord {
  metadata: { name: string; namespace: string; labels: Record<string, string>; ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[] };
  spec: { project: string; source: Json; destination: Json; syncPolicy: { automated?: Json | null }; revisionHistoryLimit?: number };
  operation?: ArgoOperationState['operation'];
  status: {
    sync: { status: 'Synced' | 'OutOfSync'; revision: string };
    health: { status: string; message?: string };
    history: ArgoHistoryRecord[];
    operationState?: ArgoOperationState;
  };
}

/** What the next rollback calls get instead of the normal answer. */
export type ArgoRollbackFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

/** How the next rollback's sync ends: the sync fails (phase Failed), or it succeeds and the app turns Degraded. */
export type ArgoFailure = 'failed' | 'degraded';

export interface ArgoFakeOptions {
  token: string;
  app: string;
  project: string;
  namespace?: string;
  /** What `GET /api/v1/settings` reports as `url` (argocd-cm `url`). */
  uiUrl?: string;
}

const GRPC_HTTP: Record<number, number> = { 3: 400, 5: 404, 7: 403, 8: 429, 9: 400, 13: 500, 14: 503, 16: 401 };
const FAILED_MESSAGE = 'one or more objects failed to apply, reason: Deployment.apps "guestbook" is invalid: spec.template.spec.containers[0].image: Required value';

/** grpc-gateway v1's error body; the HTTP status follows the gRPC code unless given. */
function grpcError(code: number, message: string, status?: number, headers?: Record<string, string>): FakeAnswer {
  return { status: status ?? GRPC_HTTP[code] ?? 500, body: { error: message, code, message, details: [] }, ...(headers ? { headers } : {}) };
}

/** Argo CD timestamps: RFC 3339, whole seconds. */
function stamp(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** RFC 7386 JSON merge patch, as `patchType: "merge"` applies it to the Application. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Json = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

export class ArgoCdApiFake {
  readonly requests: { method: string; path: string; query: string; authorization?: string | undefined; body: string }[] = [];
  /** POSTs to the rollback endpoint, answered or not. */
  rollbackCalls = 0;
  /** Rollbacks Argo CD actually started (an operation was set). */
  rollbacksApplied = 0;
  /** PATCH bodies as sent (the patch inside is a string). */
  readonly patches: Json[] = [];
  app: ArgoAppRecord;
  private readonly faults = new FailureQueue<ArgoRollbackFault>();
  private failNext: ArgoFailure | undefined;
  private failing: ArgoFailure | undefined;
  /** Health still to settle after a Succeeded sync. */
  private settling = false;
  private brokenReads = 0;

  private constructor(
    private readonly server: HttpFakeServer,
    private readonly options: ArgoFakeOptions,
  ) {
    const source = { repoURL: 'https://github.com/acme/deploy', path: options.app, targetRevision: 'HEAD' };
    this.app = {
      metadata: { name: options.app, namespace: options.namespace ?? 'argocd', labels: {} },
      spec: { project: options.project, source, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, syncPolicy: {} },
      status: { sync: { status: 'Synced', revision: '' }, health: { status: 'Healthy' }, history: [] },
    };
  }

  static async start(options: ArgoFakeOptions): Promise<ArgoCdApiFake> {
    const ref: { fake?: ArgoCdApiFake } = {};
    const server = await HttpFakeServer.listen('argocd fake', (request) => ref.fake!.handle(request));
    ref.fake = new ArgoCdApiFake(server, options);
    return ref.fake;
  }

  get url(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- controls ----

  /** A sync that completed at `at` (seeding): a history entry with the next id, Argo's limit applied. */
  synced(revision: string, at: number, initiatedBy: ArgoHistoryRecord['initiatedBy'] = { automated: true }): number {
    const id = this.nextId();
    const started = stamp(at - 10_000);
    this.app.status.history.push({ id, revision, deployedAt: stamp(at), deployStartedAt: started, source: clone(this.app.spec.source), initiatedBy });
    this.trimHistory();
    this.app.status.sync = { status: 'Synced', revision };
    this.app.status.operationState = {
      operation: { sync: { revision }, initiatedBy },
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: started,
      finishedAt: stamp(at),
      syncResult: { revision, source: clone(this.app.spec.source) },
    };
    return id;
  }

  /** A sync from Git that failed (seeding): it never enters history; Git now points at it. */
  syncFailed(revision: string, at: number): void {
    this.app.status.sync = { status: 'OutOfSync', revision };
    this.app.status.operationState = { operation: { sync: { revision }, initiatedBy: { automated: true } }, phase: 'Failed', message: FAILED_MESSAGE, startedAt: stamp(at - 10_000), finishedAt: stamp(at) };
  }

  /** Auto-sync settings (`null`: off). */
  autoSync(automated: Json | null): void {
    this.app.spec.syncPolicy = automated ? { automated } : {};
  }

  autoSyncOn(): boolean {
    const automated = this.app.spec.syncPolicy.automated;
    return automated !== undefined && automated !== null && automated['enabled'] !== false;
  }

  /** Generated by an ApplicationSet (or a parent app, kind `Application`). */
  ownedBy(kind: 'ApplicationSet' | 'Application', name: string): void {
    this.app.metadata.ownerReferences = [{ apiVersion: 'argoproj.io/v1alpha1', kind, name, uid: '5b1d6e1c-0000-4000-8000-000000000001' }];
  }

  liveRevision(): string | undefined {
    return this.app.status.history.at(-1)?.revision;
  }

  /** What runs now as the provider reports it: the short revision. */
  liveVersion(): string {
    return this.liveRevision()?.slice(0, 7) ?? '';
  }

  failRollbacks(fault: ArgoRollbackFault): void {
    this.faults.add('rollback', fault);
  }

  failNextDeploy(how: ArgoFailure = 'failed'): void {
    this.failNext = how;
  }

  /** The next read of the application answers with a body that is not Argo CD's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  // ---- HTTP ----

  private handle(request: FakeRequest): FakeAnswer | NoAnswer {
    const { method, url } = request;
    const path = url.pathname;
    this.requests.push({ method, path, query: url.search, authorization: request.headers.authorization, body: request.body });
    if (path === '/app/version') return { status: 200, body: { version: this.liveVersion() || null } };
    if (path === '/app/health') return { status: 200, body: { health: 'healthy' } };
    // Settings are public in Argo CD (the login page reads them).
    if (method === 'GET' && path === '/api/v1/settings') return { status: 200, body: { url: this.options.uiUrl ?? 'https://argocd.example.com', appLabelKey: 'app.kubernetes.io/instance' } };
    if (!this.authorized(request)) return grpcError(16, 'invalid session: token is invalid');
    const match = /^\/api\/v1\/applications\/([^/]+)(\/rollback)?$/.exec(path);
    if (!match) return grpcError(5, `Not Found: ${path}`, 404);
    let body: Json;
    try {
      body = request.body ? (JSON.parse(request.body) as Json) : {};
    } catch {
      return grpcError(3, 'invalid character in request body');
    }
    const unknown = this.unknownApp(decodeURIComponent(match[1]!), url.searchParams, body);
    if (unknown) return unknown;
    const route = `${method} ${match[2] ?? ''}`;
    if (route === 'GET ') return this.readApp();
    if (route === 'PATCH ') return this.patch(body);
    if (route === 'POST /rollback') return this.rollback(body);
    return grpcError(12, `Method Not Allowed`, 405);
  }

  private authorized(request: FakeRequest): boolean {
    if (request.headers.authorization === `Bearer ${this.options.token}`) return true;
    return (request.headers.cookie ?? '').split(/;\s*/).includes(`argocd.token=${this.options.token}`);
  }

  /**
   * Argo CD's `getAppEnforceRBAC`: without a project it hides whether the app exists (403); with one
   * it answers 404 for an unknown app or one in another project. `body: "*"` calls carry them in the body.
   */
  private unknownApp(name: string, query: URLSearchParams, body: Json): FakeAnswer | undefined {
    const project = query.get('project') ?? (typeof body['project'] === 'string' ? body['project'] : undefined);
    const namespace = query.get('appNamespace') ?? (typeof body['appNamespace'] === 'string' ? body['appNamespace'] : undefined);
    const known = name === this.app.metadata.name && (namespace === undefined || namespace === this.app.metadata.namespace) && (project === undefined || project === this.app.spec.project);
    if (known) return undefined;
    return project === undefined ? grpcError(7, 'permission denied') : grpcError(5, `applications.argoproj.io "${name}" not found`);
  }

  /** The app as it is now; then its operation takes one step, so the next read sees progress. */
  private readApp(): FakeAnswer {
    if (this.brokenReads > 0) {
      this.brokenReads--;
      return { status: 200, body: { ...clone(this.app), status: { history: [{ id: 1, revision: 42 }] } } };
    }
    const body = clone(this.app);
    this.advance();
    return { status: 200, body };
  }

  private patch(body: Json): FakeAnswer {
    this.patches.push(body);
    if (typeof body['patch'] !== 'string') return grpcError(3, 'json: cannot unmarshal object into Go struct field ApplicationPatchRequest.patch of type string');
    if (body['patchType'] !== 'merge') return grpcError(3, `Patch type '${String(body['patchType'])}' is not supported`);
    let patch: unknown;
    try {
      patch = JSON.parse(body['patch']);
    } catch {
      return grpcError(3, 'invalid JSON in patch');
    }
    this.app = mergePatch(this.app, patch) as ArgoAppRecord;
    this.app.spec.syncPolicy ??= {};
    return { status: 200, body: clone(this.app) };
  }

  private rollback(body: Json): FakeAnswer | NoAnswer {
    this.rollbackCalls++;
    const id = body['id'];
    if (typeof id !== 'number') return grpcError(3, 'json: cannot unmarshal string into Go struct field ApplicationRollbackRequest.id of type int64');
    const { name } = this.app.metadata;
    if (this.autoSyncOn()) return grpcError(9, 'rollback cannot be initiated when auto-sync is enabled');
    const entry = this.app.status.history.find((h) => h.id === id);
    if (!entry) return grpcError(3, `application ${name} does not have deployment with id ${id}`);
    if (this.app.operation) return grpcError(9, 'another operation is already in progress');

    const fault = this.faults.take(() => true);
    if (fault) {
      if (fault.effect) this.startRollback(entry);
      if ('noAnswer' in fault) return { noAnswer: fault.noAnswer };
      const limited = fault.status === 429;
      return grpcError(limited ? 8 : fault.status === 503 ? 14 : 13, limited ? 'too many requests' : `injected ${fault.status}`, fault.status, fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined);
    }
    this.startRollback(entry);
    return { status: 200, body: clone(this.app) };
  }

  /** What the rollback handler does: a Sync operation to the entry's revision with the Apply strategy (hooks skipped). */
  private startRollback(entry: ArgoHistoryRecord): void {
    this.rollbacksApplied++;
    this.app.operation = { sync: { revision: entry.revision, prune: false, dryRun: false, syncStrategy: { apply: { force: false } }, source: clone(entry.source) }, initiatedBy: { username: 'rewind' } };
    this.failing = this.failNext;
    this.failNext = undefined;
  }

  /** One step: requested → Running → Succeeded with health Progressing → Healthy (or the programmed failure). */
  private advance(): void {
    const { operation, status } = this.app;
    const state = status.operationState;
    if (operation && state?.phase !== 'Running') {
      status.operationState = { operation, phase: 'Running', message: 'one or more tasks are running', startedAt: stamp() };
      return;
    }
    if (operation && state?.phase === 'Running') {
      this.finish(state);
      return;
    }
    if (this.settling) {
      this.settling = false;
      status.health = this.failing === 'degraded' ? { status: 'Degraded', message: 'Deployment "guestbook" exceeded its progress deadline' } : { status: 'Healthy' };
      this.failing = undefined;
    }
  }

  private finish(state: ArgoOperationState): void {
    const { status } = this.app;
    const now = Date.now();
    delete this.app.operation;
    state.finishedAt = stamp(now);
    if (this.failing === 'failed') {
      this.failing = undefined;
      Object.assign(state, { phase: 'Failed', message: FAILED_MESSAGE });
      return;
    }
    const { revision } = state.operation.sync;
    const source = clone((state.operation.sync as Json)['source'] as Json | undefined) ?? clone(this.app.spec.source);
    Object.assign(state, { phase: 'Succeeded', message: 'successfully synced (all tasks run)', syncResult: { revision, source } });
    status.history.push({ id: this.nextId(), revision, deployedAt: stamp(now), deployStartedAt: state.startedAt, source, initiatedBy: { username: 'rewind' } });
    this.trimHistory();
    // Git still points where it did: the app is OutOfSync after a rollback.
    status.sync = { ...status.sync, status: status.sync.revision === revision ? 'Synced' : 'OutOfSync' };
    status.health = { status: 'Progressing' };
    this.settling = true;
  }

  private nextId(): number {
    return (this.app.status.history.at(-1)?.id ?? -1) + 1;
  }

  private trimHistory(): void {
    const limit = this.app.spec.revisionHistoryLimit ?? 10;
    const { history } = this.app.status;
    if (history.length > limit) history.splice(0, history.length - limit);
  }
}
