/**
 * The blue/green switch of seed 004 as a DeployProvider: the only reachable rollback target is the
 * idle environment, and every switch is preceded and, after a failed call, followed by a status read.
 */
import type { z } from 'zod';
import type { BlueGreenProviderConfig } from '../../config/catalog-schema';
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { DeployProvider, LiveState, RollbackReceipt } from '../../domain/ports';
import type { ChangePreview, Release } from '../../domain/release';
import type { HttpClient, HttpMethod, HttpResponse } from '../http-client';
import { describeDuration, HttpBodyError, HttpTransportError, redactUrl } from '../http-errors';
import { DeploymentStatus, describeIssues, RollbackAnswer } from './status-schema';

export type BlueGreenConfig = z.output<typeof BlueGreenProviderConfig>;

const STATUS_PATH = '/deployment/status';
const ROLLBACK_PATH = '/deployment/rollback';

interface Snapshot {
  status: DeploymentStatus;
  raw: Record<string, unknown>;
  live: string;
  idle: string;
}

function normalizeVersion(version: string): string {
  return version.trim().replace(/^v(?=\d)/i, '');
}

function sameVersion(a: string, b: string): boolean {
  return normalizeVersion(a) === normalizeVersion(b);
}

export class BlueGreenProvider implements DeployProvider {
  readonly type = 'bluegreen';
  private readonly baseUrl: string;
  /** The base URL as people may see it: no user info, no credential query values. */
  private readonly shownBase: string;

