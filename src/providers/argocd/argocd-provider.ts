/**
 * Argo CD as a DeployProvider (PROVIDERS.md §5): a rollback syncs an application back to an earlier
 * deployment of its history (`POST /api/v1/applications/{name}/rollback {id}`), followed until the
 * operation succeeded and the app is Healthy. Argo CD refuses it while auto-sync is on, so with an
 * approval Rewind turns auto-sync off first, and `/rollback unlock` turns it back on.
 */
import type { ArgoCdProviderConfig } from '../../config/catalog-schema';
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import type { ChangePreview, PlatformHold, Release } from '../../domain/release';
import type { HttpResponse } from '../../outbound/http-client';
import { lookForEffect } from '../look-for-effect';
import { serverWords, UnansweredCall } from '../../outbound/platform-api';
import { catalogPath, tokenHint, type ProviderDeps, type ProviderSite } from '../provider-site';
import { ArgoCdApi, grpcCode, GrpcCode } from './argocd-api';
import {
  autoSyncOn,
  describeOperation,
  gitTarget,
  historyNewestFirst,
  isRunning,
  isSha,
  latestEntry,
  managedBy,
  operationRevision,
  revisionKey,
  shortRevision,
} from './argocd-app';
import { Application, ArgoSettings, AutomatedSync, type HistoryEntry } from './argocd-schemas';

/** Clock skew allowed between Rewind and Argo CD when matching an operation to a call. */
const SKEW_MS = 60_000;
const HOLD_KIND = 'argocd-autosync';

const HOOKS_NOTE =
  "Argo CD applies the old revision's manifests with the Apply strategy, which skips PreSync, Sync and PostSync hooks: migration Jobs and other hooks do not run.";
const OUTSIDE_NOTE = "Only the application's manifests change: secrets managed outside the app, databases and cluster state outside the app are untouched.";
const APPROVAL_REASON =
  'Argo CD refuses a rollback while auto-sync is on: an approver\'s approval turns auto-sync off first (it stays off until `/rollback unlock`)';

/** What `/rollback unlock` restores, from the hold or the captured state. */
const HeldAutomated = AutomatedSync.nullish();

export class ArgoCdProvider implements DeployProvider {
  readonly type = 'argocd';
  private readonly api: ArgoCdApi;
  private readonly app: string;
  private readonly path: string;
  /** Sent in the body of POST/PATCH too: grpc-gateway reads a `body: "*"` call's fields from the body only. */
  private readonly scope: { project?: string; appNamespace?: string };
  private uiBase: Promise<string> | undefined;

  constructor(
    private readonly config: ArgoCdProviderConfig,
    private readonly deps: ProviderDeps,
    site: ProviderSite,
  ) {
    const { app, project, appNamespace } = config.argocd;
    this.app = app;
    this.path = `/api/v1/applications/${encodeURIComponent(app)}`;
    this.scope = { ...(project ? { project } : {}), ...(appNamespace ? { appNamespace } : {}) };
    const rbacName = [project ?? '<its project>', ...(appNamespace ? [appNamespace] : []), app].join('/');
    this.api = new ArgoCdApi(
      {
        platform: 'Argo CD',
        label: 'argocd',
        baseUrl: config.apiUrl,
        headers: { authorization: `Bearer ${config.token}`, accept: 'application/json' },
        timeoutMs: config.timeout,
        retries: config.retries,
        tokenHint: tokenHint(site),
        access: `an Argo CD token whose role allows \`applications, get\` and \`applications, sync\` on ${rbacName} (and \`applications, update\` to turn auto-sync off; \`applications, rollback\` where argocd-cm sets \`server.rbac.rollback.enforce.enable\`)`,
        subject: `application ${app}${project ? ` in project ${project}` : ''}${appNamespace ? ` in namespace ${appNamespace}` : ''} (${catalogPath(site, 'argocd.app')})`,
        query: this.scope,
      },
      deps.http,
    );
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const app = await this.application(signal);
    const latest = latestEntry(app);
    if (!latest) throw this.noHistory();
    return this.toRelease(latest, app, await this.appLink());
  }

