/**
 * Vercel as a DeployProvider (PROVIDERS.md §4): an instant rollback points production's domains back
 * at an earlier production deployment (`POST /v1/projects/{id}/rollback/{deploymentId}`), followed
 * through the project's `lastAliasRequest`. It leaves production pinned until `/rollback unlock` promotes.
 */
import type { VercelProviderConfig } from '../../config/catalog-schema';
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import { shortSha, type ChangePreview, type PlatformHold, type Release } from '../../domain/release';
import type { HttpResponse } from '../../outbound/http-client';
import { lookForEffect } from '../look-for-effect';
import { UnansweredCall } from '../../outbound/platform-api';
import { catalogPath, tokenHint, type ProviderDeps, type ProviderSite } from '../provider-site';
import { VercelApi } from './vercel-api';
import {
  commitMessage,
  commitSha,
  DeploymentPage,
  READY,
  requestedAtMs,
  RollbackAliases,
  VercelProject,
  type AliasRequest,
  type ProductionTarget,
  type VercelDeployment,
} from './vercel-schemas';

const DEFAULT_API = 'https://api.vercel.com';
/** Vercel's default page; most lookups end on the first one, so a bigger page would mostly be waste. */
const PAGE = 20;
/** How far back to look through production deployments for a target or for what a rollback undoes. */
const HISTORY_LIMIT = 300;
/** Clock skew allowed between Rewind and Vercel when matching an alias request to a call. */
const SKEW_MS = 60_000;
const HOLD_KIND = 'vercel-pinned';
const DASHBOARD = 'https://vercel.com/dashboard';

const ENV_NOTE = 'Environment variables are not updated: the rolled-back build keeps the environment variables it was built with, not the ones set in Vercel now.';
const CRON_NOTE = "Cron jobs revert to that deployment's cron jobs.";
const PIN_NOTE = 'Production is pinned: new production deployments are not promoted until `/rollback unlock` (which promotes the deployment then serving production).';
const HOBBY_NOTE = 'On the Hobby plan only the immediately previous production deployment can be rolled back to; Vercel refuses older ones there.';
const PREVIEW_NOTE = 'Preview deployments are never rollback targets: only production deployments that served traffic are.';
const PINNED_BEFORE_NOTE =
  'Production was already pinned before this rollback (someone rolled back in Vercel), so Rewind keeps no hold: new production deployments stay unpromoted until a deployment is promoted in Vercel.';
const BUSY_HINT = "Another rollback or promotion of the project may be under way: see the project's Deployments page in Vercel, then request the rollback again.";
const REFUSAL_HINT = 'Vercel rolls back only to READY production deployments that served traffic, and on the Hobby plan only to the immediately previous one.';

/** A listed deployment, or production's target read as one (it may lack the creation time). */
type DeploymentLike = Omit<VercelDeployment, 'created'> & { created?: number };

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim();
  return line ? (line.length > 80 ? `${line.slice(0, 77)}...` : line) : undefined;
}

