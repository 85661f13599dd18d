/**
 * A local fake of Vercel's REST API for one project, following PROVIDERS.md §4: Bearer auth, `teamId`
 * on every call for a team project, production deployments paged by `until=<pagination.next>`, the
 * project with `targets.production`, `autoAssignCustomDomains` and `lastAliasRequest`, instant rollback
 * (`/v1` and the CLI's `/v9`), promote (`/v10`), failed rollback aliases, and `{error: {code, message}}`
 * bodies. A rollback pins production and its alias job moves pending → in-progress → succeeded one
 * step per read of the project, so callers really wait. It also answers `GET /app/version` as the app would.
 */
import { randomBytes } from 'node:crypto';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

export interface VercelDeploymentRecord {
  uid: string;
  name: string;
  projectId: string;
  url: string;
  created: number;
  createdAt: number;
  buildingAt: number;
  ready?: number;
  state: string;
  readyState: string;
  readySubstate?: 'STAGED' | 'ROLLING' | 'PROMOTED';
  target: 'production' | null;
  type: 'LAMBDAS';
  meta: { githubCommitSha: string; githubCommitRef: string; githubCommitMessage: string };
  isRollbackCandidate: boolean | null;
  creator: { uid: string; username: string; email: string };
  inspectorUrl: string;
  aliasAssigned: boolean;
  errorMessage?: string;
}

export interface AliasJob {
  fromDeploymentId: string | null;
  toDeploymentId: string;
  jobStatus: 'pending' | 'in-progress' | 'succeeded' | 'failed' | 'skipped';
  requestedAt: number;
  type: 'rollback' | 'promote';
}

/** What the next rollback calls get instead of the normal answer. */
export type VercelRollbackFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

/** What the next promote calls get instead of the normal answer; `unpin` says whether the pin goes anyway. */
export type VercelPromoteFault = { status: number; unpin?: boolean; count?: number };

export interface VercelFakeOptions {
  token: string;
  projectId: string;
  projectName?: string;
  /** When set, the project belongs to this team and every call must carry `?teamId=`. */
  teamId?: string;
  /** Vercel refuses a wrong token with 403 `invalidToken: true` in practice; 401 by default here. */
  badTokenStatus?: 401 | 403;
}

const STEPS: AliasJob['jobStatus'][] = ['pending', 'in-progress', 'succeeded'];

function error(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): FakeAnswer {
  return { status, body: { error: { code, message, ...extra } }, ...(headers ? { headers } : {}) };
}

export class VercelApiFake {
  readonly requests: { method: string; path: string; query: string; authorization?: string | undefined }[] = [];
  /** POSTs to either rollback endpoint, answered or not. */
  rollbackCalls = 0;
  /** Rollbacks Vercel actually started. */
  rollbacksApplied = 0;
  promoteCalls = 0;
  /** Newest first, previews included, as Vercel keeps them. */
  readonly deployments: VercelDeploymentRecord[] = [];
  readonly project: { id: string; name: string; accountId: string; autoAssignCustomDomains: boolean; productionId?: string; lastAliasRequest: AliasJob | null };
  private readonly faults = new FailureQueue<VercelRollbackFault>();
  private readonly promoteFaults = new FailureQueue<VercelPromoteFault>();
  private failNext = false;
  /** The alias job that will fail, and the aliases it could not move. */
  private failing: AliasJob | undefined;
  private failedAliases: string[] = [];
  private brokenReads = 0;
  private clock = Date.now() - 2 * 86_400_000;

  private constructor(
    private readonly server: HttpFakeServer,
    private readonly options: VercelFakeOptions,
  ) {
    this.project = { id: options.projectId, name: options.projectName ?? 'web', accountId: options.teamId ?? 'u_owner', autoAssignCustomDomains: true, lastAliasRequest: null };
  }

  static async start(options: VercelFakeOptions): Promise<VercelApiFake> {
    const ref: { fake?: VercelApiFake } = {};
    const server = await HttpFakeServer.listen('vercel fake', (request) => ref.fake!.handle(request));
    ref.fake = new VercelApiFake(server, options);
    return ref.fake;
  }

