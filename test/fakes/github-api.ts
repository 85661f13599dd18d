/**
 * A local fake of GitHub's REST API for one repository, following PROVIDERS.md §7: Bearer (or
 * `token`) auth, deployments and their statuses paged by `per_page`/`page` with a `Link` header,
 * workflow dispatch (200 with run details when asked, else 204), workflow runs, and
 * `{message, documentation_url}` error bodies. A dispatched run moves queued → in_progress →
 * completed one step per GET of the run; a successful one records a deployment of the input SHA
 * (in_progress → success) and marks the previous success inactive, as `auto_inactive` does.
 * It also answers `GET /app/version` as the deployed app would.
 */
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

export interface StatusRecord {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  created_at: string;
  updated_at: string;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: 'deploy';
  payload: Record<string, unknown>;
  environment: string;
  original_environment: string;
  description: string;
  production_environment: boolean;
  creator: { login: string; id: number; type: 'User' | 'Bot' };
  created_at: string;
  updated_at: string;
  /** Oldest first, as they were created. */
  statuses: StatusRecord[];
}

export interface RunRecord {
  id: number;
  name: string;
  display_title: string;
  event: 'workflow_dispatch';
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | null;
  workflow_id: number;
  head_branch: string;
  head_sha: string;
  run_number: number;
  html_url: string;
  created_at: string;
  updated_at: string;
  /** Not in GitHub's answer (the Runs API does not show inputs): what the fake deploys. */
  inputs: Record<string, string>;
  fails: boolean;
  deploymentId?: number;
}

/** What the next dispatch calls get instead of the normal answer. */
export type GithubDispatchFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

export interface GithubFakeOptions {
  token: string;
  owner: string;
  repo: string;
  workflowFile: string;
  workflowId: number;
  /** The branch the workflow runs on; any other ref (or a SHA) is refused with 422. */
  branch?: string;
  /** The inputs the workflow declares (`sha` is required). */
  declaredInputs?: string[];
  /** Answer every dispatch 204 without run details, as the API did before 2026-02. */
  noRunDetails?: boolean;
}

const DOCS = 'https://docs.github.com/rest';
/** A workflow of the repository that declares no `workflow_dispatch` trigger. */
export const CI_WORKFLOW = 'ci.yml';

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function error(status: number, message: string, headers?: Record<string, string>): FakeAnswer {
  return { status, body: { message, documentation_url: DOCS, status: String(status) }, ...(headers ? { headers } : {}) };
}

export class GithubApiFake {
  readonly requests: { method: string; path: string; query: string; authorization?: string | undefined; accept?: string | undefined; apiVersion?: string | string[] | undefined; body: string }[] = [];
  /** Dispatches of the workflow, answered or not. */
  dispatchCalls = 0;
  /** Runs actually started. */
  runsStarted = 0;
  /** Newest last, as created. */
  readonly deployments: DeploymentRecord[] = [];
  readonly runs: RunRecord[] = [];
  private readonly faults = new FailureQueue<GithubDispatchFault>();
  private failNext = false;
  private brokenReads = 0;
  private nextId = 1_000_000;
  private seedClock = Date.now() - 2 * 86_400_000;

  private constructor(
    private readonly server: HttpFakeServer,
    readonly options: GithubFakeOptions,
  ) {}

  static async start(options: GithubFakeOptions): Promise<GithubApiFake> {
    const ref: { fake?: GithubApiFake } = {};
    const server = await HttpFakeServer.listen('github fake', (request) => ref.fake!.handle(request));
    ref.fake = new GithubApiFake(server, options);
    return ref.fake;
  }