  constructor(
    private readonly config: BlueGreenConfig,
    private readonly deps: { http: HttpClient },
  ) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.shownBase = redactUrl(this.baseUrl).replace(/\/+$/, '');
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const snap = await this.read(signal);
    return this.environmentRelease(snap, snap.live);
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    const snap = await this.read(signal);
    const seen = new Set<string>();
    const releases: Release[] = [];
    const add = (release: Release) => {
      const key = normalizeVersion(release.version);
      if (seen.has(key)) return;
      seen.add(key);
      releases.push(release);
    };
    for (const entry of [...snap.status.deploymentHistory].reverse()) {
      const holder = this.environmentHolding(snap, entry.version);
      add({
        id: entry.version,
        version: entry.version,
        ...(entry.environment ? { slot: entry.environment } : {}),
        ...(entry.deployedAt ? { deployedAt: entry.deployedAt } : {}),
        ...(entry.action || entry.status ? { description: [entry.action, entry.status].filter(Boolean).join(' ') } : {}),
        status: holder === snap.live ? this.liveStatus(snap) : holder === snap.idle ? 'idle' : 'replaced',
      });
    }
    // A service with a short (or no) history still has two releases on its environments.
    add(this.environmentRelease(snap, snap.live));
    add(this.environmentRelease(snap, snap.idle));
    return releases.slice(0, Math.max(0, limit));
  }

  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const snap = await this.read(signal);
    const idle = this.environmentRelease(snap, snap.idle);
    return sameVersion(idle.version, snap.status.currentVersion) ? undefined : idle;
  }

  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const snap = await this.read(signal);
    const wanted = ref.trim();
    for (const env of [snap.idle, snap.live]) {
      const version = snap.status.environments[env]!.version;
      if (env.toLowerCase() === wanted.toLowerCase() || sameVersion(version, wanted)) return this.environmentRelease(snap, env);
    }
    return undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const snap = await this.read(signal);
    const fromEnv = this.environmentHolding(snap, from.version) ?? from.slot ?? snap.live;
    const toEnv = this.environmentHolding(snap, to.version) ?? to.slot ?? snap.idle;
    const notes = [
      `Switches traffic from ${fromEnv} (${from.version}) to ${toEnv} (${to.version}).`,
      `Nothing is redeployed: ${toEnv} keeps the release it already runs.`,
      `${fromEnv} keeps ${from.version} on standby, so switching back is one more switch.`,
    ];
    if (snap.status.environments[toEnv]?.health === 'unhealthy') {
      notes.push(`Warning: ${toEnv} reports itself unhealthy right now; traffic would go to an environment that fails its health check.`);
    }
    if (snap.status.state !== 'stable') notes.push(`A switch is in progress right now (state: ${snap.status.state}).`);
    return { commits: this.commitsBetween(snap, to.version, from.version), config: [], migrations: [], notes };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return (await this.read(signal)).raw;
  }

  async rollbackTo(target: Release, options: { idempotencyKey: string; signal?: AbortSignal }): Promise<RollbackReceipt> {
    const { signal } = options;
    const before = await this.read(signal);
    if (sameVersion(before.status.currentVersion, target.version)) {
      return { alreadyAtTarget: true, detail: `${this.label(before, before.live)} is already live (${this.stateWord(before)})` };
    }
    const idleVersion = before.status.environments[before.idle]!.version;
    if (!sameVersion(idleVersion, target.version)) {
      throw new TargetUnavailableError(
        `A blue/green switch can only go to the idle environment, and ${before.idle} holds ${idleVersion}, not ${target.version} ` +
          `(${before.live} serves ${before.status.currentVersion}). Roll back to ${idleVersion}, or deploy ${target.version} to ${before.idle} first.`,
        { idle: before.idle, idleVersion, live: before.live, liveVersion: before.status.currentVersion, target: target.version },
      );
    }

    let response: HttpResponse;
    try {
      response = await this.deps.http.request({
        method: 'POST',
        url: `${this.baseUrl}${ROLLBACK_PATH}`,
        headers: { ...this.headers(), 'idempotency-key': options.idempotencyKey },
        idempotent: false,
        timeoutMs: this.config.timeout,
        retries: this.config.retries,
        label: 'bluegreen',
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      return this.settleUncertain(target, this.transportError(error, 'POST', ROLLBACK_PATH), signal);
    }

    if (response.status >= 200 && response.status < 300) {
      const answer = this.parseAnswer(response);
      if (answer?.currentVersion !== undefined && sameVersion(answer.currentVersion, target.version)) {
        const env = answer.currentEnvironment ?? before.idle;
        const live = answer.state === undefined || answer.state === 'stable';
        return { alreadyAtTarget: false, detail: `Switched traffic from ${before.live} (${before.status.currentVersion}) to ${env} (${target.version})${live ? '' : '; the switch is settling'}` };
      }
      // An answer we cannot read (or one naming another version): the status decides.
      return this.settleUncertain(target, this.statusError('POST', ROLLBACK_PATH, response, 'with an answer that does not confirm the switch'), signal);
    }

    if (response.status === 409) {
      const after = await this.read(signal);
      if (sameVersion(after.status.currentVersion, target.version)) {
        return { alreadyAtTarget: false, detail: `A switch to ${this.label(after, after.live)} was already under way (${this.stateWord(after)})` };
      }
      throw new ProviderError(
        `bluegreen at ${this.shownBase} is in the middle of another switch (${this.label(after, after.live)}, ${after.status.state}); try again once it settles.`,
        true,
        { status: 409 },
      );
    }

    return this.settleUncertain(target, this.statusError('POST', ROLLBACK_PATH, response), signal);
  }

  async liveState(target: Release, signal?: AbortSignal): Promise<LiveState> {
    const snap = await this.read(signal);
    const current = this.environmentRelease(snap, snap.live);
    const onTarget = sameVersion(snap.status.currentVersion, target.version);
    const stable = snap.status.state === 'stable';
    let detail: string;
    if (onTarget && stable) detail = `${this.label(snap, snap.live)} is serving traffic`;
    else if (onTarget) detail = `switching traffic to ${this.label(snap, snap.live)}`;
    else detail = `${this.label(snap, snap.live)} is ${stable ? 'serving traffic' : 'being switched to'}, not ${target.version}`;
    return { live: onTarget && stable, detail, current };
  }

  // ---- internals ----

  /**
   * After a rollback call that failed or answered unclearly: the switch may still have happened
   * (a 500 after switching, a timeout after the server acted), so the status decides.
   */
  private async settleUncertain(target: Release, failure: ProviderError, signal?: AbortSignal): Promise<RollbackReceipt> {
    let after: Snapshot;
    try {
      after = await this.read(signal);
    } catch (error) {
      const why = error instanceof ProviderError ? error.userMessage : String(error);
      throw new ProviderError(`${failure.userMessage}, and reading the status afterwards failed too (${why}); whether traffic switched is unknown.`, true, failure.details);
    }
    if (sameVersion(after.status.currentVersion, target.version)) {
      return { alreadyAtTarget: false, detail: `The rollback call failed (${failure.userMessage}), yet ${this.label(after, after.live)} is live (${this.stateWord(after)}): the switch took effect` };
    }
    throw new ProviderError(`${failure.userMessage}; traffic is still on ${this.label(after, after.live)}.`, failure.retryable, failure.details);
  }

  private async read(signal?: AbortSignal): Promise<Snapshot> {
    const response = await this.send('GET', STATUS_PATH, signal);
    if (response.status < 200 || response.status >= 300) throw this.statusError('GET', STATUS_PATH, response);
    let body: unknown;
    try {
      body = response.json();
    } catch (error) {
      if (!(error instanceof HttpBodyError)) throw error;
      throw new ProviderError(`bluegreen at ${this.shownBase} answered GET ${STATUS_PATH} with a body that is not JSON.`, true, { status: response.status });
    }
    const parsed = DeploymentStatus.safeParse(body);
    if (!parsed.success) {
      throw new ProviderError(
        `bluegreen at ${this.shownBase} answered GET ${STATUS_PATH} with something that is not a deployment status (${describeIssues(parsed.error)}).`,
        false,
        { status: response.status },
      );
    }
    const status = parsed.data;
    const live = status.currentEnvironment;
    const idle = Object.keys(status.environments).find((env) => env !== live)!;
    return { status, raw: body as Record<string, unknown>, live, idle };
  }

  private async send(method: HttpMethod, path: string, signal?: AbortSignal): Promise<HttpResponse> {
    try {
      return await this.deps.http.request({
        method,
        url: `${this.baseUrl}${path}`,
        headers: this.headers(),
        timeoutMs: this.config.timeout,
        retries: this.config.retries,
        label: 'bluegreen',
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (error instanceof HttpTransportError) throw this.transportError(error, method, path);
      throw error;
    }
  }

  private headers(): Record<string, string> {
    return {
      accept: 'application/json',
      ...this.config.headers,
      ...(this.config.token ? { authorization: `Bearer ${this.config.token}` } : {}),
    };
  }

  private transportError(error: HttpTransportError, method: string, path: string): ProviderError {
    const what =
      error.kind === 'timeout'
        ? `did not answer ${method} ${path} within ${describeDuration(error.timeoutMs ?? this.config.timeout)}`
        : `could not be reached for ${method} ${path} (${error.reason})`;
    return new ProviderError(`bluegreen at ${this.shownBase} ${what}`, true, { kind: error.kind, code: error.code });
  }

  private statusError(method: string, path: string, response: HttpResponse, how?: string): ProviderError {
    const { status } = response;
    let text = `bluegreen at ${this.shownBase} answered ${status} to ${method} ${path}`;
    if (how) text += ` ${how}`;
    const said = this.serverMessage(response);
    if (said) text += ` ("${said}")`;
    if (status === 401 || status === 403) text += '; check the provider token in the catalog';
    const retryable = status >= 500 || status === 429 || status === 408;
    return new ProviderError(text, retryable, { status });
  }

  /** The server's own error text, short and without our token in case it echoes it. */
  private serverMessage(response: HttpResponse): string | undefined {
    let body: unknown;
    try {
      body = response.json();
    } catch {
      return undefined;
    }
    const said = (body as { error?: unknown; message?: unknown } | null)?.error ?? (body as { message?: unknown } | null)?.message;
    if (typeof said !== 'string' || !said) return undefined;
    const token = this.config.token;
    const clean = token ? said.split(token).join('[redacted]') : said;
    return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
  }

  private parseAnswer(response: HttpResponse): RollbackAnswer | undefined {
    try {
      const parsed = RollbackAnswer.safeParse(response.json());
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private environmentRelease(snap: Snapshot, env: string): Release {
    const e = snap.status.environments[env]!;
    return {
      id: e.version,
      version: e.version,
      slot: env,
      ...(e.deployedAt ? { deployedAt: e.deployedAt } : {}),
      ...(e.health ? { description: `${env} environment, ${e.health}` } : { description: `${env} environment` }),
      status: env === snap.live ? this.liveStatus(snap) : 'idle',
    };
  }

  /** Which environment runs `version` now; the live one wins if both do. */
  private environmentHolding(snap: Snapshot, version: string): string | undefined {
    for (const env of [snap.live, snap.idle]) {
      if (sameVersion(snap.status.environments[env]!.version, version)) return env;
    }
    return undefined;
  }

  /**
   * Commits of the deploys after `to`'s last deploy, up to `from`: what the rollback takes away.
   * Only deploys count; rollback entries re-point traffic and bring no new commits.
   */
  private commitsBetween(snap: Snapshot, toVersion: string, fromVersion: string): string[] {
    const deploys = snap.status.deploymentHistory.filter((h) => h.action === undefined || h.action === 'deploy');
    let start = -1;
    deploys.forEach((h, i) => {
      if (sameVersion(h.version, toVersion)) start = i;
    });
    const commits: string[] = [];
    for (const h of deploys.slice(start + 1)) {
      if (sameVersion(h.version, toVersion) || !h.commit) continue;
      const line = `${h.commit} (${h.version})`;
      if (!commits.includes(line)) commits.push(line);
      if (sameVersion(h.version, fromVersion)) break;
    }
    return commits;
  }

  private liveStatus(snap: Snapshot): string {
    return snap.status.state === 'stable' ? 'live' : snap.status.state;
  }

  private stateWord(snap: Snapshot): string {
    return snap.status.state === 'stable' ? 'serving traffic' : snap.status.state;
  }

  private label(snap: Snapshot, env: string): string {
    return `${env} (${snap.status.environments[env]!.version})`;
  }
}
