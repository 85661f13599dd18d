/**
 * Render as a DeployProvider (PROVIDERS.md §1): a rollback is a new deploy from an earlier
 * deploy's build artifact (`POST /v1/services/{id}/rollback {deployId}`), followed until `live`.
 * An API rollback leaves auto-deploy on, so Rewind turns it off first (unless told not to) and
 * `/rollback unlock` turns it back on.
 */
import type { RenderProviderConfig } from '../../config/catalog-schema';
import { ProviderError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import { shortSha, type ChangePreview, type PlatformHold, type Release } from '../../domain/release';
import { lookForEffect } from '../look-for-effect';
import { PlatformApi, UnansweredCall } from '../../outbound/platform-api';
import { catalogPath, tokenHint, type ProviderDeps, type ProviderSite } from '../provider-site';
import { DeployPage, FAILED_STATUSES, RenderDeploy, RenderService, WAS_LIVE_STATUSES } from './render-schemas';

const DEFAULT_API = 'https://api.render.com';
const PAGE = 100;
/** How far back to look through deploys for a target or for what a rollback undoes. */
const HISTORY_LIMIT = 300;
/** Clock skew allowed between Rewind and Render when matching a deploy to a call. */
const SKEW_MS = 60_000;
const HOLD_KIND = 'render-auto-deploy';
const CODE_ONLY_NOTE =
  'Render rolled back the code only: environment variables, secret files and service settings are as they are now; databases and disks are untouched.';

type AutoDeployField = 'autoDeploy' | 'autoDeployTrigger';

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim();
  return line ? (line.length > 80 ? `${line.slice(0, 77)}...` : line) : undefined;
}

function autoDeployOn(service: RenderService, field: AutoDeployField): boolean {
  return field === 'autoDeploy' ? service.autoDeploy === 'yes' : service.autoDeployTrigger !== undefined && service.autoDeployTrigger !== 'off';
}

/** The newer switch when the service reports it, else the documented one; never both. */
function autoDeployField(service: RenderService): AutoDeployField {
  return service.autoDeployTrigger !== undefined ? 'autoDeployTrigger' : 'autoDeploy';
}

export class RenderProvider implements DeployProvider {
  readonly type = 'render';
  private readonly api: PlatformApi;
  private readonly serviceId: string;

  constructor(
    private readonly config: RenderProviderConfig,
    private readonly deps: ProviderDeps,
    private readonly site: ProviderSite,
  ) {
    this.serviceId = config.render.serviceId;
    this.api = new PlatformApi(
      {
        platform: 'Render',
        label: 'render',
        baseUrl: config.apiUrl ?? DEFAULT_API,
        headers: { authorization: `Bearer ${config.token}`, accept: 'application/json' },
        timeoutMs: config.timeout,
        retries: config.retries,
        tokenHint: tokenHint(site),
        access: 'to belong to a member of the workspace that owns the service (Render API keys have no scopes)',
        subject: `service ${this.serviceId} (${catalogPath(site, 'render.serviceId')})`,
      },
      deps.http,
    );
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    return this.toRelease(await this.liveDeploy(signal));
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    return (await this.deploys(limit, signal)).map((deploy) => this.toRelease(deploy));
  }

