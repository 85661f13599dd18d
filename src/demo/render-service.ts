/**
 * A local service speaking Render's REST API v1 for one service (PROVIDERS.md §1), so the demo and
 * the tests roll back a Render-style service over HTTP: Bearer auth, deploys listed newest first as
 * `[{deploy, cursor}]` with `limit`/`cursor`/`status`, `POST …/rollback {deployId}` → 201 with the
 * new deploy (`trigger: "rollback"`), `autoDeploy` ("yes"/"no") changed by PATCH, error bodies
 * `{id, message}`. A rollback deploy moves created → update_in_progress → live one step per read of
 * it, so callers really wait. It also answers as the deployed app would (`/app/version`, `/app/health`)
 * and takes fault injection for tests.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { shortSha } from '../domain/release';
import { listen, readBody } from './demo-http';

export interface RenderDeployRecord {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string; message: string; createdAt: string };
  createdAt: string;
  startedAt: string;
  finishedAt?: string;
  updatedAt: string;
}

export interface RenderServiceRecord {
  id: string;
  name: string;
  autoDeploy: 'yes' | 'no';
  autoDeployTrigger?: string;
  branch: string;
}

/** What the next rollback call gets instead of the normal answer. */
export type RenderRollbackFault =
  | { status: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean };

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Reply = Answer | { noAnswer: 'hang' | 'reset' };

const PROGRESS = ['created', 'update_in_progress', 'live'];

function error(status: number, id: string, message: string, headers?: Record<string, string>): Answer {
  return { status, body: { id, message }, ...(headers ? { headers } : {}) };
}

