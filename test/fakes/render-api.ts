/**
 * A local fake of Render's REST API v1 for one service, following PROVIDERS.md §1: Bearer auth,
 * deploys listed newest first as `[{deploy, cursor}]` with `limit` (1–100, default 20) and `cursor`,
 * `status` filters, `POST …/rollback {deployId}` → 201 with the new deploy (`trigger: "rollback"`),
 * the service's `autoDeploy` ("yes"/"no") changed by PATCH, error bodies `{id, message}`.
 * A rollback deploy moves created → update_in_progress → live one step per read of it, so callers
 * really wait. It also answers as the deployed app would (`GET /app/version`), for verification.
 */
import { randomBytes } from 'node:crypto';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

interface Deploy {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string; message: string; createdAt: string };
  createdAt: string;
  startedAt: string;
  finishedAt?: string;
  updatedAt: string;
}

interface Service {
  id: string;
  name: string;
  autoDeploy: 'yes' | 'no';
  autoDeployTrigger?: string;
  branch: string;
}

/** What the next rollback calls get instead of the normal answer. */
export type RenderRollbackFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

const PROGRESS = ['created', 'update_in_progress', 'live'];

function error(status: number, id: string, message: string, headers?: Record<string, string>): FakeAnswer {
  return { status, body: { id, message }, ...(headers ? { headers } : {}) };
}

export class RenderApiFake {
  readonly requests: { method: string; path: string; authorization?: string | undefined }[] = [];
  /** POSTs to the rollback endpoint, answered or not. */
  rollbackCalls = 0;
  /** Rollback deploys Render actually started. */
  rollbacksApplied = 0;
  readonly service: Service;
  /** Newest first, as the API lists them. */
  readonly deploys: Deploy[] = [];
  private readonly faults = new FailureQueue<RenderRollbackFault>();
  private failDeployWith: string | undefined;
  private brokenReads = 0;
  private clock = Date.now() - 2 * 86_400_000;

  private constructor(
    private readonly server: HttpFakeServer,
    private readonly token: string,
    serviceId: string,
  ) {
    this.service = { id: serviceId, name: 'web', autoDeploy: 'yes', branch: 'main' };
  }

  static async start(options: { token: string; serviceId: string }): Promise<RenderApiFake> {
    const ref: { fake?: RenderApiFake } = {};
    const server = await HttpFakeServer.listen('render fake', (request) => ref.fake!.handle(request));
    ref.fake = new RenderApiFake(server, options.token, options.serviceId);
    return ref.fake;
  }