  /** Argo CD returns the whole history (revisionHistoryLimit entries, 10 by default) in one answer: there are no pages. */
  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    const app = await this.application(signal);
    const link = await this.appLink();
    return historyNewestFirst(app)
      .slice(0, limit)
      .map((entry) => this.toRelease(entry, app, link));
  }

  /** The newest deployment older than the live one with another revision (every history entry synced successfully). */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const app = await this.application(signal);
    const [live, ...older] = historyNewestFirst(app);
    if (!live) throw this.noHistory();
    const stable = older.find((entry) => revisionKey(entry) !== revisionKey(live));
    return stable ? this.toRelease(stable, app, await this.appLink()) : undefined;
  }

  /** A deployment Argo CD still keeps in history, by history id, version or revision prefix (newest first). */
  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref.trim().toLowerCase();
    if (!wanted) return undefined;
    const app = await this.application(signal);
    const match = historyNewestFirst(app).find((entry) => {
      const revision = revisionKey(entry)?.toLowerCase();
      if (String(entry.id) === wanted || (revision && shortRevision(revision) === wanted)) return true;
      return wanted.length >= 4 && /^[0-9a-f]+$/.test(wanted) && (revision?.startsWith(wanted) ?? false);
    });
    return match ? this.toRelease(match, app, await this.appLink()) : undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const app = await this.application(signal);
    const entries = historyNewestFirst(app);
    const fromIndex = Math.max(0, entries.findIndex((e) => String(e.id) === from.id));
    const toIndex = entries.findIndex((e) => String(e.id) === to.id);
    const target = entries[toIndex];
    const undone = entries.slice(fromIndex, toIndex < 0 ? undefined : toIndex).filter((e) => revisionKey(e) !== revisionKey(target));
    const commits = [...new Set(undone.flatMap((e) => this.describeEntry(e)))];
    const config = target ? this.sourceChange(entries[fromIndex], target) : [];
    const automated = app.spec.syncPolicy?.automated;
    const notes = [
      `Argo CD syncs ${this.app} back to ${to.version} (history ${to.id}).`,
      HOOKS_NOTE,
      OUTSIDE_NOTE,
      this.outOfSyncNote(app),
      autoSyncOn(automated)
        ? `Auto-sync is on for ${this.app}: Argo CD refuses a rollback while it is on, so an approver must approve; Rewind then turns auto-sync off, and it stays off until \`/rollback unlock\`.`
        : `Auto-sync is off for ${this.app}, so Argo CD will not sync Git's revision back on its own; a manual sync from Git would.`,
      ...this.ownerNotes(app),
    ];
    return { commits, config, migrations: [], notes, ...(autoSyncOn(automated) ? { approvalRequired: APPROVAL_REASON } : {}) };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const app = await this.application(signal);
    const state = app.status.operationState;
    return {
      application: { name: app.metadata.name, namespace: app.metadata.namespace ?? null, project: app.spec.project ?? null, managedBy: managedBy(app) ?? null },
      // The team's own setting, restored by unlock even when a resumed worker finds auto-sync already off.
      automated: app.spec.syncPolicy?.automated ?? null,
      sync: app.status.sync ?? null,
      health: app.status.health ?? null,
      operation: state ? { phase: state.phase, revision: operationRevision(state) ?? null, startedAt: state.startedAt ?? null } : null,
      history: historyNewestFirst(app).map((e) => ({ id: e.id, revision: revisionKey(e) ?? null, deployedAt: e.deployedAt ?? null })),
    };
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const since = (context.startedAt ?? this.deps.clock.now()) - SKEW_MS;
    const app = await this.application(signal);
    const entry = this.entryFor(app, target);
    const revision = revisionKey(entry) ?? target.commit;
    const earlier = revision ? this.operationSince(app, revision, since) : undefined;
    if (revision && !earlier && this.runs(app, revision)) {
      return { alreadyAtTarget: true, detail: `${this.app} already runs ${shortRevision(revision)} in Argo CD`, link: await this.appLink(), notes: [] };
    }
    const hold = await this.holdAutoSync(app, context);
    if (revision && earlier) return this.receipt(app, revision, hold, `A rollback to ${shortRevision(revision)} requested earlier is ${earlier} in Argo CD`);
    if (!entry || !revision) throw this.gone(target, app);
    return this.callRollback(app, entry, revision, hold, signal);
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const app = await this.application(context.signal);
    const link = await this.appLink();
    const latest = latestEntry(app);
    const current = latest ? { current: this.toRelease(latest, app, link) } : {};
    const revision = context.handle ?? target.commit ?? revisionKey(this.entryFor(app, target));
    if (!revision) return { live: false, detail: `Argo CD keeps no deployment ${target.id} of ${this.app} any more`, ...current };
    const short = shortRevision(revision);
    const health = app.status.health?.status ?? 'Unknown';
    const state = app.status.operationState;
    const ours = state && operationRevision(state) === revision ? state : undefined;
    if (revisionKey(app.operation?.sync) === revision && !isRunning(ours)) {
      return { live: false, detail: `Argo CD has queued the sync to ${short}; waiting for its application controller`, ...current };
    }
    if (ours) return this.operationLive(ours, short, health, app, link, current);
    if (latest && revisionKey(latest) === revision && health === 'Healthy' && !isRunning(state)) {
      return { live: true, detail: `${this.app} runs ${short} and is Healthy`, ...current };
    }
    if (context.handle && state && !isRunning(state)) {
      const reason = `Another sync (to ${shortRevision(operationRevision(state) ?? 'an unknown revision')}) replaced the rollback to ${short} before it was seen live: ${describeOperation(app)}`;
      return { live: false, detail: reason, failed: { reason, link }, ...current };
    }
    return { live: false, detail: `Argo CD: ${describeOperation(app)}; health ${health}`, progress: `health: ${health}`, ...current };
  }

  /** Puts the captured `automated` settings back, which turns auto-sync on again. */
  async releaseHold(hold: PlatformHold, signal?: AbortSignal): Promise<string> {
    const parsed = HeldAutomated.safeParse(hold.data['automated']);
    const automated = parsed.success && parsed.data ? parsed.data : {};
    await this.patchAutomated(automated, signal);
    const settings = Object.entries(automated)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ');
    return (
      `turned auto-sync back on for ${this.app} in Argo CD${settings ? ` (${settings})` : ''}: ` +
      'Argo CD now syncs what Git says, so if Git still holds the bad revision it is deployed again'
    );
  }

  // ---- internals ----

  private async application(signal?: AbortSignal): Promise<Application> {
    const { data } = await this.api.read(this.path, Application, { signal });
    return data;
  }

  /** The address people open (argocd-cm `url`), read once; the API address when the server names none. */
  private appLink(): Promise<string> {
    this.uiBase ??= this.api
      .read('/api/v1/settings', ArgoSettings)
      .then(({ data }) => data.url || this.config.apiUrl)
      .catch(() => this.config.apiUrl);
    const { appNamespace } = this.config.argocd;
    return this.uiBase.then((base) => `${base.replace(/\/+$/, '')}/applications/${appNamespace ? `${appNamespace}/` : ''}${this.app}`);
  }

  /** The history entry a release names, by id; by its revision when that entry has expired from history. */
  private entryFor(app: Application, target: Release): HistoryEntry | undefined {
    const entries = historyNewestFirst(app);
    const byId = entries.find((e) => String(e.id) === target.id);
    if (byId) return byId;
    const commit = target.commit?.toLowerCase();
    return commit ? entries.find((e) => revisionKey(e)?.toLowerCase() === commit) : undefined;
  }

  /** Whether the app runs `revision` now, with no other operation requested or under way. */
  private runs(app: Application, revision: string): boolean {
    const pending = revisionKey(app.operation?.sync);
    return revisionKey(latestEntry(app)) === revision && (pending === undefined || pending === revision) && !isRunning(app.status.operationState);
  }

  /**
   * A sync to `revision` requested or started since `sinceMs`: what an earlier call of this step did.
   * Any phase counts, a failed one too: calling again would roll back a second time.
   */
  private operationSince(app: Application, revision: string, sinceMs: number): string | undefined {
    if (revisionKey(app.operation?.sync) === revision) return 'requested';
    const state = app.status.operationState;
    if (!state || operationRevision(state) !== revision || !state.startedAt) return undefined;
    return Date.parse(state.startedAt) >= sinceMs ? state.phase : undefined;
  }

  private async callRollback(app: Application, entry: HistoryEntry, revision: string, hold: PlatformHold | undefined, signal?: AbortSignal): Promise<RollbackReceipt> {
    const path = `${this.path}/rollback`;
    const calledAt = this.deps.clock.now() - SKEW_MS;
    let response: HttpResponse;
    try {
      response = await this.api.change('POST', path, { id: entry.id, dryRun: false, prune: false, ...this.scope }, { signal });
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      const found = await lookForEffect(() => this.lookFor(revision, calledAt, signal), {
        clock: this.deps.clock,
        withinMs: this.config.confirmWithin,
        signal,
        platform: 'Argo CD',
        call: `POST ${path} (${error.reason})`,
        effect: `sync to ${shortRevision(revision)}`,
      });
      return this.receipt(found.app, revision, hold, `The rollback call got no answer, yet Argo CD shows the sync to ${shortRevision(revision)} ${found.phase}`);
    }
    if (response.status >= 200 && response.status < 300) {
      const answered = this.api.parse(Application, response, 'POST', path);
      return this.receipt(answered, revision, hold, `Argo CD started syncing ${this.app} back to ${shortRevision(revision)} (history ${entry.id})`);
    }
    const code = grpcCode(response);
    if (response.status >= 500 || code === GrpcCode.FailedPrecondition) {
      // A 5xx may come after Argo CD acted, and "another operation is already in progress" may be ours: look once.
      const look = await this.lookFor(revision, calledAt, signal).catch(() => undefined);
      if (look && 'found' in look) return this.receipt(look.found.app, revision, hold, `Argo CD answered ${response.status}, yet shows the sync to ${shortRevision(revision)} ${look.found.phase}`);
    }
    throw this.refusal(path, response, entry, app);
  }

  private async lookFor(revision: string, sinceMs: number, signal?: AbortSignal): Promise<{ found: { app: Application; phase: string } } | { seen: string }> {
    const app = await this.application(signal);
    const phase = this.operationSince(app, revision, sinceMs);
    if (phase) return { found: { app, phase } };
    return { seen: describeOperation(app) };
  }

  /**
   * Turns auto-sync off when it is on (Argo CD refuses a rollback otherwise), only with an approval:
   * the preview asked for one. The setting to restore is the captured one, so a worker resuming
   * after a crash, finding auto-sync already off, does not take "off" for the team's own choice.
   */
  private async holdAutoSync(app: Application, context: RollbackContext): Promise<PlatformHold | undefined> {
    const now = app.spec.syncPolicy?.automated;
    const parsed = HeldAutomated.safeParse(context.captured?.['automated']);
    const captured = parsed.success ? parsed.data : undefined;
    if (autoSyncOn(now)) {
      if (!context.approvedBy?.length) {
        throw new TargetUnavailableError(
          `Auto-sync was turned on for ${this.app} in Argo CD after the rollback was requested, and Argo CD refuses a rollback while it is on. ` +
            'Rewind turns it off only with an approval: request the rollback again (it will ask an approver).',
          { app: this.app },
        );
      }
      await this.patchAutomated(null, context.signal);
    }
    const previous = autoSyncOn(captured) ? captured : autoSyncOn(now) ? now : undefined;
    return previous ? { kind: HOLD_KIND, description: `auto-sync is off for ${this.app} in Argo CD`, undo: 'turn auto-sync back on', data: { automated: previous } } : undefined;
  }

  /** A merge patch given as a JSON string, as `ApplicationPatchRequest` takes it; setting a value is safe to repeat. */
  private async patchAutomated(automated: AutomatedSync | null, signal?: AbortSignal): Promise<void> {
    const patch = JSON.stringify({ spec: { syncPolicy: { automated } } });
    let response: HttpResponse;
    try {
      response = await this.api.change('PATCH', this.path, { name: this.app, patchType: 'merge', patch, ...this.scope }, { signal, idempotent: true });
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      throw new ProviderError(`Argo CD gave no answer to PATCH ${this.path} (${error.reason}) while changing auto-sync of ${this.app}; try again.`, true);
    }
    if (response.status < 200 || response.status >= 300) throw this.api.answerError('PATCH', this.path, response);
  }

  private refusal(path: string, response: HttpResponse, entry: HistoryEntry, app: Application): Error {
    const code = grpcCode(response);
    const said = serverWords(response);
    if (response.status === 400 && code === GrpcCode.InvalidArgument && /does not have deployment/i.test(said ?? '')) {
      return this.gone({ id: String(entry.id), version: shortRevision(revisionKey(entry) ?? String(entry.id)) }, app);
    }
    if (response.status === 400 && code === GrpcCode.FailedPrecondition) {
      const owner = managedBy(app);
      return new ProviderError(
        `Argo CD refused to roll ${this.app} back ("${said ?? 'failed precondition'}").` +
          (/auto-sync/i.test(said ?? '') ? ` Auto-sync was turned back on${owner ? `, probably by ${owner}` : ''}; turn it off in Argo CD and request the rollback again.` : ' See the application in Argo CD, then request the rollback again.'),
        false,
        { status: 400, code },
      );
    }
    return this.api.answerError('POST', path, response);
  }

  private gone(target: Pick<Release, 'id' | 'version'>, app: Application): TargetUnavailableError {
    const limit = app.spec.revisionHistoryLimit ?? 10;
    return new TargetUnavailableError(
      `Argo CD no longer keeps deployment ${target.id} (${target.version}) of ${this.app}: its history holds the last ${limit} deployments. Pick one of those (\`/rollback history\`), or revert in Git.`,
      { app: this.app, id: target.id },
    );
  }

  private operationLive(state: NonNullable<Application['status']['operationState']>, short: string, health: string, app: Application, link: string, current: { current?: Release }): LiveState {
    const progress = `sync ${state.phase}, health ${health}`;
    if (isRunning(state)) return { live: false, detail: `Argo CD is syncing ${short} (${state.phase}${state.message ? `: ${state.message}` : ''})`, progress, ...current };
    if (state.phase === 'Failed' || state.phase === 'Error') {
      const reason = state.message ?? `the sync to ${short} ended ${state.phase}`;
      return { live: false, detail: `Argo CD's sync to ${short} ended ${state.phase}: ${reason}`, failed: { reason, link }, ...current };
    }
    if (state.phase !== 'Succeeded') return { live: false, detail: `Argo CD's sync to ${short} is ${state.phase}`, progress, ...current };
    if (health === 'Healthy') {
      const sync = app.status.sync?.status;
      return { live: true, detail: `Argo CD synced ${short} and ${this.app} is Healthy${sync === 'OutOfSync' ? ' (OutOfSync against Git, as expected after a rollback)' : ''}`, ...current };
    }
    if (health === 'Degraded') {
      const reason = `Argo CD synced ${short}, but ${this.app} is Degraded${app.status.health?.message ? `: ${app.status.health.message}` : ''}`;
      return { live: false, detail: reason, failed: { reason, link }, ...current };
    }
    return { live: false, detail: `Argo CD synced ${short}; ${this.app} is ${health}`, progress, ...current };
  }

  private async receipt(app: Application, revision: string, hold: PlatformHold | undefined, detail: string): Promise<RollbackReceipt> {
    const notes = [HOOKS_NOTE, OUTSIDE_NOTE, this.outOfSyncNote(app)];
    if (hold) notes.push(`Auto-sync stays off for ${this.app} until \`/rollback unlock\` turns it back on (which syncs Git's revision again).`);
    notes.push(...this.ownerNotes(app));
    return { alreadyAtTarget: false, detail, handle: revision, link: await this.appLink(), ...(hold ? { hold } : {}), notes };
  }

  private outOfSyncNote(app: Application): string {
    return `The app shows OutOfSync afterwards, as expected: Git (${gitTarget(app)}) still holds the bad revision until it is fixed there.`;
  }

  private ownerNotes(app: Application): string[] {
    const owner = managedBy(app);
    if (!owner) return [];
    return [
      `Warning: ${this.app} is managed by ${owner}, which turns auto-sync back on and can undo the rollback; ` +
        'have it ignore `/spec/syncPolicy` (`ignoreApplicationDifferences`), or revert in Git.',
    ];
  }

  private describeEntry(entry: HistoryEntry): string[] {
    const revision = revisionKey(entry);
    if (!revision) return [];
    const by = this.author(entry);
    return [`${shortRevision(revision)} (deployment ${entry.id}${entry.deployedAt ? `, ${entry.deployedAt}` : ''}${by ? ` by ${by}` : ''})`];
  }

  /** Where the app's source (path, chart, target revision) changes back, beyond the revision itself. */
  private sourceChange(from: HistoryEntry | undefined, to: HistoryEntry): string[] {
    const describe = (e: HistoryEntry | undefined) => JSON.stringify(e?.sources ?? e?.source ?? null);
    if (!from || describe(from) === describe(to)) return [];
    return [`The app's source goes back from ${describe(from)} to ${describe(to)}.`];
  }

  private author(entry: HistoryEntry): string | undefined {
    return entry.initiatedBy?.username || (entry.initiatedBy?.automated ? 'automated' : undefined);
  }

  private toRelease(entry: HistoryEntry, app: Application, link: string): Release {
    const revision = revisionKey(entry);
    const live = entry.id === latestEntry(app)?.id;
    const author = this.author(entry);
    const deployedAt = entry.deployedAt ?? entry.deployStartedAt ?? undefined;
    return {
      id: String(entry.id),
      version: revision ? shortRevision(revision) : String(entry.id),
      ...(revision && isSha(revision) ? { commit: revision } : {}),
      ...(deployedAt ? { deployedAt } : {}),
      ...(author ? { author } : {}),
      status: live ? `live (${app.status.health?.status ?? 'health unknown'})` : 'superseded',
      link,
    };
  }

  private noHistory(): ProviderError {
    return new ProviderError(`Argo CD reports no deployment history for ${this.app}: has it ever been synced?`, false);
  }
}