export class RenderService {
  readonly requests: { method: string; path: string; authorization?: string | undefined }[] = [];
  /** POSTs to the rollback endpoint, answered or not. */
  rollbackCalls = 0;
  readonly service: RenderServiceRecord;
  /** Newest first, as the API lists them. */
  readonly deploys: RenderDeployRecord[] = [];
  /** Commits whose app answers 503 on /app/health: a bad release for the demo. */
  private readonly badCommits = new Set<string>();
  private readonly faults: RenderRollbackFault[] = [];
  private failDeployWith: string | undefined;
  private brokenReads = 0;
  /** While set, a rollback call starts its deploy and then holds its answer: the caller cannot tell yet. */
  private answersHeld: (() => void)[] | undefined;
  private lastAt = 0;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly token: string,
    serviceId: string,
  ) {
    this.service = { id: serviceId, name: 'web', autoDeploy: 'yes', branch: 'main' };
  }

  static async start(options: { token: string; serviceId: string; port?: number; host?: string }): Promise<RenderService> {
    const { server, url } = await listen(options);
    const service = new RenderService(server, url, options.token, options.serviceId);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void service.serve(req, res));
    return service;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- controls (also under POST /control/deploy for the demo) ----

  /** A normal deploy that goes live at once (the previous live one is deactivated); returns its id. */
  deploy(commit: string, message = `change ${shortSha(commit)}`, options: { status?: string; bad?: boolean; at?: Date } = {}): string {
    // Never earlier than the deploy before it, so newest-first order and timestamps agree.
    this.lastAt = Math.max(this.lastAt + 1, options.at?.getTime() ?? Date.now());
    const at = new Date(this.lastAt).toISOString();
    const status = options.status ?? 'live';
    if (status === 'live') this.deactivateLive();
    if (options.bad) this.badCommits.add(commit);
    const deploy: RenderDeployRecord = { id: this.newId(), status, trigger: 'new_commit', commit: { id: commit, message, createdAt: at }, createdAt: at, startedAt: at, finishedAt: at, updatedAt: at };
    this.deploys.unshift(deploy);
    return deploy.id;
  }

  live(): RenderDeployRecord | undefined {
    return this.deploys.find((d) => d.status === 'live');
  }

  /** Rollback deploys Render actually started. */
  rollbacksApplied(): number {
    return this.deploys.filter((d) => d.trigger === 'rollback').length;
  }

  failRollbacks(fault: RenderRollbackFault): void {
    this.faults.push(fault);
  }

  /** The deploy the next rollback starts ends with this status instead of going live. */
  failNextDeploy(status = 'update_failed'): void {
    this.failDeployWith = status;
  }

  /** Rollback calls take effect but get no answer until `releaseAnswers` (a crash-test hook). */
  holdAnswers(): void {
    this.answersHeld ??= [];
  }

  releaseAnswers(): void {
    const held = this.answersHeld ?? [];
    this.answersHeld = undefined;
    for (const release of held) release();
  }

  /** The next read of the deploy list answers with a body that is not Render's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  // ---- HTTP ----

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.handle(req.method ?? 'GET', new URL(req.url ?? '/', this.url), req.headers.authorization, await readBody(req));
    } catch (e) {
      reply = error(400, 'invalid', e instanceof Error ? e.message : String(e));
    }
    if ('noAnswer' in reply) {
      if (reply.noAnswer === 'reset') req.socket.destroy();
      else this.hanging.add(res);
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private async handle(method: string, url: URL, authorization: string | undefined, body: string): Promise<Reply> {
    const path = url.pathname;
    this.requests.push({ method, path, authorization });
    if (path.startsWith('/app/') || path.startsWith('/control/')) return this.app(method, path, body);
    if (authorization !== `Bearer ${this.token}`) return error(401, 'unauthorized', 'Unauthorized');
    const match = /^\/v1\/services\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return error(404, 'not_found', 'Not Found');
    if (match[1] !== this.service.id) return error(404, 'not_found', 'service not found');
    const rest = match[2] ?? '';
    switch (`${method} ${rest.replace(/\/deploys\/[^/]+$/, '/deploys/:id')}`) {
      case 'GET ':
        return { status: 200, body: this.service };
      case 'PATCH ':
        return this.patchService(body);
      case 'GET /deploys':
        return this.listDeploys(url.searchParams);
      case 'GET /deploys/:id':
        return this.getDeploy(rest.split('/').pop()!);
      case 'POST /rollback':
        return this.rollback(body);
      default:
        return error(404, 'not_found', `no route ${method} ${path}`);
    }
  }

  /** The deployed app, and the demo's "deploy" button. */
  private app(method: string, path: string, body: string): Answer {
    const live = this.live();
    const version = live ? shortSha(live.commit.id) : null;
    if (method === 'GET' && path === '/app/version') return { status: 200, body: { version } };
    if (method === 'GET' && path === '/app/health') {
      const bad = live !== undefined && this.badCommits.has(live.commit.id);
      return { status: bad ? 503 : 200, body: { health: bad ? 'unhealthy' : 'healthy', version } };
    }
    if (method === 'POST' && path === '/control/deploy') {
      const input = (body ? JSON.parse(body) : {}) as { commit?: unknown; message?: unknown; bad?: unknown };
      const commit = typeof input.commit === 'string' && /^[0-9a-f]{7,40}$/.test(input.commit) ? input.commit : randomBytes(20).toString('hex');
      const id = this.deploy(commit, typeof input.message === 'string' ? input.message : undefined, { bad: input.bad === true });
      return { status: 200, body: { id, version: shortSha(commit) } };
    }
    return error(404, 'not_found', `no route ${method} ${path}`);
  }

  private patchService(body: string): Answer {
    const input = JSON.parse(body || '{}') as Record<string, unknown>;
    if (input['autoDeploy'] !== undefined) {
      if (input['autoDeploy'] !== 'yes' && input['autoDeploy'] !== 'no') return error(400, 'invalid', 'autoDeploy must be "yes" or "no"');
      this.service.autoDeploy = input['autoDeploy'];
    }
    if (input['autoDeployTrigger'] !== undefined) this.service.autoDeployTrigger = String(input['autoDeployTrigger']);
    return { status: 200, body: this.service };
  }

  private listDeploys(query: URLSearchParams): Answer {
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

  private getDeploy(id: string): Answer {
    const deploy = this.deploys.find((d) => d.id === id);
    if (!deploy) return error(404, 'not_found', 'deploy not found');
    this.advance(deploy);
    return { status: 200, body: { ...deploy } };
  }

  private async rollback(body: string): Promise<Reply> {
    this.rollbackCalls++;
    const deployId = (JSON.parse(body || '{}') as { deployId?: unknown }).deployId;
    if (typeof deployId !== 'string') return error(400, 'invalid', 'deployId is required');
    const target = this.deploys.find((d) => d.id === deployId);
    if (!target) return error(404, 'not_found', 'deploy not found');
    if (target.status !== 'live' && target.status !== 'deactivated') return error(400, 'invalid', 'only a deploy that was live can be rolled back to');

    const fault = this.faults.shift();
    if (fault) {
      if ('noAnswer' in fault) {
        if (fault.effect) this.startRollback(target);
        return { noAnswer: fault.noAnswer };
      }
      if (fault.effect) this.startRollback(target);
      return error(fault.status, fault.status === 429 ? 'rate_limited' : 'internal', `injected ${fault.status}`, fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined);
    }
    const started = this.startRollback(target);
    if (this.answersHeld) {
      const held = this.answersHeld;
      await new Promise<void>((resolve) => held.push(resolve));
    }
    return { status: 201, body: { ...started } };
  }

  private startRollback(target: RenderDeployRecord): RenderDeployRecord {
    const at = new Date().toISOString();
    const deploy: RenderDeployRecord = { id: this.newId(), status: 'created', trigger: 'rollback', commit: { ...target.commit }, createdAt: at, startedAt: at, updatedAt: at };
    this.deploys.unshift(deploy);
    return deploy;
  }

  /** One step along created → update_in_progress → live (or the programmed failure). */
  private advance(deploy: RenderDeployRecord): void {
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

  private newId(): string {
    return `dep-${randomBytes(8).toString('hex')}`;
  }
}
