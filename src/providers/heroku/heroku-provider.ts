/**
 * Heroku as a DeployProvider (PROVIDERS.md §3): a rollback is a new release copying an earlier
 * release's slug and config vars (`POST /apps/{app}/releases {release: <uuid>}`), followed until its
 * release phase succeeds and it becomes the current release.
 */
import type { HerokuProviderConfig } from '../../config/catalog-schema';
import { ProviderError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import type { ChangePreview, Release } from '../../domain/release';
import type { HttpResponse } from '../../outbound/http-client';
import { lookForEffect } from '../look-for-effect';
import { PlatformApi, UnansweredCall } from '../../outbound/platform-api';
import { catalogPath, tokenHint, type ProviderDeps, type ProviderSite } from '../provider-site';
import { addonsDiffer, deployedSha, isConfigChange, isTarget, restoredVersion, rollbackOf, undoneBetween, versionNumber } from './heroku-history';
import { HerokuRelease, HerokuReleaseList } from './heroku-schemas';

const DEFAULT_API = 'https://api.heroku.com';
/** Heroku allows 1000 a page; 100 keeps each answer small while most questions need one page. */
const PAGE = 100;
/** How far back to look through releases for a target or for what a rollback undoes. */
const HISTORY_LIMIT = 300;
/** How many releases to read when looking for what a rollback call just created. */
const RECENT = 20;
/** Clock skew allowed between Rewind and Heroku when matching a release to a call. */
const SKEW_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Look = { found: HerokuRelease } | { seen: string };

/** Newest first and each release once, whatever order the pages came in. */
function newestFirst(releases: readonly HerokuRelease[]): HerokuRelease[] {
  const byId = new Map(releases.map((r) => [r.id, r]));
  return [...byId.values()].sort((a, b) => b.version - a.version);
}

function label(release: HerokuRelease): string {
  const said = release.description?.trim();
  return said ? `v${release.version} (${said})` : `v${release.version}`;
}

export class HerokuProvider implements DeployProvider {
  readonly type = 'heroku';
  private readonly api: PlatformApi;
  private readonly app: string;

  constructor(
    private readonly config: HerokuProviderConfig,
    private readonly deps: ProviderDeps,
    site: ProviderSite,
  ) {
    this.app = config.heroku.app;
    this.api = new PlatformApi(
      {
        platform: 'Heroku',
        label: 'heroku',
        baseUrl: config.apiUrl ?? DEFAULT_API,
        headers: { authorization: `Bearer ${config.token}`, accept: 'application/vnd.heroku+json; version=3' },
        timeoutMs: config.timeout,
        retries: config.retries,
        tokenHint: tokenHint(site),
        access: 'an API key or OAuth token with the write scope (write-protected when config vars hold secrets) on the app',
        subject: `app ${this.app} (${catalogPath(site, 'heroku.app')})`,
      },
      deps.http,
    );
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    return this.toRelease((await this.liveRelease(signal)).current);
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    if (limit < 1) return [];
    return (await this.releases(limit, signal)).map((r) => this.toRelease(r));
  }

  /**
   * The newest release below what runs now that Heroku can roll back to. What runs now is the
   * current release's own version, or, when it is a "Rollback to vN", vN's: the releases between
   * were already undone, so going back again means going further back.
   */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const history = await this.releases(HISTORY_LIMIT, signal);
    const current = history.find((r) => r.current);
    if (!current) throw this.noCurrentRelease();
    const running = restoredVersion(current, history);
    const stable = history.find((r) => r.version < running && isTarget(r) && restoredVersion(r, history) !== running);
    return stable ? this.toRelease(stable) : undefined;
  }

  /** A release Heroku can roll back to, by id, version (`v51` or `51`) or commit prefix. */
  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref.trim();
    if (!wanted) return undefined;
    const history = await this.releases(HISTORY_LIMIT, signal);
    const found = this.match(history, wanted) ?? (await this.readOlder(wanted, signal));
    return found && isTarget(found) ? this.toRelease(found) : undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const history = await this.releases(HISTORY_LIMIT, signal);
    const fromRelease = history.find((r) => r.id === from.id);
    const toRelease = history.find((r) => r.id === to.id);
    const fromVersion = fromRelease ? restoredVersion(fromRelease, history) : versionNumber(from.version);
    const toVersion = toRelease ? restoredVersion(toRelease, history) : versionNumber(to.version);
    const undone = fromVersion !== undefined && toVersion !== undefined ? undoneBetween(history, fromVersion, toVersion) : [];
    const commits = undone.flatMap((r) => {
      const sha = deployedSha(r);
      return sha ? [`${sha} (v${r.version}${r.user?.email ? `, ${r.user.email}` : ''})`] : [];
    });
    const config = undone.filter(isConfigChange).map((r) => `v${r.version}: ${r.description?.trim() ?? ''}`);
    const notes = this.pitfalls(to.version, config.length, fromRelease, toRelease);
    if (!toRelease) notes.push(`${to.version} is older than the ${history.length} newest releases Rewind read, so the lists above may be incomplete.`);
    return { commits, config, migrations: [], notes };
  }

  /** The current release and the newest few as Heroku reports them (no config var values: they hold secrets). */
  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { current, history } = await this.liveRelease(signal);
    return { app: this.app, current, releases: history.slice(0, 10) };
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const since = (context.startedAt ?? this.deps.clock.now()) - SKEW_MS;
    const history = await this.releases(PAGE, signal);
    const targetRelease = history.find((r) => r.id === target.id);
    const targetVersion = targetRelease?.version ?? versionNumber(target.version);
    if (targetVersion === undefined) throw new ProviderError(`Rewind cannot tell which Heroku release ${target.version} (${target.id}) is.`, false);

    const started = this.rollbackSince(history, targetVersion, since);
    if (started) return this.receipt(started, targetVersion, `A rollback to v${targetVersion} started earlier is under way:`);
    const current = history.find((r) => r.current);
    if (current && this.runs(current, target, history)) {
      return { alreadyAtTarget: true, detail: `release ${label(current)} already runs the slug and config vars of v${targetVersion}`, link: this.link(current), notes: [] };
    }

    const path = `/apps/${encodeURIComponent(this.app)}/releases`;
    const calledAt = this.deps.clock.now() - SKEW_MS;
    let response: HttpResponse;
    try {
      // Always the uuid: whether Heroku also takes a version number here is not documented.
      response = await this.api.change('POST', path, { release: target.id }, { signal });
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      const found = await lookForEffect(() => this.lookFor(targetVersion, calledAt, signal), {
        clock: this.deps.clock,
        withinMs: this.config.confirmWithin,
        signal,
        platform: 'Heroku',
        call: `POST ${path} (${error.reason})`,
        effect: `release "Rollback to v${targetVersion}"`,
      });
      return this.receipt(found, targetVersion, 'The rollback call got no answer, yet Heroku created');
    }
    return this.answered(response, path, targetVersion, calledAt, signal);
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const { handle, signal } = context;
    if (!handle) {
      const { current, history } = await this.liveRelease(signal);
      return { live: this.runs(current, target, history), detail: `release ${label(current)} is current`, current: this.toRelease(current) };
    }
    const { data: release } = await this.api.read(`/apps/${encodeURIComponent(this.app)}/releases/${encodeURIComponent(handle)}`, HerokuRelease, { signal });
    if (release.status === 'succeeded' && release.current) return { live: true, detail: `release ${label(release)} is current`, current: this.toRelease(release) };
    if (release.status === 'pending') return { live: false, detail: `release ${label(release)} is pending: its release phase is running` };
    if (release.status === 'failed') {
      const reason = `release v${release.version} failed: the release phase did not succeed`;
      const log = release.output_stream_url?.startsWith('https://') ? release.output_stream_url : undefined;
      return { live: false, detail: reason, failed: { reason, link: log ?? this.link(release) } };
    }
    if (release.status === 'succeeded') return this.superseded(release, signal);
    return { live: false, detail: `release ${label(release)} is ${release.status}` };
  }

  // ---- internals ----

  /** What a 2xx or error answer to the rollback call means; a 5xx or unreadable 2xx may come after Heroku acted. */
  private async answered(response: HttpResponse, path: string, targetVersion: number, calledAt: number, signal?: AbortSignal): Promise<RollbackReceipt> {
    if (response.status >= 200 && response.status < 300) {
      let created: HerokuRelease;
      try {
        created = this.api.parse(HerokuRelease, response, 'POST', path);
      } catch (error) {
        const look = await this.lookFor(targetVersion, calledAt, signal).catch(() => undefined);
        if (look && 'found' in look) return this.receipt(look.found, targetVersion, 'Heroku created');
        throw error;
      }
      return this.receipt(created, targetVersion, 'Heroku created');
    }
    if (response.status >= 500) {
      const look = await this.lookFor(targetVersion, calledAt, signal).catch(() => undefined);
      if (look && 'found' in look) return this.receipt(look.found, targetVersion, `Heroku answered ${response.status}, yet created`);
    }
    throw this.refusal(path, response);
  }

  /** Heroku's refusal in its own words; one across add-on changes says what to do instead. */
  private refusal(path: string, response: HttpResponse): ProviderError {
    const error = this.api.answerError('POST', path, response);
    if (response.status < 400 || response.status >= 500 || [401, 403, 404, 429].includes(response.status)) return error;
    if (!/add-?ons?/i.test(response.text)) return error;
    return new ProviderError(
      `${error.userMessage} Heroku does not roll back across add-on changes: roll back to a release with today's add-ons, or change the add-ons back first.`,
      false,
      error.details,
    );
  }

  private async superseded(release: HerokuRelease, signal?: AbortSignal): Promise<LiveState> {
    const now = await this.liveRelease(signal).then(
      (live) => ` (now ${label(live.current)})`,
      () => '',
    );
    const reason = `release v${release.version} succeeded, but a later release${now} replaced it before Rewind saw it current`;
    return { live: false, detail: reason, failed: { reason, link: this.link(release) } };
  }

  /** Releases newest first, following `Next-Range` while Heroku answers 206, until `max` or until one matches `until`. */
  private async releases(max: number, signal?: AbortSignal, until?: (release: HerokuRelease) => boolean): Promise<HerokuRelease[]> {
    const path = `/apps/${encodeURIComponent(this.app)}/releases`;
    const out: HerokuRelease[] = [];
    let range = `version ..; max=${Math.min(PAGE, max)}, order=desc`;
    for (;;) {
      const { data, response } = await this.api.read(path, HerokuReleaseList, { headers: { range }, signal });
      out.push(...data);
      const next = response.headers['next-range'];
      if (out.length >= max || response.status !== 206 || !next || data.length === 0 || (until && data.some(until))) break;
      // Heroku takes `max` on a Next-Range too: ask only for what is still needed.
      range = next.replace(/max=\d+/, `max=${Math.min(PAGE, max - out.length)}`);
    }
    return newestFirst(out).slice(0, max);
  }

  private async liveRelease(signal?: AbortSignal): Promise<{ current: HerokuRelease; history: HerokuRelease[] }> {
    const history = await this.releases(HISTORY_LIMIT, signal, (r) => r.current);
    const current = history.find((r) => r.current);
    if (!current) throw this.noCurrentRelease();
    return { current, history };
  }

  private match(history: readonly HerokuRelease[], wanted: string): HerokuRelease | undefined {
    const lower = wanted.toLowerCase();
    const version = versionNumber(wanted);
    const exact = history.find((r) => r.id.toLowerCase() === lower || r.version === version);
    if (exact || lower.length < 4 || !/^[0-9a-f]+$/.test(lower)) return exact;
    return history.find((r) => {
      const sha = deployedSha(r);
      return isTarget(r) && sha !== undefined && (sha.startsWith(lower) || lower.startsWith(sha));
    });
  }

  /** A release older than the history read, asked for by id or version (Heroku takes either in the path). */
  private async readOlder(wanted: string, signal?: AbortSignal): Promise<HerokuRelease | undefined> {
    const version = versionNumber(wanted);
    if (version === undefined && !UUID.test(wanted)) return undefined;
    const ref = version !== undefined ? String(version) : wanted;
    try {
      return (await this.api.read(`/apps/${encodeURIComponent(this.app)}/releases/${encodeURIComponent(ref)}`, HerokuRelease, { signal })).data;
    } catch (error) {
      if (error instanceof ProviderError && error.details['status'] === 404) return undefined;
      throw error;
    }
  }

  /** Whether `release` runs the slug and config vars `target` had: it is the target, or a rollback to it. */
  private runs(release: HerokuRelease, target: Release, history: readonly HerokuRelease[]): boolean {
    if (release.id === target.id) return true;
    const found = history.find((r) => r.id === target.id);
    const wanted = found ? restoredVersion(found, history) : versionNumber(target.version);
    return wanted !== undefined && restoredVersion(release, history) === wanted;
  }

  /** A "Rollback to v<N>" release created since `sinceMs`: what an earlier call already started. */
  private rollbackSince(history: readonly HerokuRelease[], targetVersion: number, sinceMs: number): HerokuRelease | undefined {
    return history.find((r) => rollbackOf(r) === targetVersion && Date.parse(r.created_at) >= sinceMs);
  }

  private async lookFor(targetVersion: number, sinceMs: number, signal?: AbortSignal): Promise<Look> {
    const recent = await this.releases(RECENT, signal);
    const found = this.rollbackSince(recent, targetVersion, sinceMs);
    if (found) return { found };
    const newest = recent[0];
    return { seen: newest ? `newest release ${label(newest)}, ${newest.status}${newest.current ? ', current' : ''}` : 'no releases' };
  }

  private receipt(release: HerokuRelease, targetVersion: number, prefix: string): RollbackReceipt {
    const target = `v${targetVersion}`;
    return {
      alreadyAtTarget: false,
      detail: `${prefix} release ${label(release)}, ${release.status}`,
      handle: release.id,
      link: this.link(release),
      notes: [
        `Heroku restored the config vars of ${target} along with its code: config changes made since are undone, and secrets rotated since (an old DATABASE_URL too, if it changed) are back.`,
        `The release phase of ${target} ran again for this rollback (its release command, e.g. the old code's database migrations).`,
      ],
    };
  }

  /** The platform's pitfalls, as facts about this rollback. */
  private pitfalls(toVersion: string, configUndone: number, from: HerokuRelease | undefined, to: HerokuRelease | undefined): string[] {
    const addons = from && to ? addonsDiffer(from, to) : undefined;
    return [
      `Heroku creates a new release that copies ${toVersion}: its slug (the code) and its config vars.`,
      `The rollback restores the config vars of ${toVersion} too, not only its code: secrets rotated since come back, and so does an old DATABASE_URL if it changed since` +
        (configUndone ? ` (${configUndone} config change${configUndone === 1 ? '' : 's'} undone).` : '.'),
      `The release phase of ${toVersion} runs again before the release goes live (its release command, e.g. the old code's database migrations).`,
      'Add-ons are not changed by a rollback (databases and other add-on data stay as they are now), and Heroku refuses a rollback across add-on changes.' +
        (addons ? ` The add-on plans differ (now: ${addons.now}; at ${toVersion}: ${addons.then}), so Heroku may refuse this one.` : ''),
      "Rewind leaves Heroku's automatic deploys (GitHub integration, pipelines) as they are: if they are on, the next push to the connected branch redeploys the code this rollback undoes.",
    ];
  }

  private toRelease(release: HerokuRelease): Release {
    const commit = deployedSha(release);
    const description = release.description?.trim();
    const author = release.user?.email;
    return {
      id: release.id,
      version: `v${release.version}`,
      ...(commit ? { commit } : {}),
      deployedAt: release.created_at,
      ...(description ? { description } : {}),
      ...(author ? { author } : {}),
      status: release.status,
      link: this.link(release),
    };
  }

  /** The app's activity page, where Heroku lists releases and their release-phase output. */
  private link(release?: HerokuRelease): string {
    const app = release?.app?.name ?? this.app;
    return `https://dashboard.heroku.com/apps/${encodeURIComponent(app)}/activity`;
  }

  private noCurrentRelease(): ProviderError {
    return new ProviderError(`Heroku reports no current release for app ${this.app} among its newest ${HISTORY_LIMIT} releases; has it ever been deployed?`, false);
  }
}