function ok(response: HttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function asDeployment(target: ProductionTarget): DeploymentLike {
  const { id, createdAt, ...rest } = target;
  return { ...rest, uid: id, target: 'production', ...(createdAt !== undefined ? { created: createdAt } : {}) };
}

function label(release: Release): string {
  return release.version === release.id ? release.id : `${release.version} (${release.id})`;
}

function describeRequest(request: AliasRequest | null | undefined): string {
  return request ? `last alias request: ${request.type} to ${request.toDeploymentId}, ${request.jobStatus}` : 'no alias request';
}

export class VercelProvider implements DeployProvider {
  readonly type = 'vercel';
  private readonly api: VercelApi;
  private readonly projectId: string;

  constructor(
    private readonly config: VercelProviderConfig,
    private readonly deps: ProviderDeps,
    site: ProviderSite,
  ) {
    this.projectId = config.vercel.projectId;
    const { teamId } = config.vercel;
    this.api = new VercelApi(
      {
        platform: 'Vercel',
        label: 'vercel',
        baseUrl: config.apiUrl ?? DEFAULT_API,
        headers: { authorization: `Bearer ${config.token}`, accept: 'application/json' },
        timeoutMs: config.timeout,
        retries: config.retries,
        tokenHint: tokenHint(site),
        access: teamId ? `a Vercel access token with access to the project and to team ${teamId}` : 'a Vercel access token with access to the project',
        subject: `project ${this.projectId} (${catalogPath(site, 'vercel.projectId')})${teamId ? ` in team ${teamId} (${catalogPath(site, 'vercel.teamId')})` : ''}`,
        // Team projects answer only when every call names the team.
        ...(teamId ? { query: { teamId } } : {}),
      },
      deps.http,
    );
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const live = this.production(await this.project(signal));
    // Without its git facts the target would name another version than the list does.
    if (!live.meta) {
      const listed = await this.findDeployment((d) => d.uid === live.id, signal);
      if (listed) return this.toRelease(listed);
    }
    return this.toRelease(asDeployment(live));
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    return (await this.deployments(limit, signal)).map((d) => this.toRelease(d));
  }

  /** The newest deployment older than the live one that can be rolled back to, with other code than the live one. */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const live = this.production(await this.project(signal));
    let liveListed: VercelDeployment | undefined;
    for await (const d of this.history(HISTORY_LIMIT, signal)) {
      if (d.uid === live.id) {
        liveListed = d;
        continue;
      }
      const older = liveListed !== undefined || (live.createdAt !== undefined && d.created < live.createdAt);
      if (!older || !this.isCandidate(d)) continue;
      const liveCommit = commitSha(live.meta) ?? commitSha(liveListed?.meta);
      if (liveCommit && commitSha(d.meta)?.toLowerCase() === liveCommit.toLowerCase()) continue;
      return this.toRelease(d);
    }
    return undefined;
  }

  /** A production deployment Vercel can roll back to, by id, URL, version or commit prefix (newest first). */
  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    if (!wanted) return undefined;
    for await (const d of this.history(HISTORY_LIMIT, signal)) {
      if (d.uid.toLowerCase() === wanted) return this.isCandidate(d) ? this.toRelease(d) : undefined;
      if (this.isCandidate(d) && this.matches(d, wanted)) return this.toRelease(d);
    }
    return undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const newer: VercelDeployment[] = [];
    for await (const d of this.history(HISTORY_LIMIT, signal)) {
      if (d.uid === to.id) break;
      newer.push(d);
    }
    const fromIndex = Math.max(0, newer.findIndex((d) => d.uid === from.id));
    const undone = newer.slice(fromIndex).filter((d) => this.isCandidate(d) && commitSha(d.meta));
    const commits = [...new Set(undone.map((d) => [shortSha(commitSha(d.meta)!), firstLine(commitMessage(d.meta))].filter(Boolean).join(' ')))];
    const notes = [
      `Vercel points production's domains back at the existing build of ${label(to)}; nothing is rebuilt.`,
      ENV_NOTE,
      CRON_NOTE,
      PIN_NOTE,
      HOBBY_NOTE,
      PREVIEW_NOTE,
    ];
    const project = await this.project(signal).catch(() => undefined);
    if (project?.autoAssignCustomDomains === false) {
      notes.push('Production is already pinned now (auto-assignment of production domains is off): a rollback or promotion was done in Vercel.');
    }
    return { commits, config: [], migrations: [], notes };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const [project, deployments] = await Promise.all([this.project(signal), this.deployments(10, signal)]);
    const listed = deployments.map((d) => ({ uid: d.uid, url: d.url ?? null, state: d.readyState ?? d.state ?? null, created: d.created, commit: commitSha(d.meta) ?? null }));
    return { project, deployments: listed };
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const since = (context.startedAt ?? this.deps.clock.now()) - SKEW_MS;
    const holds = !this.pinnedBefore(context.captured);
    const project = await this.project(signal);
    const earlier = this.rollbackRequestSince(project, target.id, since);
    if (earlier) {
      return this.receipt(target, `A rollback to ${label(target)} requested earlier is ${earlier.jobStatus} on Vercel`, holds);
    }
    if (project.targets?.production?.id === target.id) {
      // No call to make; a pin found now is Rewind's to hold only if it was not there before.
      const pinned = project.autoAssignCustomDomains === false;
      return {
        alreadyAtTarget: true,
        detail: `production already serves ${label(target)}`,
        handle: target.id,
        link: this.releaseLink(target),
        ...(pinned && holds ? { hold: this.hold(target.id) } : {}),
        notes: pinned ? [holds ? PIN_NOTE : PINNED_BEFORE_NOTE] : [],
      };
    }
    await this.checkTarget(target, signal);

    const path = `/v1/projects/${encodeURIComponent(this.projectId)}/rollback/${encodeURIComponent(target.id)}`;
    const calledAt = this.deps.clock.now() - SKEW_MS;
    let response: HttpResponse;
    try {
      // The documented call takes no body; the CLI's v9 twin insists on `{}`, so send that.
      response = await this.api.change('POST', path, {}, { signal, query: { description: `Rewind ${context.idempotencyKey}` } });
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      const found = await lookForEffect(() => this.lookFor(target.id, calledAt, signal), {
        clock: this.deps.clock,
        withinMs: this.config.confirmWithin,
        signal,
        platform: 'Vercel',
        call: `POST ${path} (${error.reason})`,
        effect: `rollback to ${label(target)}`,
      });
      return this.receipt(target, `The rollback call got no answer, yet Vercel shows production moving to ${label(target)} (${this.jobOf(found, target.id)})`, holds);
    }
    if (ok(response)) return this.receipt(target, `Vercel is moving production to ${label(target)}`, holds);
    if (response.status >= 500 || response.status === 409) {
      // A 5xx may come after Vercel acted, and a 409 may mean a rollback is already under way: look once.
      const look = await this.lookFor(target.id, calledAt, signal).catch(() => undefined);
      if (look && 'found' in look) return this.receipt(target, `Vercel answered ${response.status}, yet shows production moving to ${label(target)} (${this.jobOf(look.found, target.id)})`, holds);
    }
    throw this.refusal('POST', path, response);
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const wanted = context.handle ?? target.id;
    const project = await this.project(context.signal);
    const production = project.targets?.production;
    const current = production ? this.toRelease(asDeployment(production)) : undefined;
    const withCurrent = current ? { current } : {};
    const onTarget = production?.id === wanted;
    const request = project.lastAliasRequest;
    const live: LiveState = { live: true, detail: `production serves ${label(target)}`, ...withCurrent };
    if (request?.toDeploymentId !== wanted) {
      // No request of ours on record (it may have settled and been cleared): production tells.
      if (onTarget) return live;
      return { live: false, detail: `production serves ${production?.id ?? 'nothing'}; ${describeRequest(request)}`, ...withCurrent };
    }
    switch (request.jobStatus) {
      case 'succeeded':
        return onTarget ? live : { live: false, detail: `Vercel reports the ${request.type} to ${label(target)} succeeded, but production serves ${production?.id ?? 'nothing'}`, ...withCurrent };
      case 'skipped':
        if (onTarget) return live;
        return this.failed(`Vercel skipped the ${request.type} to ${label(target)}; production still serves ${production?.id ?? 'nothing'}`, target, withCurrent);
      case 'failed':
        return this.failed(`Vercel's ${request.type} to ${label(target)} failed: not every alias could be moved to it${await this.failedAliases(context.signal)}`, target, withCurrent);
      default:
        return { live: false, detail: `Vercel's ${request.type} to ${label(target)} is ${request.jobStatus}`, ...withCurrent };
    }
  }

  /** Promotes the deployment serving production, which turns auto-assignment of production domains back on. */
  async releaseHold(hold: PlatformHold, signal?: AbortSignal): Promise<string> {
    const project = await this.project(signal);
    if (project.autoAssignCustomDomains !== false) return 'production on Vercel is no longer pinned (auto-assignment of production domains is already back on); nothing was promoted';
    const held = typeof hold.data['deploymentId'] === 'string' ? hold.data['deploymentId'] : undefined;
    // What serves now, not what the rollback pinned: unlocking must not move production's traffic.
    const deploymentId = project.targets?.production?.id ?? held;
    if (!deploymentId) throw new ProviderError(`Vercel reports no production deployment for project ${this.projectId}, so there is nothing to promote; promote one in Vercel.`, false);
    const path = `/v10/projects/${encodeURIComponent(this.projectId)}/promote/${encodeURIComponent(deploymentId)}`;
    const done = `promoted ${deploymentId} on Vercel, which turns auto-assignment of production domains back on: new production deployments are promoted again${held && held !== deploymentId ? ` (production had moved on from ${held})` : ''}`;
    let response: HttpResponse;
    try {
      response = await this.api.change('POST', path, {}, { signal });
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      if (await this.unpinned(signal)) return done;
      throw new ProviderError(`Vercel gave no answer to POST ${path} (${error.reason}) and production is still pinned; try \`/rollback unlock\` again.`, true);
    }
    if (ok(response)) return done;
    // Vercel answers 409 when the deployment is already the promoted one; it is done if the pin is gone.
    if (response.status === 409) {
      if (await this.unpinned(signal)) return done;
      throw new ProviderError(
        `Vercel refused to promote ${deploymentId} (${this.api.answerError('POST', path, response).userMessage}) and production is still pinned. ` +
          `In Vercel, open the project's Deployments, choose the deployment that should serve production and Promote it (or run \`vercel promote ${deploymentId}\`).`,
        false,
        { status: 409 },
      );
    }
    throw this.api.answerError('POST', path, response);
  }

  // ---- internals ----

  private async project(signal?: AbortSignal): Promise<VercelProject> {
    const { data } = await this.api.read(`/v9/projects/${encodeURIComponent(this.projectId)}`, VercelProject, { signal });
    return data;
  }

  private production(project: VercelProject): ProductionTarget {
    const live = project.targets?.production;
    if (!live) throw new ProviderError(`Vercel reports no production deployment for project ${this.projectId}; has it ever been deployed to production?`, false);
    return live;
  }

  /** Production deployments newest first, following `pagination.next` as `until` until `max` or the end. */
  private async *history(max: number, signal?: AbortSignal): AsyncGenerator<VercelDeployment> {
    const seen = new Set<string>();
    let until: number | undefined;
    while (seen.size < max) {
      // One extra on later pages, in case `until` turns out inclusive and repeats the last one.
      const limit = Math.min(PAGE, max - seen.size + (until === undefined ? 0 : 1));
      const { data } = await this.api.read('/v6/deployments', DeploymentPage, { query: { projectId: this.projectId, target: 'production', limit, until }, signal });
      let fresh = 0;
      for (const d of data.deployments) {
        if (seen.has(d.uid) || seen.size >= max) continue;
        seen.add(d.uid);
        fresh++;
        yield d;
      }
      const next = data.pagination?.next;
      if (next === null || next === undefined || next === until || fresh === 0) return;
      until = next;
    }
  }

  private async deployments(max: number, signal?: AbortSignal): Promise<VercelDeployment[]> {
    const out: VercelDeployment[] = [];
    for await (const d of this.history(max, signal)) out.push(d);
    return out;
  }

  private async findDeployment(accept: (d: VercelDeployment) => boolean, signal?: AbortSignal): Promise<VercelDeployment | undefined> {
    for await (const d of this.history(HISTORY_LIMIT, signal)) if (accept(d)) return d;
    return undefined;
  }

  /** READY, production, and not marked by Vercel as never having served production. */
  private isCandidate(d: DeploymentLike): boolean {
    return this.whyNotCandidate(d) === undefined;
  }

  private whyNotCandidate(d: DeploymentLike): string | undefined {
    const state = d.readyState ?? d.state;
    if (state !== READY) return `in state ${state ?? 'unknown'}`;
    if (d.target !== undefined && d.target !== 'production') return 'a preview deployment';
    if (d.isRollbackCandidate === false) return 'not a rollback candidate for Vercel (it never served production)';
    // Without Vercel's verdict, a build that was staged and never promoted never served.
    if (d.isRollbackCandidate == null && d.readySubstate === 'STAGED') return 'staged but never promoted';
    return undefined;
  }

  private matches(d: VercelDeployment, wanted: string): boolean {
    if (d.url?.toLowerCase() === wanted || this.toRelease(d).version.toLowerCase() === wanted) return true;
    const sha = commitSha(d.meta)?.toLowerCase();
    return wanted.length >= 4 && /^[0-9a-f]+$/.test(wanted) && (sha?.startsWith(wanted) ?? false);
  }

  /** Refuses a target Vercel would refuse, in words a person can act on; one not listed is left to Vercel. */
  private async checkTarget(target: Release, signal?: AbortSignal): Promise<void> {
    const listed = await this.findDeployment((d) => d.uid === target.id, signal);
    const why = listed ? this.whyNotCandidate(listed) : undefined;
    if (why) {
      throw new TargetUnavailableError(`Vercel cannot roll back to ${label(target)}: it is ${why}. ${REFUSAL_HINT}`, { deploymentId: target.id });
    }
  }

  /** A rollback toward `targetId` requested since `sinceMs`: what an earlier call of this step started. */
  private rollbackRequestSince(project: VercelProject, targetId: string, sinceMs: number): AliasRequest | undefined {
    const request = project.lastAliasRequest;
    if (!request || request.type !== 'rollback' || request.toDeploymentId !== targetId) return undefined;
    const at = requestedAtMs(request);
    return at !== undefined && at >= sinceMs ? request : undefined;
  }

  private async lookFor(targetId: string, sinceMs: number, signal?: AbortSignal): Promise<{ found: VercelProject } | { seen: string }> {
    const project = await this.project(signal);
    const production = project.targets?.production?.id;
    if (this.rollbackRequestSince(project, targetId, sinceMs) || production === targetId) return { found: project };
    return { seen: `production serves ${production ?? 'nothing'}; ${describeRequest(project.lastAliasRequest)}` };
  }

  private jobOf(project: VercelProject, targetId: string): string {
    const request = project.lastAliasRequest;
    return request?.toDeploymentId === targetId ? request.jobStatus : 'already serving';
  }

  private async unpinned(signal?: AbortSignal): Promise<boolean> {
    const project = await this.project(signal).catch(() => undefined);
    return project?.autoAssignCustomDomains === true;
  }

  private pinnedBefore(captured: Record<string, unknown> | undefined): boolean {
    const parsed = VercelProject.safeParse(captured?.['project']);
    return parsed.success && parsed.data.autoAssignCustomDomains === false;
  }

  /** The aliases Vercel could not move, as the CLI lists them after a failed rollback; best effort. */
  private async failedAliases(signal?: AbortSignal): Promise<string> {
    try {
      const { data } = await this.api.read(`/v9/projects/${encodeURIComponent(this.projectId)}/rollback/aliases`, RollbackAliases, { query: { failedOnly: true, limit: 20 }, signal });
      const names = data.aliases.flatMap((a) => (a.alias ? [a.alias.alias] : []));
      return names.length ? ` (failed aliases: ${names.join(', ')})` : '';
    } catch {
      return '';
    }
  }

  private failed(reason: string, target: Release, withCurrent: { current?: Release }): LiveState {
    return { live: false, detail: reason, failed: { reason, link: this.releaseLink(target) }, ...withCurrent };
  }

  private refusal(method: string, path: string, response: HttpResponse): ProviderError {
    const error = this.api.answerError(method, path, response);
    const hint = response.status === 409 ? BUSY_HINT : [400, 402, 422].includes(response.status) ? REFUSAL_HINT : undefined;
    return hint ? new ProviderError(`${error.userMessage} ${hint}`, error.retryable, error.details) : error;
  }

  private receipt(target: Release, detail: string, holds: boolean): RollbackReceipt {
    return {
      alreadyAtTarget: false,
      detail,
      handle: target.id,
      link: this.releaseLink(target),
      ...(holds ? { hold: this.hold(target.id) } : {}),
      notes: [ENV_NOTE, CRON_NOTE, holds ? PIN_NOTE : PINNED_BEFORE_NOTE],
    };
  }

  private hold(deploymentId: string): PlatformHold {
    return {
      kind: HOLD_KIND,
      description: `production is pinned to ${deploymentId} on Vercel: new production deployments are not promoted`,
      undo: 'promote it, so new production deployments are promoted again',
      data: { deploymentId },
    };
  }

  private toRelease(d: DeploymentLike): Release {
    const commit = commitSha(d.meta);
    const version = commit ? shortSha(commit) : (d.url ?? d.uid);
    const state = d.readyState ?? d.state;
    const status = state && d.readySubstate ? `${state} (${d.readySubstate})` : state;
    const author = d.creator?.username ?? d.creator?.email ?? d.creator?.uid;
    const ref = d.meta?.githubCommitRef ?? d.meta?.gitlabCommitRef ?? d.meta?.bitbucketCommitRef;
    const description = [firstLine(commitMessage(d.meta)), ref ? `(${ref})` : undefined].filter(Boolean).join(' ');
    return {
      id: d.uid,
      version,
      ...(commit ? { commit } : {}),
      ...(d.created !== undefined ? { deployedAt: new Date(d.created).toISOString() } : {}),
      ...(author ? { author } : {}),
      ...(description ? { description } : {}),
      ...(status ? { status } : {}),
      link: this.deploymentLink(d),
    };
  }

  private deploymentLink(d: DeploymentLike): string {
    if (d.inspectorUrl) return d.inspectorUrl;
    return d.url ? `https://${d.url.replace(/^https?:\/\//, '')}` : DASHBOARD;
  }

  private releaseLink(release: Release): string {
    return release.link?.startsWith('https://') ? release.link : DASHBOARD;
  }
}