  get url(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** A normal deploy that goes live at once (the previous live one is deactivated); returns its id. */
  deploy(commit: string, message = `change ${commit.slice(0, 7)}`, options: { status?: string } = {}): string {
    const at = this.tick();
    const status = options.status ?? 'live';
    if (status === 'live') this.deactivateLive();
    const deploy: Deploy = { id: this.newId(), status, trigger: 'new_commit', commit: { id: commit, message, createdAt: at }, createdAt: at, startedAt: at, finishedAt: at, updatedAt: at };
    this.deploys.unshift(deploy);
    return deploy.id;
  }

  live(): Deploy | undefined {
    return this.deploys.find((d) => d.status === 'live');
  }

  failRollbacks(fault: RenderRollbackFault): void {
    this.faults.add('rollback', fault);
  }

  /** The deploy the next rollback starts ends with this status instead of going live. */
  failNextDeploy(status = 'update_failed'): void {
    this.failDeployWith = status;
  }

  /** The next read of the deploy list answers with a body that is not Render's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  private async handle(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url } = request;
    const path = url.pathname;
    this.requests.push({ method, path, authorization: request.headers.authorization });
    if (path === '/app/version') return { status: 200, body: { version: this.live()?.commit.id.slice(0, 7) ?? null } };
    if (path === '/app/health') return { status: 200, body: { health: 'healthy' } };
    if (request.headers.authorization !== `Bearer ${this.token}`) return error(401, 'unauthorized', 'Unauthorized');
    const match = /^\/v1\/services\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return error(404, 'not_found', 'Not Found');
    if (match[1] !== this.service.id) return error(404, 'not_found', 'service not found');
    const rest = match[2] ?? '';
    const route = `${method} ${rest.replace(/\/deploys\/[^/]+$/, '/deploys/:id')}`;
    switch (route) {
      case 'GET ':
        return { status: 200, body: this.service };
      case 'PATCH ':
        return this.patchService(request.body);
      case 'GET /deploys':
        return this.listDeploys(url.searchParams);
      case 'GET /deploys/:id':
        return this.getDeploy(rest.split('/').pop()!);
      case 'POST /rollback':
        return this.rollback(request.body);
      default:
        return error(404, 'not_found', `no route ${method} ${path}`);
    }
  }

  private patchService(body: string): FakeAnswer {
    const input = JSON.parse(body || '{}') as Record<string, unknown>;
    if (input['autoDeploy'] !== undefined) {
      if (input['autoDeploy'] !== 'yes' && input['autoDeploy'] !== 'no') return error(400, 'invalid', 'autoDeploy must be "yes" or "no"');
      this.service.autoDeploy = input['autoDeploy'];
    }
    if (input['autoDeployTrigger'] !== undefined) this.service.autoDeployTrigger = String(input['autoDeployTrigger']);
    return { status: 200, body: this.service };
  }

  private listDeploys(query: URLSearchParams): FakeAnswer {
    if (this.brokenReads > 0) {
      this.brokenReads--;
      return { status: 200, body: [{ cursor: 'c', deploy: { status: 'live' } }] };
    }
    const limit = Number(query.get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, 'invalid', 'limit must be between 1 and 100');
    const statuses = query.getAll('status').flatMap((s) => s.split(','));
    const cursor = query.get('cursor');
    let list = statuses.length ? this.deploys.filter((d) => statuses.includes(d.status)) : this.deploys;
    if (cursor) list = list.slice(list.findIndex((d) => d.id === cursor) + 1);
    return { status: 200, body: list.slice(0, limit).map((deploy) => ({ deploy: { ...deploy }, cursor: deploy.id })) };
  }

  private getDeploy(id: string): FakeAnswer {
    const deploy = this.deploys.find((d) => d.id === id);
    if (!deploy) return error(404, 'not_found', 'deploy not found');
    this.advance(deploy);
    return { status: 200, body: { ...deploy } };
  }

  private async rollback(body: string): Promise<FakeAnswer | NoAnswer> {
    this.rollbackCalls++;
    const deployId = (JSON.parse(body || '{}') as { deployId?: unknown }).deployId;
    if (typeof deployId !== 'string') return error(400, 'invalid', 'deployId is required');
    const target = this.deploys.find((d) => d.id === deployId);
    if (!target) return error(404, 'not_found', 'deploy not found');
    if (target.status !== 'live' && target.status !== 'deactivated') return error(400, 'invalid', 'only a deploy that was live can be rolled back to');

    const fault = this.faults.take(() => true);
    if (fault) {
      if ('noAnswer' in fault) {
        if (fault.effect) this.startRollback(target);
        return { noAnswer: fault.noAnswer };
      }
      if (fault.effect) this.startRollback(target);
      return error(fault.status, fault.status === 429 ? 'rate_limited' : 'internal', `injected ${fault.status}`, fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined);
    }
    return { status: 201, body: { ...this.startRollback(target) } };
  }

  private startRollback(target: Deploy): Deploy {
    this.rollbacksApplied++;
    const at = new Date().toISOString();
    const deploy: Deploy = { id: this.newId(), status: 'created', trigger: 'rollback', commit: { ...target.commit }, createdAt: at, startedAt: at, updatedAt: at };
    this.deploys.unshift(deploy);
    return deploy;
  }

  /** One step along created → update_in_progress → live (or the programmed failure). */
  private advance(deploy: Deploy): void {
    const at = PROGRESS.indexOf(deploy.status);
    if (at < 0 || deploy.status === 'live') return;
    const next = PROGRESS[at + 1]!;
    if (next === 'live' && this.failDeployWith) {
      deploy.status = this.failDeployWith;
      this.failDeployWith = undefined;
    } else {
      if (next === 'live') this.deactivateLive();
      deploy.status = next;
    }
    deploy.updatedAt = new Date().toISOString();
    if (deploy.status !== 'update_in_progress') deploy.finishedAt = deploy.updatedAt;
  }

  private deactivateLive(): void {
    const live = this.live();
    if (live) live.status = 'deactivated';
  }

  /** Seeded history gets increasing timestamps in the past, so it sorts before anything real. */
  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  private newId(): string {
    return `dep-${randomBytes(8).toString('hex')}`;
  }
}
