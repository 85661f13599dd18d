/**
 * The blue/green switch of seed 004 as a DeployProvider: the only reachable rollback target is the
 * idle environment, and every switch is preceded and, after a failed call, followed by a status read.
 * It works from the fields the seed documents (`currentEnvironment`, `currentVersion`,
 * `deploymentHistory`) or the catalog's field map; an `environments` map is used where a service has one.
 */
import type { z } from 'zod';
import type { BlueGreenProviderConfig } from '../../config/catalog-schema';
import { OutcomeUnknownError, ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { Clock, DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import { lookForEffect, type Look, type LookOptions } from '../look-for-effect';
import { normalizeVersion, sameVersion, unknownRelease, type ChangePreview, type Release } from '../../domain/release';
import { readPath } from '../../json/json-path';
import type { HttpClient, HttpMethod, HttpResponse } from '../../outbound/http-client';
import { describeDuration, HttpBodyError, HttpTransportError, redactUrl } from '../../outbound/http-errors';
import { serverWords } from '../../outbound/platform-api';
import { isFailed, isInProgress, isTrafficMove, readDeploymentView, type DeploymentView, type Side } from './deployment-view';
import { RollbackAnswer } from './rollback-answer';

export type BlueGreenConfig = z.output<typeof BlueGreenProviderConfig>;

interface Snapshot {
  view: DeploymentView;
  raw: Record<string, unknown>;
}

const COMMIT_PREFIX = /^[0-9a-f]{7,40}$/i;

/** Whether `side` runs `release`: by version, or by environment for a release whose version is unknown. */
function holds(side: Side | undefined, release: Release): boolean {
  if (!side) return false;
  if (release.versionUnknown) return side.name === release.slot;
  return side.version !== undefined && sameVersion(side.version, release.version);
}

function sideLabel(side: Side): string {
  return `${side.name} (${side.version ?? 'release unknown'})`;
}

export class BlueGreenProvider implements DeployProvider {
  readonly type = 'bluegreen';
  private readonly baseUrl: string;
  /** The base URL as people may see it: no user info, no credential query values. */
  private readonly shownBase: string;

  constructor(
    private readonly config: BlueGreenConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.shownBase = redactUrl(this.baseUrl).replace(/\/+$/, '');
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const { view } = await this.read(signal);
    return this.sideRelease(view, view.live);
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    const { view } = await this.read(signal);
    const seen = new Set<string>();
    const releases: Release[] = [];
    const add = (release: Release) => {
      const key = release.versionUnknown ? `slot:${release.id}` : normalizeVersion(release.version);
      if (seen.has(key)) return;
      seen.add(key);
      releases.push(release);
    };
    for (const entry of [...view.history].reverse()) {
      const holder = this.sideHolding(view, { id: entry.version, version: entry.version });
      const status = holder === view.live ? this.liveStatus(view) : holder === view.idle ? 'idle' : isFailed(entry.status) ? entry.status! : 'replaced';
      add({
        id: entry.version,
        version: entry.version,
        ...(entry.environment ? { slot: entry.environment } : {}),
        ...(entry.deployedAt ? { deployedAt: entry.deployedAt } : {}),
        ...(entry.action || entry.status ? { description: [entry.action, entry.status].filter(Boolean).join(' ') } : {}),
        status,
      });
    }
    // A service with a short (or no) history still has a release on each environment.
    add(this.sideRelease(view, view.live));
    if (view.idle) add(this.sideRelease(view, view.idle));
    return releases.slice(0, Math.max(0, limit));
  }

  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const { view } = await this.read(signal);
    const idle = this.idleOrThrow(view);
    if (!idle.version) {
      throw new TargetUnavailableError(
        `The release on ${idle.name}, the idle environment, is unknown: ${idle.unknown}. Rewind never switches traffic to an environment ` +
          `whose release it cannot tell. If you know ${idle.name} runs a good release, name it: --to ${idle.name}.`,
        { idle: idle.name, missing: idle.unknown },
      );
    }
    if (view.live.version && sameVersion(idle.version, view.live.version)) return undefined;
    return this.sideRelease(view, idle);
  }

  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const { view } = await this.read(signal);
    const wanted = ref.trim().toLowerCase();
    for (const side of [view.idle, view.live]) {
      if (!side) continue;
      const release = this.sideRelease(view, side);
      const byName = side.name.toLowerCase() === wanted || release.version.toLowerCase() === wanted;
      const byVersion = side.version !== undefined && sameVersion(side.version, ref);
      const byCommit = side.commit !== undefined && COMMIT_PREFIX.test(wanted) && side.commit.toLowerCase().startsWith(wanted);
      if (byName || byVersion || byCommit) return release;
    }
    return undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const { view } = await this.read(signal);
    const fromSide = this.sideHolding(view, from) ?? view.live;
    const toSide = this.sideHolding(view, to) ?? view.idle;
    const toLabel = toSide ? sideLabel(toSide) : releaseText(to);
    const notes = [
      `Switches traffic from ${sideLabel(fromSide)} to ${toLabel}.`,
      `Nothing is redeployed: ${toSide?.name ?? 'the idle environment'} keeps the release it already runs.`,
      `${fromSide.name} keeps ${fromSide.version ?? 'its release'} on standby, so switching back is one more switch.`,
    ];
    if (toSide?.unknown) {
      notes.push(
        `Warning: the release on ${toSide.name} is unknown (${toSide.unknown}). It was named explicitly, so Rewind switches anyway, ` +
          `then reads which release ${toSide.name} serves and verifies against that.`,
      );
    }
    if (fromSide.unknown) notes.push(`The live release on ${fromSide.name} is unknown (${fromSide.unknown}).`);
    if (toSide?.health === 'unhealthy') {
      notes.push(`Warning: ${toSide.name} reports itself unhealthy right now; traffic would go to an environment that fails its health check.`);
    }
    if (view.switching) notes.push(`A switch is in progress right now (state: ${view.state}).`);
    const commits = from.versionUnknown || to.versionUnknown ? [] : this.commitsBetween(view, to.version, from.version);
    return { commits, config: [], migrations: [], notes };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return (await this.read(signal)).raw;
  }

  async rollbackTo(target: Release, options: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = options;
    const { view: before } = await this.read(signal);
    if (holds(before.live, target)) {
      return { alreadyAtTarget: true, detail: `${sideLabel(before.live)} is already live (${this.stateWord(before)})` };
    }
    // A worker died after it may have sent the switch; seed 004 promises no idempotency, so a second POST could switch back.
    if (options.calledAt !== undefined) return this.adoptEarlierCall(target, options.calledAt, signal);
    const idle = this.idleOrThrow(before);
    if (!holds(idle, target)) {
      const holding = idle.version ?? `a release Rewind cannot tell (${idle.unknown})`;
      throw new TargetUnavailableError(
        `A blue/green switch can only go to the idle environment, and ${idle.name} holds ${holding}, not ${target.version} ` +
          `(${before.live.name} serves ${before.live.version ?? 'a release Rewind cannot tell'}). ` +
          (idle.version ? `Roll back to ${idle.version}, or deploy ${target.version} to ${idle.name} first.` : `Name it with --to ${idle.name} if you know it is good.`),
        { idle: idle.name, idleVersion: idle.version, live: before.live.name, liveVersion: before.live.version, target: target.version },
      );
    }

    await options.beforeCall?.();
    let response: HttpResponse;
    try {
      response = await this.deps.http.request({
        method: 'POST',
        url: `${this.baseUrl}${this.config.endpoints.rollback}`,
        headers: { ...this.headers(), 'idempotency-key': options.idempotencyKey },
        idempotent: false,
        timeoutMs: this.config.timeout,
        retries: this.config.retries,
        label: 'bluegreen',
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      return this.settleUncertain(target, error.kind === 'timeout' ? `no answer within ${describeDuration(error.timeoutMs ?? this.config.timeout)}` : error.reason, signal);
    }

    if (response.status >= 200 && response.status < 300) return this.accepted(before, idle, target, response, signal);

    if (response.status === 409) {
      const { view: after } = await this.read(signal);
      if (holds(after.live, target)) {
        return { alreadyAtTarget: false, detail: `A switch to ${sideLabel(after.live)} was already under way (${this.stateWord(after)})` };
      }
      throw new ProviderError(
        `bluegreen at ${this.shownBase} is in the middle of another switch (${sideLabel(after.live)}, ${after.state}); try again once it settles.`,
        true,
        { status: 409 },
      );
    }

    // A 5xx may come from a proxy after the service switched; anything else is the service saying no.
    if (response.status >= 500) {
      const said = serverWords(response, this.config.token);
      return this.settleUncertain(target, `answered ${response.status}${said ? ` ("${said}")` : ''}`, signal);
    }
    return this.settleRefusal(target, this.statusError('POST', this.config.endpoints.rollback, response), signal);
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const { view } = await this.read(context.signal);
    const current = this.sideRelease(view, view.live);
    const onTarget = holds(view.live, target);
    const settled = !view.switching;
    const shown = target.versionUnknown ? target.slot ?? target.version : target.version;
    let detail: string;
    if (onTarget && settled) detail = `${sideLabel(view.live)} is serving traffic`;
    else if (onTarget) detail = `switching traffic to ${sideLabel(view.live)}`;
    else detail = `${sideLabel(view.live)} is ${settled ? 'serving traffic' : 'being switched to'}, not ${shown}`;
    return { live: onTarget && settled, detail, current };
  }

  // ---- internals ----

  /**
   * After a rollback call that failed or answered unclearly: the switch may still have happened
   * (a 500 after switching, a timeout after the server acted), so the status decides.
   */
  /**
   * The switch got no answer, or a 5xx that may have come after switching: it may still take effect,
   * late. Watch the status for `confirmWithin`; a switch that shows continues the rollback, one that
   * does not is "outcome unknown". Never sent again: a second POST could switch traffic back.
   */
  private async settleUncertain(target: Release, reason: string, signal?: AbortSignal): Promise<RollbackReceipt> {
    const path = this.config.endpoints.rollback;
    const live = await lookForEffect(this.lookForSwitch(target, signal), { ...this.looking(target, signal), withinMs: this.config.confirmWithin, call: `POST ${path} (${reason})` });
    return { alreadyAtTarget: false, detail: `POST ${path} ended without a confirmation (${reason}), yet ${sideLabel(live)} is live: the switch took effect, once` };
  }

  private looking(target: Release, signal: AbortSignal | undefined): Omit<LookOptions, 'withinMs' | 'call'> {
    return { clock: this.deps.clock, signal, platform: `bluegreen at ${this.shownBase}`, effect: `switch to ${target.versionUnknown ? target.slot ?? target.version : target.version}` };
  }

  /** The service answered that it did not switch: one read confirms it (and catches one that switched anyway). */
  private async settleRefusal(target: Release, failure: ProviderError, signal?: AbortSignal): Promise<RollbackReceipt> {
    let after: Snapshot;
    try {
      after = await this.read(signal);
    } catch (error) {
      const why = error instanceof ProviderError ? error.userMessage : String(error);
      throw new OutcomeUnknownError(`${failure.userMessage}, and reading the status afterwards failed too (${why}); whether traffic switched is unknown.`, failure.details);
    }
    const { live } = after.view;
    if (holds(live, target)) {
      return { alreadyAtTarget: false, detail: `The rollback call failed (${failure.userMessage}), yet ${sideLabel(live)} is live (${this.stateWord(after.view)}): the switch took effect` };
    }
    throw new ProviderError(`${failure.userMessage}; traffic is still on ${sideLabel(live)}.`, failure.retryable, failure.details);
  }

  /** A dead worker may have sent the switch at `calledAt`: look for it for what is left of the grace period, and never send it again. */
  private async adoptEarlierCall(target: Release, calledAt: number, signal?: AbortSignal): Promise<RollbackReceipt> {
    const live = await lookForEffect(this.lookForSwitch(target, signal), {
      ...this.looking(target, signal),
      withinMs: Math.max(0, calledAt + this.config.confirmWithin - this.deps.clock.now()),
      call: `POST ${this.config.endpoints.rollback} (sent by a worker that stopped before it saw the answer)`,
    });
    return { alreadyAtTarget: false, detail: `The switch an earlier attempt sent took effect: ${sideLabel(live)} is live (no second call)` };
  }

  private lookForSwitch(target: Release, signal?: AbortSignal): Look<Side> {
    return async () => {
      const { view } = await this.read(signal);
      return holds(view.live, target) ? { found: view.live } : { seen: `${sideLabel(view.live)} ${this.stateWord(view)}` };
    };
  }

  /**
   * The service took the switch (2xx). Seed 004 documents no answer, so one that does not name the
   * target is not a failure: the status may lag. Calling again could switch back, so a 2xx is never
   * repeated; wait_live watches for the switch to take effect, within the environment's deadline.
   */
  private async accepted(before: DeploymentView, idle: Side, target: Release, response: HttpResponse, signal?: AbortSignal): Promise<RollbackReceipt> {
    const path = this.config.endpoints.rollback;
    const switched = `Switched traffic from ${sideLabel(before.live)} to ${sideLabel(idle)}`;
    const answer = this.parseAnswer(response);
    if (this.answerConfirms(answer, target)) {
      const settled = answer!.state === undefined || !isInProgress(answer!.state);
      return { alreadyAtTarget: false, detail: `${switched}${settled ? '' : '; the switch is settling'}` };
    }
    if (answer?.success === false) return this.settleRefusal(target, this.statusError('POST', path, response, 'saying the switch failed'), signal);
    const after = await this.read(signal).catch(() => undefined);
    if (after && holds(after.view.live, target)) return { alreadyAtTarget: false, detail: `${switched} (the status confirms it)` };
    return {
      alreadyAtTarget: false,
      detail: `bluegreen at ${this.shownBase} accepted POST ${path} (${response.status}) without confirming the switch to ${sideLabel(idle)}; waiting for the status to show it`,
    };
  }

  private answerConfirms(answer: RollbackAnswer | undefined, target: Release): boolean {
    if (!answer) return false;
    if (target.versionUnknown) return answer.currentEnvironment !== undefined && answer.currentEnvironment === target.slot;
    return answer.currentVersion !== undefined && sameVersion(answer.currentVersion, target.version);
  }

  private async read(signal?: AbortSignal): Promise<Snapshot> {
    const path = this.config.endpoints.status;
    const body = await this.getJson(path, signal);
    const result = readDeploymentView(body, this.config.status);
    if (!result.ok) {
      throw new ProviderError(
        `bluegreen at ${this.shownBase} answered GET ${path} with something that is not a deployment status: ${result.problem}. ` +
          'If the service names its fields differently, map them under `provider.status` in the catalog.',
        false,
      );
    }
    const { view } = result;
    if (!view.live.version) view.live = await this.withHealthVersion(view.live, signal);
    return { view, raw: body as Record<string, unknown> };
  }

  /** The last word on what is live when the status cannot tell: the version GET /health names. */
  private async withHealthVersion(live: Side, signal?: AbortSignal): Promise<Side> {
    const path = this.config.endpoints.health;
    let response: HttpResponse;
    try {
      response = await this.send('GET', path, signal, 0);
    } catch (error) {
      const why = error instanceof ProviderError ? error.userMessage : String(error);
      return { ...live, unknown: `${live.unknown}, and GET ${path} failed (${why})` };
    }
    let version: string | undefined;
    try {
      const found = readPath(response.json(), this.config.health.version);
      if (found.found && (typeof found.value === 'string' || typeof found.value === 'number') && String(found.value).trim()) version = String(found.value).trim();
    } catch (error) {
      if (!(error instanceof HttpBodyError)) throw error;
    }
    if (!version) return { ...live, unknown: `${live.unknown}, and GET ${path} names no ${this.config.health.version}` };
    const { unknown: _unknown, ...known } = live;
    return { ...known, version };
  }

  private async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const response = await this.send('GET', path, signal);
    if (response.status < 200 || response.status >= 300) throw this.statusError('GET', path, response);
    try {
      return response.json();
    } catch (error) {
      if (!(error instanceof HttpBodyError)) throw error;
      throw new ProviderError(`bluegreen at ${this.shownBase} answered GET ${path} with a body that is not JSON.`, true, { status: response.status });
    }
  }

  private async send(method: HttpMethod, path: string, signal?: AbortSignal, retries = this.config.retries): Promise<HttpResponse> {
    try {
      return await this.deps.http.request({
        method,
        url: `${this.baseUrl}${path}`,
        headers: this.headers(),
        timeoutMs: this.config.timeout,
        retries,
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
    const said = serverWords(response, this.config.token);
    if (said) text += ` ("${said}")`;
    if (status === 401 || status === 403) text += '; check the provider token in the catalog';
    const retryable = status >= 500 || status === 429 || status === 408;
    return new ProviderError(text, retryable, { status });
  }

  private parseAnswer(response: HttpResponse): RollbackAnswer | undefined {
    try {
      const parsed = RollbackAnswer.safeParse(response.json());
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private idleOrThrow(view: DeploymentView): Side {
    if (view.idle) return view.idle;
    throw new TargetUnavailableError(`Rewind cannot tell which environment is idle on bluegreen at ${this.shownBase}: ${view.idleProblem}.`, { live: view.live.name });
  }

  private sideRelease(view: DeploymentView, side: Side): Release {
    const status = side === view.live ? this.liveStatus(view) : 'idle';
    if (!side.version) return unknownRelease(side.name, side.unknown ?? 'the status does not say', status);
    return {
      id: side.version,
      version: side.version,
      slot: side.name,
      ...(side.deployedAt ? { deployedAt: side.deployedAt } : {}),
      description: side.health ? `${side.name} environment, ${side.health}` : `${side.name} environment`,
      status,
    };
  }

  /** Which environment runs `release` now; the live one wins if both do. */
  private sideHolding(view: DeploymentView, release: Release): Side | undefined {
    return [view.live, view.idle].find((side) => holds(side, release));
  }

  /**
   * Commits of the deploys after `to`'s last deploy, up to `from`: what the rollback takes away.
   * Only deploys count; rollback entries re-point traffic and bring no new commits.
   */
  private commitsBetween(view: DeploymentView, toVersion: string, fromVersion: string): string[] {
    const deploys = view.history.filter((h) => !isTrafficMove(h));
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

  private liveStatus(view: DeploymentView): string {
    return view.switching ? view.state : 'live';
  }

  private stateWord(view: DeploymentView): string {
    return view.switching ? view.state : 'serving traffic';
  }
}

function releaseText(release: Release): string {
  return release.versionUnknown ? release.version : release.slot ? `${release.slot} (${release.version})` : release.version;
}