  get url(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** A deployment seeded in the past (increasing times), with its statuses; `state` success makes it live. */
  seed(sha: string, description: string, options: { environment?: string; state?: 'success' | 'failure' | 'error' } = {}): number {
    this.seedClock += 60_000;
    const deployment = this.createDeployment(sha, description, options.environment ?? 'production', this.seedClock);
    this.addStatus(deployment, 'in_progress', this.seedClock + 5_000);
    this.finish(deployment, options.state ?? 'success', this.seedClock + 30_000);
    return deployment.id;
  }

  /** The newest deployment of an environment whose latest status is success. */
  live(environment = 'production'): DeploymentRecord | undefined {
    return this.listed(environment).find((d) => d.statuses.at(-1)?.state === 'success');
  }

  liveVersion(environment = 'production'): string {
    return this.live(environment)?.sha.slice(0, 7) ?? '';
  }

  failDispatches(fault: GithubDispatchFault): void {
    this.faults.add('dispatch', fault);
  }

  /** The next run started concludes `failure` and its deployment reports failure. */
  failNextDeploy(): void {
    this.failNext = true;
  }

  /** The next read of the deployment list answers with a body that is not GitHub's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  private async handle(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url } = request;
    const path = url.pathname;
    const { authorization, accept } = request.headers;
    this.requests.push({ method, path, query: url.search, authorization, accept, apiVersion: request.headers['x-github-api-version'], body: request.body });
    if (path === '/app/version') return { status: 200, body: { version: this.liveVersion() || null } };
    const auth = request.headers.authorization;
    if (auth !== `Bearer ${this.options.token}` && auth !== `token ${this.options.token}`) return error(401, 'Bad credentials');
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return error(404, 'Not Found');
    const [, owner, repo, rest = ''] = match;
    if (owner !== this.options.owner || repo !== this.options.repo) return error(404, 'Not Found');
    return this.route(method, rest, url, request.body);
  }

  private route(method: string, rest: string, url: URL, body: string): FakeAnswer | NoAnswer {
    const query = url.searchParams;
    let m: RegExpExecArray | null;
    if (method === 'GET' && rest === '/deployments') return this.listDeployments(url);
    if (method === 'GET' && (m = /^\/deployments\/(\d+)$/.exec(rest))) {
      const deployment = this.deployments.find((d) => d.id === Number(m![1]));
      return deployment ? { status: 200, body: this.deploymentBody(deployment) } : error(404, 'Not Found');
    }
    if (method === 'GET' && (m = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) return this.listStatuses(Number(m[1]), url);
    if ((m = /^\/actions\/workflows\/([^/]+)\/(dispatches|runs)$/.exec(rest))) {
      const name = decodeURIComponent(m[1]!);
      const known = name === this.options.workflowFile || name === String(this.options.workflowId);
      if (method === 'POST' && m[2] === 'dispatches') {
        this.dispatchCalls++;
        if (name === CI_WORKFLOW) return error(422, "Workflow does not have 'workflow_dispatch' trigger");
        if (!known) return error(404, 'Not Found');
        return this.dispatch(body);
      }
      if (method === 'GET' && m[2] === 'runs') return known ? this.listRuns(query) : name === CI_WORKFLOW ? { status: 200, body: { total_count: 0, workflow_runs: [] } } : error(404, 'Not Found');
    }
    if (method === 'GET' && (m = /^\/actions\/runs\/(\d+)$/.exec(rest))) return this.readRun(Number(m[1]));
    return error(404, 'Not Found');
  }

  // ---- deployments ----

  private listed(environment: string | null, sha: string | null = null): DeploymentRecord[] {
    return this.deployments
      .filter((d) => (environment === null || d.environment === environment) && (sha === null || d.sha === sha))
      .sort((a, b) => b.id - a.id);
  }

  private listDeployments(url: URL): FakeAnswer {
    if (this.brokenReads > 0) {
      this.brokenReads--;
      return { status: 200, body: [{ id: 'not-a-number', sha: 42, created_at: null }] };
    }
    const list = this.listed(url.searchParams.get('environment'), url.searchParams.get('sha'));
    return this.page(url, list.map((d) => this.deploymentBody(d)));
  }

  private listStatuses(id: number, url: URL): FakeAnswer {
    const deployment = this.deployments.find((d) => d.id === id);
    if (!deployment) return error(404, 'Not Found');
    return this.page(url, [...deployment.statuses].reverse());
  }

  /** GitHub's pages: `per_page` (default 30, at most 100) and `page`, with a Link header to the others. */
  private page(url: URL, items: unknown[]): FakeAnswer {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const to = new URL(url.toString().replace(url.origin, this.url));
      to.searchParams.set('per_page', String(perPage));
      to.searchParams.set('page', String(n));
      return `<${to.toString()}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev'), link(1, 'first')] : []),
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ];
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), ...(links.length ? { headers: { link: links.join(', ') } } : {}) };
  }

  private deploymentBody(d: DeploymentRecord): Record<string, unknown> {
    const { statuses: _statuses, ...rest } = d;
    const base = `https://api.github.com/repos/${this.options.owner}/${this.options.repo}/deployments/${d.id}`;
    return { ...rest, url: base, statuses_url: `${base}/statuses`, node_id: `DE_${d.id}`, transient_environment: false };
  }

  private createDeployment(sha: string, description: string, environment: string, at: number, creator = 'dev'): DeploymentRecord {
    const deployment: DeploymentRecord = {
      id: this.nextId++,
      sha,
      ref: this.options.branch ?? 'main',
      task: 'deploy',
      payload: {},
      environment,
      original_environment: environment,
      description,
      production_environment: environment === 'production',
      creator: { login: creator, id: 583231, type: creator.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: iso(at),
      updated_at: iso(at),
      statuses: [],
    };
    this.deployments.push(deployment);
    return deployment;
  }

  private addStatus(deployment: DeploymentRecord, state: StatusRecord['state'], at: number, description = ''): void {
    const log = `https://github.com/${this.options.owner}/${this.options.repo}/actions/runs/${deployment.id}`;
    deployment.statuses.push({
      id: this.nextId++,
      state,
      description,
      environment: deployment.environment,
      environment_url: state === 'success' ? `https://${deployment.environment}.${this.options.repo}.example.com` : '',
      log_url: log,
      target_url: log,
      created_at: iso(at),
      updated_at: iso(at),
    });
    deployment.updated_at = iso(at);
  }

  /** Success makes the previous success of the environment inactive, as `auto_inactive` does. */
  private finish(deployment: DeploymentRecord, state: 'success' | 'failure' | 'error', at: number): void {
    if (state === 'success') {
      for (const other of this.listed(deployment.environment)) {
        if (other !== deployment && other.statuses.at(-1)?.state === 'success') this.addStatus(other, 'inactive', at);
      }
    }
    this.addStatus(deployment, state, at, state === 'success' ? 'Deployed' : 'Deploy failed: exit code 1');
  }

  // ---- workflow dispatch and runs ----

  private dispatch(body: string): FakeAnswer | NoAnswer {
    let parsed: { ref?: unknown; inputs?: unknown; return_run_details?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return error(400, 'Problems parsing JSON');
    }
    const branch = this.options.branch ?? 'main';
    // GitHub wants a branch or tag here, never a SHA.
    if (typeof parsed.ref !== 'string') return error(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    if (parsed.ref !== branch && parsed.ref !== `refs/heads/${branch}`) return error(422, `No ref found for: ${parsed.ref}`);
    const inputs = (parsed.inputs ?? {}) as Record<string, unknown>;
    const declared = this.options.declaredInputs ?? ['sha', 'reason'];
    if (Object.keys(inputs).length > 10) return error(422, 'you may only define up to 10 `inputs` for a `workflow_dispatch` event');
    const unexpected = Object.keys(inputs).filter((k) => !declared.includes(k));
    if (unexpected.length) return error(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    if (typeof inputs['sha'] !== 'string' || !inputs['sha']) return error(422, 'Required input \'sha\' not provided');

    const fault = this.faults.take(() => true);
    if (fault) {
      if (fault.effect) this.startRun(inputs as Record<string, string>);
      if ('noAnswer' in fault) return { noAnswer: fault.noAnswer };
      const limited = fault.status === 429 || fault.status === 403;
      return error(fault.status, limited ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' : 'Server Error', {
        ...(fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
        ...(limited ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + (fault.retryAfterSeconds ?? 60)) } : {}),
      });
    }
    const run = this.startRun(inputs as Record<string, string>);
    if (parsed.return_run_details !== true || this.options.noRunDetails) return { status: 204 };
    return { status: 200, body: { workflow_run_id: run.id, run_url: `https://api.github.com/repos/${this.options.owner}/${this.options.repo}/actions/runs/${run.id}`, html_url: run.html_url } };
  }

  private startRun(inputs: Record<string, string>): RunRecord {
    this.runsStarted++;
    const id = this.nextId++;
    const now = iso(Date.now());
    const run: RunRecord = {
      id,
      name: 'Deploy',
      display_title: 'Deploy',
      event: 'workflow_dispatch',
      status: 'queued',
      conclusion: null,
      workflow_id: this.options.workflowId,
      head_branch: this.options.branch ?? 'main',
      head_sha: this.deployments.at(-1)?.sha ?? '0'.repeat(40),
      run_number: this.runs.length + 1,
      html_url: `https://github.com/${this.options.owner}/${this.options.repo}/actions/runs/${id}`,
      created_at: now,
      updated_at: now,
      inputs,
      fails: this.failNext,
    };
    this.failNext = false;
    this.runs.push(run);
    return run;
  }

  private listRuns(query: URLSearchParams): FakeAnswer {
    const created = query.get('created');
    const since = created?.startsWith('>=') ? Date.parse(created.slice(2)) : undefined;
    const event = query.get('event');
    const runs = this.runs
      .filter((r) => (event === null || r.event === event) && (since === undefined || Date.parse(r.created_at) >= since))
      .sort((a, b) => b.id - a.id);
    const perPage = Math.min(100, Number(query.get('per_page') ?? 30) || 30);
    return { status: 200, body: { total_count: runs.length, workflow_runs: runs.slice(0, perPage).map((r) => this.runBody(r)) } };
  }

  /** The run as it is now; then it takes one step, so the next read sees progress. */
  private readRun(id: number): FakeAnswer {
    const run = this.runs.find((r) => r.id === id);
    if (!run) return error(404, 'Not Found');
    const body = this.runBody(run);
    this.advance(run);
    return { status: 200, body };
  }

  private advance(run: RunRecord): void {
    const now = Date.now();
    if (run.status === 'queued') {
      run.status = 'in_progress';
      // The job's `environment:` records a deployment of the input SHA as it starts.
      const deployment = this.createDeployment(run.inputs['sha'] ?? run.head_sha, `Deploy ${run.inputs['sha']?.slice(0, 7) ?? ''}`, 'production', now, 'github-actions[bot]');
      this.addStatus(deployment, 'in_progress', now);
      run.deploymentId = deployment.id;
    } else if (run.status === 'in_progress') {
      run.status = 'completed';
      run.conclusion = run.fails ? 'failure' : 'success';
      const deployment = this.deployments.find((d) => d.id === run.deploymentId);
      if (deployment) this.finish(deployment, run.fails ? 'failure' : 'success', now);
    }
    run.updated_at = iso(now);
  }

  private runBody(run: RunRecord): Record<string, unknown> {
    const { inputs: _inputs, fails: _fails, deploymentId: _deploymentId, ...rest } = run;
    return { ...rest, url: `https://api.github.com/repos/${this.options.owner}/${this.options.repo}/actions/runs/${run.id}` };
  }
}