  get url(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /**
   * A deployment built now (seeded ones get increasing past times). A READY production one is
   * promoted at once unless production is pinned, when it stays STAGED as on Vercel; returns its uid.
   */
  deploy(commit: string, message = `change ${commit.slice(0, 7)}`, options: { state?: string; target?: 'production' | null; rollbackCandidate?: boolean | null } = {}): string {
    const at = this.tick();
    const state = options.state ?? 'READY';
    const target = options.target === undefined ? 'production' : options.target;
    const promoted = state === 'READY' && target === 'production' && this.project.autoAssignCustomDomains;
    const uid = `dpl_${randomBytes(14).toString('base64url').replace(/[-_]/g, 'x')}`;
    const host = `${this.project.name}-${randomBytes(5).toString('hex')}-acme.vercel.app`;
    const deployment: VercelDeploymentRecord = {
      uid,
      name: this.project.name,
      projectId: this.project.id,
      url: host,
      created: at,
      createdAt: at,
      buildingAt: at,
      ...(state === 'READY' ? { ready: at + 30_000 } : {}),
      state,
      readyState: state,
      ...(state === 'READY' && target === 'production' ? { readySubstate: promoted ? 'PROMOTED' : 'STAGED' } : {}),
      target,
      type: 'LAMBDAS',
      meta: { githubCommitSha: commit, githubCommitRef: 'main', githubCommitMessage: message },
      isRollbackCandidate: options.rollbackCandidate !== undefined ? options.rollbackCandidate : state === 'READY' && target === 'production' ? promoted : null,
      creator: { uid: 'u_1a2b3c', username: 'dev', email: 'dev@example.com' },
      inspectorUrl: `https://vercel.com/acme/${this.project.name}/${uid.slice(4)}`,
      aliasAssigned: promoted,
      ...(state === 'ERROR' ? { errorMessage: 'Command "npm run build" exited with 1' } : {}),
    };
    this.deployments.unshift(deployment);
    if (promoted) this.project.productionId = uid;
    return uid;
  }

  production(): VercelDeploymentRecord | undefined {
    return this.deployments.find((d) => d.uid === this.project.productionId);
  }

  /** Production's version as the provider reports it: the short commit SHA. */
  liveVersion(): string {
    return this.production()?.meta.githubCommitSha.slice(0, 7) ?? '';
  }

  pinned(): boolean {
    return !this.project.autoAssignCustomDomains;
  }

  failRollbacks(fault: VercelRollbackFault): void {
    this.faults.add('rollback', fault);
  }

  failPromotes(fault: VercelPromoteFault): void {
    this.promoteFaults.add('promote', fault);
  }

  /** The alias job of the next rollback fails: production stays where it was. */
  failNextDeploy(): void {
    this.failNext = true;
  }

  /** The next read of the deployment list answers with a body that is not Vercel's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  private async handle(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url } = request;
    const path = url.pathname;
    this.requests.push({ method, path, query: url.search, authorization: request.headers.authorization });
    if (path === '/app/version') return { status: 200, body: { version: this.liveVersion() || null } };
    if (path === '/app/health') return { status: 200, body: { health: 'healthy' } };
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      return error(this.options.badTokenStatus ?? 401, 'forbidden', 'Not authorized', { invalidToken: true });
    }
    if (this.options.teamId && url.searchParams.get('teamId') !== this.options.teamId) return error(403, 'forbidden', 'Not authorized');
    if (method === 'GET' && path === '/v6/deployments') return this.listDeployments(url.searchParams);
    const match = /^\/v(\d+)\/projects\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return error(404, 'not_found', `The requested path ${path} was not found`);
    const [, version, idOrName, rest = ''] = match;
    if (!this.isProject(decodeURIComponent(idOrName!))) return error(404, 'not_found', 'Project not found');
    const route = `${method} v${version} ${method === 'POST' ? rest.replace(/^\/(rollback|promote)\/[^/]+$/, '/$1/:id') : rest}`;
    const deploymentId = decodeURIComponent(rest.split('/')[2] ?? '');
    switch (route) {
      case 'GET v9 ':
        return this.readProject();
      case 'GET v9 /rollback/aliases':
        return this.listFailedAliases(url.searchParams);
      case 'POST v1 /rollback/:id':
      case 'POST v9 /rollback/:id':
        return this.rollback(deploymentId, request.body, version === '9');
      case 'POST v10 /promote/:id':
        return this.promote(deploymentId);
      default:
        return error(404, 'not_found', `The requested path ${path} was not found`);
    }
  }

  private isProject(idOrName: string): boolean {
    return idOrName === this.project.id || idOrName === this.project.name;
  }

  private listDeployments(query: URLSearchParams): FakeAnswer {
    const projectId = query.get('projectId');
    if (projectId !== null && !this.isProject(projectId)) return error(404, 'not_found', 'Project not found');
    if (this.brokenReads > 0) {
      this.brokenReads--;
      return { status: 200, body: { deployments: [{ uid: 'dpl_broken', state: 'READY' }], pagination: { count: 1, next: null, prev: null } } };
    }
    const limit = Number(query.get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, 'bad_request', 'Invalid request: `limit` should be between 1 and 100.');
    const until = query.get('until');
    const since = query.get('since');
    const target = query.get('target');
    const states = query.get('state')?.split(',');
    const list = this.deployments.filter(
      (d) =>
        (projectId === null || d.projectId === this.project.id) &&
        (target === null || d.target === target) &&
        (!states || states.includes(d.readyState)) &&
        // `until` is exclusive: the next page starts strictly before the last one shown.
        (until === null || d.created < Number(until)) &&
        (since === null || d.created > Number(since)),
    );
    const page = list.slice(0, limit);
    const more = list.length > page.length;
    return {
      status: 200,
      body: { deployments: page.map((d) => ({ ...d })), pagination: { count: page.length, next: more ? page.at(-1)!.created : null, prev: page[0]?.created ?? null } },
    };
  }

  /** The project as it is now; then its alias job takes one step, so the next read sees progress. */
  private readProject(): FakeAnswer {
    const production = this.production();
    const body = {
      id: this.project.id,
      name: this.project.name,
      accountId: this.project.accountId,
      framework: 'nextjs',
      autoAssignCustomDomains: this.project.autoAssignCustomDomains,
      link: { type: 'github', org: 'acme', repo: this.project.name, productionBranch: 'main' },
      targets: production
        ? {
            production: {
              id: production.uid,
              url: production.url,
              createdAt: production.createdAt,
              readyState: production.readyState,
              ...(production.readySubstate ? { readySubstate: production.readySubstate } : {}),
              target: 'production',
              meta: { ...production.meta },
              creator: { ...production.creator },
              inspectorUrl: production.inspectorUrl,
              alias: [`${this.project.name}.example.com`],
            },
          }
        : {},
      lastAliasRequest: this.project.lastAliasRequest ? { ...this.project.lastAliasRequest } : null,
    };
    this.advance();
    return { status: 200, body };
  }

  private listFailedAliases(query: URLSearchParams): FakeAnswer {
    const failedOnly = query.get('failedOnly') === 'true';
    const job = this.project.lastAliasRequest;
    const aliases = job?.jobStatus === 'failed' || !failedOnly ? this.failedAliases : [];
    const listed = aliases.map((alias, i) => ({ id: `als_${i}`, status: 'failed', alias: { alias, deploymentId: job?.toDeploymentId ?? '' } }));
    return { status: 200, body: { aliases: listed, pagination: { count: listed.length, next: null, prev: null } } };
  }

  private async rollback(deploymentId: string, body: string, cli: boolean): Promise<FakeAnswer | NoAnswer> {
    this.rollbackCalls++;
    if (cli && !/^\s*\{.*\}\s*$/s.test(body)) return error(400, 'bad_request', 'Invalid request: body is required.');
    if (body.trim() && !/^\s*\{.*\}\s*$/s.test(body)) return error(400, 'bad_request', 'Invalid request: body should be an object.');
    const target = this.deployments.find((d) => d.uid === deploymentId && d.projectId === this.project.id);
    if (!target) return error(404, 'not_found', 'Deployment not found');
    if (target.readyState !== 'READY' || target.target !== 'production' || target.isRollbackCandidate === false) {
      return error(400, 'bad_request', 'This deployment is not a rollback candidate.');
    }
    if (target.uid === this.project.productionId) return error(409, 'conflict', 'This deployment is already the current production deployment.');
    const job = this.project.lastAliasRequest;
    if (job && (job.jobStatus === 'pending' || job.jobStatus === 'in-progress')) return error(409, 'conflict', 'A rollback or promotion is already in progress.');

    const fault = this.faults.take(() => true);
    if (fault) {
      if (fault.effect) this.startJob(target, 'rollback');
      if ('noAnswer' in fault) return { noAnswer: fault.noAnswer };
      const limited = fault.status === 429;
      const reset = Math.ceil(Date.now() / 1000) + (fault.retryAfterSeconds ?? 1);
      return error(
        fault.status,
        limited ? 'rate_limited' : 'internal_server_error',
        limited ? 'Rate limit exceeded' : `injected ${fault.status}`,
        limited ? { limit: { remaining: 0, reset, resetMs: reset * 1000, total: 6 } } : {},
        fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined,
      );
    }
    this.startJob(target, 'rollback');
    return { status: 201 };
  }

  private promote(deploymentId: string): FakeAnswer {
    this.promoteCalls++;
    const target = this.deployments.find((d) => d.uid === deploymentId && d.projectId === this.project.id);
    if (!target) return error(404, 'not_found', 'Deployment not found');
    if (target.readyState !== 'READY' || target.target !== 'production') return error(400, 'bad_request', 'Only a READY production deployment can be promoted.');
    const fault = this.promoteFaults.take(() => true);
    if (fault) {
      if (fault.unpin) this.project.autoAssignCustomDomains = true;
      return error(fault.status, fault.status === 409 ? 'conflict' : 'internal_server_error', `injected ${fault.status}`);
    }
    if (target.uid === this.project.productionId) {
      if (!this.pinned()) return error(409, 'conflict', 'This deployment is already the current production deployment.');
      this.project.autoAssignCustomDomains = true;
      this.project.lastAliasRequest = { fromDeploymentId: target.uid, toDeploymentId: target.uid, jobStatus: 'succeeded', requestedAt: Date.now(), type: 'promote' };
      return { status: 201 };
    }
    this.startJob(target, 'promote');
    this.project.autoAssignCustomDomains = true;
    return { status: 202 };
  }

  private startJob(target: VercelDeploymentRecord, type: AliasJob['type']): void {
    if (type === 'rollback') {
      this.rollbacksApplied++;
      // An instant rollback turns auto-assignment of production domains off until a promotion.
      this.project.autoAssignCustomDomains = false;
    }
    const job: AliasJob = { fromDeploymentId: this.project.productionId ?? null, toDeploymentId: target.uid, jobStatus: 'pending', requestedAt: Date.now(), type };
    this.project.lastAliasRequest = job;
    this.failing = this.failNext ? job : undefined;
    this.failNext = false;
    this.failedAliases = [];
  }

  /** One step along pending → in-progress → succeeded (or failed, leaving production as it was). */
  private advance(): void {
    const job = this.project.lastAliasRequest;
    if (!job || (job.jobStatus !== 'pending' && job.jobStatus !== 'in-progress')) return;
    const next = STEPS[STEPS.indexOf(job.jobStatus) + 1]!;
    if (next !== 'succeeded') {
      job.jobStatus = next;
      return;
    }
    if (this.failing === job) {
      job.jobStatus = 'failed';
      this.failedAliases = [`${this.project.name}.example.com`, `www.${this.project.name}.example.com`];
      this.failing = undefined;
      return;
    }
    job.jobStatus = 'succeeded';
    this.project.productionId = job.toDeploymentId;
    const target = this.deployments.find((d) => d.uid === job.toDeploymentId);
    if (target) {
      target.readySubstate = 'PROMOTED';
      target.aliasAssigned = true;
      target.isRollbackCandidate = true;
    }
  }

  /** Seeded history gets increasing timestamps in the past, so it sorts before anything real. */
  private tick(): number {
    this.clock += 60_000;
    return this.clock;
  }
}
