/**
 * GitHub as a DeployProvider (PROVIDERS.md §7): history is the Deployments API of one environment,
 * and a rollback dispatches the team's own deploy workflow with the old SHA as an input, followed
 * by its workflow run until GitHub records a successful deployment of that SHA.
 */
import type { GithubProviderConfig } from '../../config/catalog-schema';
import { OutcomeUnknownError, ProviderError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import { shortSha, type ChangePreview, type Release } from '../../domain/release';
import { lookForEffect } from '../look-for-effect';
import { UnansweredCall } from '../../outbound/platform-api';
import { catalogPath, tokenHint, type ProviderDeps, type ProviderSite } from '../provider-site';
import { GithubApi } from './github-api';
import { DeploymentList, DispatchDetails, FAILED_DEPLOYMENT_STATES, RunList, StatusList, WorkflowRun, type DeploymentStatus, type GithubDeployment } from './github-schemas';

const DEFAULT_API = 'https://api.github.com';
/** How far back to look through deployments for the live one, a target, or what a rollback undoes. */
const HISTORY_LIMIT = 200;
/** Clock skew allowed between Rewind and GitHub when matching a run to a call. */
const SKEW_MS = 60_000;
/** Deployments whose statuses are read at once. */
const STATUS_READS = 8;
const ACCESS =
  'a fine-grained token with Deployments: read, Actions: write and Contents: read on the repository, or a classic token with the repo scope';

/** A deployment with what its statuses say. */
interface Deployed {
  deployment: GithubDeployment;
  /** The newest status; undefined when GitHub recorded none. */
  latest?: DeploymentStatus;
  /** Whether any status was `success`: older successes turn `inactive`, yet they served. */
  everSucceeded: boolean;
  succeeded?: DeploymentStatus;
}

function newestFirst<T extends { created_at: string; id: number }>(items: readonly T[]): T[] {
  // GitHub's newest-first order is observed, not documented.
  return [...items].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
}

function firstLine(text: string | null | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim();
  return line ? (line.length > 80 ? `${line.slice(0, 77)}...` : line) : undefined;
}

/** GitHub's `created` filter takes whole seconds. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function inBatches<T, R>(items: readonly T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  return out;
}

export class GithubProvider implements DeployProvider {
  readonly type = 'github';
  private readonly api: GithubApi;
  private readonly owner: string;
  private readonly repo: string;
  private readonly workflow: string | number;
  private readonly ref: string;
  private readonly environment: string;

  constructor(
    private readonly config: GithubProviderConfig,
    private readonly deps: ProviderDeps,
    site: ProviderSite,
  ) {
    const { owner, repo, workflow, ref } = config.github;
    this.owner = owner;
    this.repo = repo;
    this.workflow = workflow;
    this.ref = ref;
    this.environment = config.github.environment ?? site.environment;
    this.api = new GithubApi(
      {
        baseUrl: config.apiUrl ?? DEFAULT_API,
        token: config.token,
        timeoutMs: config.timeout,
        retries: config.retries,
        tokenHint: tokenHint(site),
        access: ACCESS.replace('the repository', `${owner}/${repo}`),
        repoSubject: `repository ${owner}/${repo} (${catalogPath(site, 'github.owner')} and ${catalogPath(site, 'github.repo')})`,
        workflowSubject: `workflow ${workflow} in ${owner}/${repo} (${catalogPath(site, 'github.workflow')})`,
        unprocessableHint:
          `the workflow ${workflow} must declare \`on: workflow_dispatch\` with the inputs ${catalogPath(site, 'github.inputs')} sends, ` +
          `and ${catalogPath(site, 'github.ref')} (${ref}) must be a branch or tag, not a SHA`,
      },
      deps.http,
      deps.clock,
    );
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const { live } = await this.findLive(HISTORY_LIMIT, signal);
    return this.toRelease(live);
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    const deployments = await this.deployments(limit, {}, signal);
    return (await inBatches(deployments, STATUS_READS, (d) => this.withStatuses(d, signal))).map((d) => this.toRelease(d));
  }

  /** The newest deployment older than the live one, of other code, that ever had a `success` status. */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const { live, older } = await this.findLive(HISTORY_LIMIT, signal);
    for (const deployment of older) {
      if (deployment.sha.toLowerCase() === live.deployment.sha.toLowerCase()) continue;
      const read = await this.withStatuses(deployment, signal);
      if (read.everSucceeded) return this.toRelease(read);
    }
    return undefined;
  }

  /** A deployment that ever succeeded, by deployment id, version (short SHA) or SHA prefix; newest first. */
  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref.trim().toLowerCase();
    const prefix = wanted.length >= 4 && /^[0-9a-f]+$/.test(wanted);
    const candidates = (await this.deployments(HISTORY_LIMIT, {}, signal)).filter(
      (d) => String(d.id) === wanted || shortSha(d.sha).toLowerCase() === wanted || (prefix && d.sha.toLowerCase().startsWith(wanted)),
    );
    for (const deployment of candidates) {
      const read = await this.withStatuses(deployment, signal);
      if (read.everSucceeded) return this.toRelease(read);
    }
    return undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const deployments = await this.deployments(HISTORY_LIMIT, {}, signal);
    const fromIndex = Math.max(0, deployments.findIndex((d) => String(d.id) === from.id));
    const toIndex = deployments.findIndex((d) => String(d.id) === to.id);
    const between = deployments.slice(fromIndex, toIndex < 0 ? undefined : toIndex).filter((d) => d.sha.toLowerCase() !== to.commit?.toLowerCase());
    const read = await inBatches(between, STATUS_READS, (d) => this.withStatuses(d, signal));
    const undone = read.filter((d) => d.everSucceeded).map((d) => [shortSha(d.deployment.sha), firstLine(d.deployment.description)].filter(Boolean).join(' '));
    return { commits: [...new Set(undone)], config: [], migrations: [], notes: this.previewNotes(to) };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const releases = await this.recentReleases(10, signal);
    return { environment: this.environment, workflow: this.workflow, ref: this.ref, releases };
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const sha = target.commit;
    if (!sha) throw new ProviderError(`GitHub deployment ${target.id} names no commit, so there is no SHA to redeploy.`, false);
    const since = (context.startedAt ?? this.deps.clock.now()) - SKEW_MS;
    // Before acting, and on every retry: a dispatch since the step started is the one to follow.
    const earlier = await this.runSince(since, signal);
    if (earlier) return this.receipt(earlier, target, `A rollback run started earlier is under way:`);
    const { live } = await this.findLive(HISTORY_LIMIT, signal);
    if (live.deployment.sha.toLowerCase() === sha.toLowerCase()) {
      return { alreadyAtTarget: true, detail: `deployment ${live.deployment.id} of ${target.version} is already live in ${this.environment}`, notes: [] };
    }
    return this.dispatch(target, sha, context);
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const { handle, signal } = context;
    if (!handle) return this.liveByDeployments(target, signal);
    const { data: run } = await this.api.read('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { ...this.repoParams(), run_id: handle }, WorkflowRun, signal);
    return this.runState(run, target, signal);
  }

  // ---- reading ----

  /** Deployments of the environment, newest first, following GitHub's pages up to `max`. */
  private async deployments(max: number, filter: { sha?: string }, signal?: AbortSignal): Promise<GithubDeployment[]> {
    const list = await this.api.list('GET /repos/{owner}/{repo}/deployments', { ...this.repoParams(), environment: this.environment, ...filter }, DeploymentList, max, signal);
    return newestFirst(list);
  }

  private async withStatuses(deployment: GithubDeployment, signal?: AbortSignal): Promise<Deployed> {
    const statuses = newestFirst(
      await this.api.list('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...this.repoParams(), deployment_id: deployment.id }, StatusList, HISTORY_LIMIT, signal),
    );
    const succeeded = statuses.find((s) => s.state === 'success');
    return { deployment, ...(statuses[0] ? { latest: statuses[0] } : {}), everSucceeded: succeeded !== undefined, ...(succeeded ? { succeeded } : {}) };
  }

  /** The newest deployment whose newest status is `success`, and the deployments older than it. */
  private async findLive(max: number, signal?: AbortSignal): Promise<{ live: Deployed; older: GithubDeployment[] }> {
    const deployments = await this.deployments(max, {}, signal);
    for (const [index, deployment] of deployments.entries()) {
      const read = await this.withStatuses(deployment, signal);
      if (read.latest?.state === 'success') return { live: read, older: deployments.slice(index + 1) };
    }
    throw new ProviderError(
      `GitHub records no deployment to ${this.environment} in ${this.owner}/${this.repo} whose latest status is success (among the newest ${deployments.length}); ` +
        `does the deploy workflow create deployments for that environment (${this.environment})?`,
      false,
    );
  }

  // ---- rolling back ----

  private async dispatch(target: Release, sha: string, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const route = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
    const path = `/repos/${this.owner}/${this.repo}/actions/workflows/${this.workflow}/dispatches`;
    const calledAt = this.deps.clock.now() - SKEW_MS;
    const body = { ref: this.ref, inputs: this.inputs(target, sha, context.idempotencyKey), return_run_details: true };
    let answer;
    try {
      answer = await this.api.change(route, { ...this.repoParams(), workflow_id: this.workflow, ...body }, signal);
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      const found = await this.lookForRun(calledAt, target, `POST ${path} (${error.reason})`, signal);
      return this.receipt(found, target, 'The dispatch got no answer, yet GitHub started');
    }
    if (answer.status === 200) {
      const details = this.api.parse(DispatchDetails, answer.data, 'POST', path);
      return this.receipt({ id: details.workflow_run_id, html_url: details.html_url ?? this.runsPage() }, target, 'GitHub started');
    }
    if (answer.status === 204) return this.afterBareDispatch(calledAt, target, path, signal);
    if (answer.status >= 500) {
      // A 5xx may come after GitHub queued the run: look once before letting the step try again.
      const look = await this.lookFor(calledAt, signal).catch(() => undefined);
      if (look && 'found' in look) return this.receipt(look.found, target, `GitHub answered ${answer.status}, yet started`);
    }
    throw this.api.answerError('POST', path, answer);
  }

  /**
   * An older API answers 204 without the run: find it in the runs list. A dispatch is accepted
   * before its run exists, so not finding it is no failure: the deployments still tell when it is live.
   */
  private async afterBareDispatch(calledAt: number, target: Release, path: string, signal?: AbortSignal): Promise<RollbackReceipt> {
    try {
      return this.receipt(await this.lookForRun(calledAt, target, `POST ${path} (204, no run id)`, signal), target, 'GitHub accepted the dispatch and started');
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
      return {
        alreadyAtTarget: false,
        detail: `GitHub accepted the dispatch of ${this.workflow} for ${target.version}, but listed no run for it yet; Rewind follows the deployments of ${this.environment} instead`,
        link: this.runsPage(),
        notes: this.receiptNotes(target),
      };
    }
  }

  private lookForRun(calledAt: number, target: Release, call: string, signal?: AbortSignal): Promise<WorkflowRun> {
    return lookForEffect(() => this.lookFor(calledAt, signal), {
      clock: this.deps.clock,
      withinMs: this.config.confirmWithin,
      signal,
      platform: 'GitHub',
      call,
      effect: `workflow_dispatch run of ${this.workflow} for ${target.version}`,
    });
  }

  private async lookFor(sinceMs: number, signal?: AbortSignal): Promise<{ found: WorkflowRun } | { seen: string }> {
    const run = await this.runSince(sinceMs, signal);
    return run ? { found: run } : { seen: `no workflow_dispatch run of ${this.workflow} since ${isoSeconds(sinceMs)}` };
  }

  /**
   * The newest workflow_dispatch run of the deploy workflow created since `sinceMs`. The Runs API
   * does not show a run's inputs, so any such run is taken as this rollback's: one rollback per
   * environment runs at a time, and someone else dispatching the deploy by hand meanwhile would be adopted.
   */
  private async runSince(sinceMs: number, signal?: AbortSignal): Promise<WorkflowRun | undefined> {
    const { data } = await this.api.read(
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      { ...this.repoParams(), workflow_id: this.workflow, event: 'workflow_dispatch', created: `>=${isoSeconds(sinceMs)}`, per_page: 10 },
      RunList,
      signal,
    );
    return newestFirst(data.workflow_runs.filter((run) => Date.parse(run.created_at) >= sinceMs - 1_000))[0];
  }

  private inputs(target: Release, sha: string, rollbackId: string): Record<string, string> {
    const values: Record<string, string> = { sha, version: target.version, rollback: rollbackId };
    return Object.fromEntries(Object.entries(this.config.github.inputs).map(([name, value]) => [name, value.replace(/\{(sha|version|rollback)\}/g, (_, key: string) => values[key] ?? '')]));
  }

  private receipt(run: Pick<WorkflowRun, 'id' | 'html_url'>, target: Release, prefix: string): RollbackReceipt {
    return {
      alreadyAtTarget: false,
      detail: `${prefix} workflow run ${run.id} of ${this.workflow} on ${this.ref} to deploy ${target.version} to ${this.environment}`,
      handle: String(run.id),
      link: run.html_url,
      notes: this.receiptNotes(target),
    };
  }

  // ---- waiting ----

  private async runState(run: WorkflowRun, target: Release, signal?: AbortSignal): Promise<LiveState> {
    const status = run.status ?? 'queued';
    // queued, in_progress, waiting, requested, pending: not yet.
    if (status !== 'completed') {
      return { live: false, detail: `workflow run ${run.id} is ${status.replaceAll('_', ' ')} (${run.html_url})` };
    }
    if (run.conclusion !== 'success') {
      const reason = `workflow run ${run.id} of ${this.workflow} concluded ${run.conclusion ?? 'without a conclusion'}`;
      return { live: false, detail: reason, failed: { reason, link: run.html_url } };
    }
    return this.afterSuccessfulRun(run, target, signal);
  }

  /** The run succeeded; live once GitHub records a successful deployment of the target SHA. */
  private async afterSuccessfulRun(run: WorkflowRun, target: Release, signal?: AbortSignal): Promise<LiveState> {
    const sha = target.commit ?? '';
    const ofSha = await this.deployments(20, { sha }, signal);
    const read = await inBatches(ofSha, STATUS_READS, (d) => this.withStatuses(d, signal));
    const live = read.find((d) => d.latest?.state === 'success');
    if (live) return { live: true, detail: `deployment ${live.deployment.id} of ${target.version} is live in ${this.environment}`, current: this.toRelease(live) };
    const fresh = read.find((d) => Date.parse(d.deployment.created_at) >= Date.parse(run.created_at) - SKEW_MS);
    if (!fresh) {
      return { live: true, detail: `workflow run ${run.id} succeeded; the repository records no new deployment of ${target.version} in ${this.environment}, so the run's success is taken as live` };
    }
    const state = fresh.latest?.state ?? 'no status yet';
    if (FAILED_DEPLOYMENT_STATES.has(state)) {
      const reason = `deployment ${fresh.deployment.id} of ${target.version} reported ${state}${fresh.latest?.description ? `: ${fresh.latest.description}` : ''}`;
      return { live: false, detail: reason, failed: { reason, link: fresh.latest?.log_url ?? run.html_url } };
    }
    return { live: false, detail: `workflow run ${run.id} succeeded; deployment ${fresh.deployment.id} of ${target.version} is ${state.replaceAll('_', ' ')}` };
  }

  private async liveByDeployments(target: Release, signal?: AbortSignal): Promise<LiveState> {
    const { live } = await this.findLive(HISTORY_LIMIT, signal);
    const current = this.toRelease(live);
    const onTarget = live.deployment.sha.toLowerCase() === (target.commit ?? '').toLowerCase();
    return { live: onTarget, detail: `deployment ${live.deployment.id} (${current.version}) is live in ${this.environment}`, current };
  }

  // ---- words ----

  private previewNotes(to: Release): string[] {
    const notes = [
      `GitHub runs the workflow ${this.workflow} as it is now on ${this.ref} (today's workflow, not the one from when ${to.version} was deployed) with the SHA as an input: a new deployment, and whatever that workflow does (build, migrations, config) runs again.`,
      `The branch ${this.ref} still holds the bad commits: the next push or deploy from it redeploys them unless they are reverted.`,
      `"Last good" is the newest deployment to ${this.environment} that ever had a success status (GitHub marks older successes inactive).`,
    ];
    if (!Object.values(this.config.github.inputs).some((v) => /\{(sha|version)\}/.test(v))) {
      notes.push(`Warning: the configured inputs pass neither {sha} nor {version}, so the workflow is not told which commit to deploy.`);
    }
    return notes;
  }

  private receiptNotes(target: Release): string[] {
    return [
      `The rollback is a new deployment of ${target.version} by the team's own workflow ${this.workflow}, run as it is now on ${this.ref}: whatever it does (migrations, config) ran again.`,
      `The branch ${this.ref} still holds the bad commits: the next push or deploy redeploys them unless they are reverted.`,
    ];
  }

  private toRelease(read: Deployed): Release {
    const { deployment, latest, succeeded } = read;
    const description = [firstLine(deployment.description), deployment.ref ? `(${deployment.ref})` : undefined].filter(Boolean).join(' ');
    const link = succeeded?.log_url ?? succeeded?.environment_url ?? `https://github.com/${this.owner}/${this.repo}/deployments`;
    return {
      id: String(deployment.id),
      version: shortSha(deployment.sha),
      commit: deployment.sha,
      deployedAt: deployment.created_at,
      ...(deployment.creator?.login ? { author: deployment.creator.login } : {}),
      ...(description ? { description } : {}),
      status: latest?.state ?? 'no status',
      link,
    };
  }

  private repoParams(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  private runsPage(): string {
    return `https://github.com/${this.owner}/${this.repo}/actions`;
  }
}