  /** The newest deploy older than the live one that served traffic, with other code than the live one. */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const deploys = await this.deploys(HISTORY_LIMIT, signal);
    const liveIndex = deploys.findIndex((d) => d.status === 'live');
    if (liveIndex < 0) throw this.noLiveDeploy();
    const live = deploys[liveIndex]!;
    const stable = deploys.slice(liveIndex + 1).find((d) => WAS_LIVE_STATUSES.has(d.status) && !this.sameCode(d, live.commit?.id));
    return stable ? this.toRelease(stable) : undefined;
  }

  /** A deploy that once served traffic, by deploy id, version or commit prefix (newest first). */
  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref.trim().toLowerCase();
    const deploys = await this.deploys(HISTORY_LIMIT, signal);
    const match = deploys.find((d) => {
      if (!WAS_LIVE_STATUSES.has(d.status)) return false;
      const release = this.toRelease(d);
      if (d.id.toLowerCase() === wanted || release.version.toLowerCase() === wanted) return true;
      return wanted.length >= 4 && /^[0-9a-f]+$/.test(wanted) && (d.commit?.id.toLowerCase().startsWith(wanted) ?? false);
    });
    return match ? this.toRelease(match) : undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const deploys = await this.deploys(HISTORY_LIMIT, signal);
    const fromIndex = Math.max(0, deploys.findIndex((d) => d.id === from.id));
    const toIndex = deploys.findIndex((d) => d.id === to.id);
    const undone = deploys.slice(fromIndex, toIndex < 0 ? undefined : toIndex).filter((d) => WAS_LIVE_STATUSES.has(d.status) && d.commit);
    const commits = [...new Set(undone.map((d) => [shortSha(d.commit!.id), firstLine(d.commit!.message)].filter(Boolean).join(' ')))];
    const notes = [
      `Render starts a new deploy from the build artifact of ${to.version} (${to.id}); nothing is rebuilt.`,
      'Not rolled back: environment variables, secret files and service settings stay as they are now; databases and disks are untouched.',
      `Render can roll back only while it still keeps the build artifact of ${to.id} (how long depends on the plan).`,
    ];
    const service = await this.service(signal).catch(() => undefined);
    if (service) notes.push(this.autoDeployNote(service));
    return { commits, config: [], migrations: [], notes };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const [service, deploys] = await Promise.all([this.service(signal), this.deploys(10, signal)]);
    return { service, deploys };
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const since = (context.startedAt ?? this.deps.clock.now()) - SKEW_MS;
    const recent = await this.deploys(PAGE, signal);
    // First, and on every retry: a push must not redeploy the bad commit while this runs.
    const held = await this.holdAutoDeploy(context.captured, signal);
    const started = this.rollbackDeploySince(recent, target, since);
    if (started) return this.receipt(started, held, `A rollback to ${target.version} started earlier is under way:`);
    const live = recent.find((d) => d.status === 'live');
    if (live && (live.id === target.id || this.sameCode(live, target.commit))) {
      return { alreadyAtTarget: true, detail: `deploy ${live.id} of ${target.version} is already live`, ...(held.hold ? { hold: held.hold } : {}), notes: held.note ? [held.note] : [] };
    }

    const path = `/v1/services/${this.serviceId}/rollback`;
    const calledAt = this.deps.clock.now() - SKEW_MS;
    let response;
    try {
      response = await this.api.change('POST', path, { deployId: target.id }, { signal });
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      const found = await lookForEffect(() => this.lookFor(target, calledAt, signal), {
        clock: this.deps.clock,
        withinMs: this.config.confirmWithin,
        signal,
        platform: 'Render',
        call: `POST ${path} (${error.reason})`,
        effect: `rollback deploy of ${target.version}`,
      });
      return this.receipt(found, held, `The rollback call got no answer, yet Render started deploy ${found.id}`);
    }
    if (response.status >= 200 && response.status < 300) {
      return this.receipt(this.api.parse(RenderDeploy, response, 'POST', path), held, 'Render started');
    }
    if (response.status >= 500) {
      // A 5xx may come after Render acted: look once before letting the step try again.
      const look = await this.lookFor(target, calledAt, signal).catch(() => undefined);
      if (look && 'found' in look) return this.receipt(look.found, held, `Render answered ${response.status}, yet started`);
    }
    throw this.api.answerError('POST', path, response);
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const { handle, signal } = context;
    if (!handle) {
      const live = await this.liveDeploy(signal);
      const onTarget = live.id === target.id || this.sameCode(live, target.commit);
      return { live: onTarget, detail: `deploy ${live.id} (${this.toRelease(live).version}) is live`, current: this.toRelease(live) };
    }
    const { data: deploy } = await this.api.read(`/v1/services/${this.serviceId}/deploys/${handle}`, RenderDeploy, { signal });
    const release = this.toRelease(deploy);
    if (deploy.status === 'live') return { live: true, detail: `deploy ${deploy.id} of ${release.version} is live`, current: release };
    if (FAILED_STATUSES.has(deploy.status)) return { live: false, detail: `deploy ${deploy.id} ended ${deploy.status}`, failed: { reason: `deploy ${deploy.id} ended ${deploy.status}`, link: this.link(deploy.id) } };
    if (deploy.status === 'deactivated') {
      return {
        live: false,
        detail: `deploy ${deploy.id} was replaced`,
        failed: { reason: `deploy ${deploy.id} was replaced by a later deploy (an auto-deploy, or someone else's) before Rewind saw it live`, link: this.link(deploy.id) },
      };
    }
    return { live: false, detail: `deploy ${deploy.id} of ${release.version} is ${deploy.status.replaceAll('_', ' ')}` };
  }

  async releaseHold(hold: PlatformHold, signal?: AbortSignal): Promise<string> {
    const field = hold.data['field'] === 'autoDeployTrigger' ? 'autoDeployTrigger' : 'autoDeploy';
    const previous = typeof hold.data['previous'] === 'string' ? hold.data['previous'] : field === 'autoDeploy' ? 'yes' : 'commit';
    const path = `/v1/services/${this.serviceId}`;
    const response = await this.api.change('PATCH', path, { [field]: previous }, { signal, idempotent: true });
    if (response.status < 200 || response.status >= 300) throw this.api.answerError('PATCH', path, response);
    return `turned auto-deploy back on for Render service ${this.serviceId} (${field}: ${previous})`;
  }

  // ---- internals ----

  private async liveDeploy(signal?: AbortSignal): Promise<RenderDeploy> {
    const { data } = await this.api.read(`/v1/services/${this.serviceId}/deploys`, DeployPage, { query: { status: 'live', limit: 1 }, signal });
    const live = data[0]?.deploy;
    if (!live) throw this.noLiveDeploy();
    return live;
  }

  /** Deploys newest first, following Render's cursor until `max` or the end. */
  private async deploys(max: number, signal?: AbortSignal): Promise<RenderDeploy[]> {
    const out: RenderDeploy[] = [];
    let cursor: string | undefined;
    while (out.length < max) {
      const limit = Math.min(PAGE, max - out.length);
      const { data } = await this.api.read(`/v1/services/${this.serviceId}/deploys`, DeployPage, { query: { limit, cursor }, signal });
      out.push(...data.map((item) => item.deploy));
      cursor = data.at(-1)?.cursor;
      if (data.length < limit || !cursor) break;
    }
    return out;
  }

  private service(signal?: AbortSignal): Promise<RenderService> {
    return this.api.read(`/v1/services/${this.serviceId}`, RenderService, { signal }).then((r) => r.data);
  }

  /** A deploy Render started for a rollback to `target` since `sinceMs`: what an earlier call did. */
  private rollbackDeploySince(deploys: readonly RenderDeploy[], target: Release, sinceMs: number): RenderDeploy | undefined {
    return deploys.find((d) => d.trigger === 'rollback' && this.sameCode(d, target.commit) && d.createdAt !== undefined && Date.parse(d.createdAt) >= sinceMs);
  }

  private async lookFor(target: Release, sinceMs: number, signal?: AbortSignal): Promise<{ found: RenderDeploy } | { seen: string }> {
    const recent = await this.deploys(20, signal);
    const found = this.rollbackDeploySince(recent, target, sinceMs);
    if (found) return { found };
    const newest = recent[0];
    return { seen: newest ? `newest deploy ${newest.id} (${newest.status}${newest.trigger ? `, ${newest.trigger}` : ''})` : 'no deploys' };
  }

  /**
   * Turns auto-deploy off before the rollback, so a push cannot redeploy the bad commit meanwhile.
   * The setting to restore is the one captured before anything changed: a worker resuming after a
   * crash finds auto-deploy already off and must not take "off" for the team's own choice.
   */
  private async holdAutoDeploy(captured: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<{ hold?: PlatformHold; note?: string }> {
    let service: RenderService;
    try {
      service = await this.service(signal);
    } catch (error) {
      return { note: `Could not read the service's auto-deploy setting (${error instanceof Error ? error.message : String(error)}); check it in Render.` };
    }
    const field = autoDeployField(service);
    const before = this.capturedService(captured) ?? service;
    if (!autoDeployOn(before, field)) return {};
    if (!(this.config.pauseAutoDeploy ?? this.site.holdAfterRollback)) {
      return { note: `Auto-deploy is still on${service.branch ? ` for ${service.branch}` : ''}: the next push redeploys the bad commit (pauseAutoDeploy is off).` };
    }
    if (autoDeployOn(service, field)) {
      const path = `/v1/services/${this.serviceId}`;
      try {
        const response = await this.api.change('PATCH', path, { [field]: field === 'autoDeploy' ? 'no' : 'off' }, { signal, idempotent: true });
        if (response.status < 200 || response.status >= 300) throw this.api.answerError('PATCH', path, response);
      } catch (error) {
        // The rollback matters more than the setting: go on, and say what is left to do.
        const why = error instanceof Error ? error.message : String(error);
        return { note: `Could not turn auto-deploy off (${why}): the next push${service.branch ? ` to ${service.branch}` : ''} would redeploy the bad commit. Turn it off in Render.` };
      }
    }
    return { hold: this.hold(field, before[field] ?? (field === 'autoDeploy' ? 'yes' : 'commit'), service.branch) };
  }

  private hold(field: AutoDeployField, previous: string, branch: string | undefined): PlatformHold {
    return {
      kind: HOLD_KIND,
      description: `auto-deploy is off on Render${branch ? ` (pushes to ${branch} do not deploy)` : ''}`,
      undo: 'turn auto-deploy back on',
      data: { field, previous },
    };
  }

  private capturedService(captured: Record<string, unknown> | undefined): RenderService | undefined {
    const parsed = RenderService.safeParse(captured?.['service']);
    return parsed.success ? parsed.data : undefined;
  }

  private autoDeployNote(service: RenderService): string {
    const field = autoDeployField(service);
    if (!autoDeployOn(service, field)) return 'Auto-deploy is off for this service, so a push will not redeploy on its own.';
    const branch = service.branch ? ` for ${service.branch}` : '';
    if (this.config.pauseAutoDeploy ?? this.site.holdAfterRollback) {
      return `Auto-deploy is on${branch}, and an API rollback leaves it on: Rewind turns it off before rolling back; \`/rollback unlock\` turns it back on.`;
    }
    return `Warning: auto-deploy is on${branch} and stays on (pauseAutoDeploy: false): the next push redeploys the bad commit.`;
  }

  private receipt(deploy: RenderDeploy, held: { hold?: PlatformHold | undefined; note?: string }, prefix: string): RollbackReceipt {
    const release = this.toRelease(deploy);
    return {
      alreadyAtTarget: false,
      detail: `${prefix} deploy ${deploy.id} of ${release.version} (${deploy.status.replaceAll('_', ' ')})`,
      handle: deploy.id,
      link: this.link(deploy.id),
      ...(held.hold ? { hold: held.hold } : {}),
      notes: [CODE_ONLY_NOTE, ...(held.note ? [held.note] : [])],
    };
  }

  private sameCode(deploy: RenderDeploy, commit: string | undefined): boolean {
    const mine = deploy.commit?.id;
    return mine !== undefined && commit !== undefined && mine.toLowerCase() === commit.toLowerCase();
  }

  private toRelease(deploy: RenderDeploy): Release {
    const commit = deploy.commit?.id;
    const tag = deploy.image?.ref?.match(/:([^:@/]+)$/)?.[1];
    const version = commit ? shortSha(commit) : (tag ?? deploy.image?.sha?.slice(0, 19) ?? deploy.id);
    const description = [firstLine(deploy.commit?.message), deploy.trigger ? `(${deploy.trigger.replaceAll('_', ' ')})` : undefined].filter(Boolean).join(' ');
    const deployedAt = deploy.finishedAt ?? deploy.createdAt;
    return {
      id: deploy.id,
      version,
      ...(commit ? { commit } : {}),
      ...(deployedAt ? { deployedAt } : {}),
      ...(description ? { description } : {}),
      status: deploy.status,
      link: this.link(deploy.id),
    };
  }

  private link(deployId: string): string {
    return `https://dashboard.render.com/web/${this.serviceId}/deploys/${deployId}`;
  }

  private noLiveDeploy(): ProviderError {
    return new ProviderError(`Render reports no live deploy for service ${this.serviceId}; is it suspended, or still on its first deploy?`, false);
  }
}
