/**
 * Fly.io as a DeployProvider (PROVIDERS.md §2). Fly has no rollback command: Rewind redeploys an
 * earlier release's image onto the app's Fly Launch machines with the Machines API, each machine's
 * whole current config sent back with only the image and release metadata changed. Releases come
 * from the GraphQL API; what is live comes from the machines, since raw updates create no release.
 */
import type { FlyProviderConfig } from '../../config/catalog-schema';
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import type { ChangePreview, Release } from '../../domain/release';
import { PlatformApi } from '../../outbound/platform-api';
import { catalogPath, tokenHint, type ProviderDeps, type ProviderSite } from '../provider-site';
import {
  imageTag,
  machineImage,
  machineLabel,
  metadataValue,
  rolloutOf,
  sameImage,
  servingImage,
  shortImage,
  splitFleet,
} from './fly-fleet';
import { FlyMachines } from './fly-machines';
import { FlyReleases } from './fly-releases';
import { FlyRollout, type Goal, type RolloutTally } from './fly-rollout';
import type { FlyMachine, FlyRelease } from './fly-schemas';

const DEFAULT_MACHINES_API = 'https://api.machines.dev';
const DEFAULT_GRAPHQL = 'https://api.fly.io/graphql';
const ACCESS = 'a deploy token for the app (`fly tokens create deploy`) or an org token';
/** How far back to look through releases for a target or for what a rollback undoes. */
const HISTORY_LIMIT = 150;
/** Clock skew allowed between Rewind and Fly when telling an earlier attempt's machine updates. */
const SKEW_MS = 60_000;
/** Releases that finished deploying: the only ones worth rolling back to. */
const COMPLETE: ReadonlySet<string> = new Set(['complete']);

const KEEPS_CONFIG = 'Not rolled back: Fly keeps the current fly.toml, env vars and secrets; each machine keeps its current config and only its image changes.';
const NO_RELEASE_COMMAND =
  'Rewind updates the machines directly and does not run the release_command (unlike `fly deploy --image`): migrations are neither undone nor re-run; do that yourself if the schema changed.';
const NO_FLY_RELEASE = 'Raw machine updates create no Fly release: `fly releases` will not list this rollback, and the next `fly deploy` rebuilds machine configs from fly.toml.';
const AUTOSCALED =
  'Autoscaled extra machines are left as they are: Rewind neither creates nor destroys machines; it only changes the image of the Fly Launch machines listed at the time of the rollback.';

/** `Bearer <token>`, except macaroons (`fm1r_`, `fm2_`), which Fly takes as `FlyV1 <token>`; a token already written `FlyV1 …` goes as it is. */
export function flyAuthorization(token: string): string {
  const trimmed = token.trim();
  if (trimmed.startsWith('FlyV1 ')) return trimmed;
  const macaroon = trimmed.split(',').some((part) => /^(fm1r|fm2)_/.test(part.trim()));
  return macaroon ? `FlyV1 ${trimmed}` : `Bearer ${trimmed}`;
}

function canRollBackTo(release: FlyRelease): boolean {
  return COMPLETE.has(release.status) && !!release.imageRef;
}

function looksLikeImage(ref: string): boolean {
  return /[/:@]/.test(ref);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class FlyProvider implements DeployProvider {
  readonly type = 'fly';
  private readonly app: string;
  private readonly machines: FlyMachines;
  private readonly releases: FlyReleases;
  private readonly rollout: FlyRollout;

  constructor(
    private readonly config: FlyProviderConfig,
    private readonly deps: ProviderDeps,
    site: ProviderSite,
  ) {
    this.app = config.fly.app;
    const appPath = catalogPath(site, 'fly.app');
    const common = {
      platform: 'Fly.io',
      headers: { authorization: flyAuthorization(config.token), accept: 'application/json' },
      timeoutMs: config.timeout,
      retries: config.retries,
      tokenHint: tokenHint(site),
      access: ACCESS,
      subject: `app ${this.app} (${appPath})`,
    };
    const machinesApi = new PlatformApi({ ...common, label: 'fly', baseUrl: config.apiUrl ?? DEFAULT_MACHINES_API }, deps.http);
    this.machines = new FlyMachines(machinesApi, this.app, deps.clock);
    this.rollout = new FlyRollout(this.machines, deps.clock, this.app, config.confirmWithin);
    const graphql = new URL(config.graphqlUrl ?? DEFAULT_GRAPHQL);
    const graphqlApi = new PlatformApi({ ...common, label: 'fly-graphql', baseUrl: graphql.origin }, deps.http);
    this.releases = new FlyReleases(graphqlApi, `${graphql.pathname}${graphql.search}`, { app: this.app, appPath, tokenHint: common.tokenHint, access: ACCESS });
  }

  /** The release the machines serve: Fly's own "current release" still names the release a raw rollback replaced. */
  async currentRelease(signal?: AbortSignal): Promise<Release> {
    return (await this.look(signal, true)).live;
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    return (await this.releases.list(limit, signal)).map((release) => this.toRelease(release));
  }

  /** The newest release older than the live one that completed, with another image than the live one (a secrets change keeps the image). */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const { history, liveIndex, liveImage } = await this.look(signal, false);
    const older = liveIndex < 0 ? history : history.slice(liveIndex + 1);
    const stable = older.find((r) => canRollBackTo(r) && !sameImage(r.imageRef, liveImage));
    return stable ? this.toRelease(stable) : undefined;
  }

  /** A release that completed, by id, `v41` or `41`, image ref or tag, or a tag prefix that names one image. */
  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref.trim().toLowerCase();
    if (!wanted) return undefined;
    const candidates = (await this.releases.list(HISTORY_LIMIT, signal)).filter(canRollBackTo);
    const names = (r: FlyRelease) => [r.id, `v${r.version}`, String(r.version), r.imageRef!, imageTag(r.imageRef!) ?? ''].map((n) => n.toLowerCase());
    const exact = candidates.find((r) => names(r).includes(wanted));
    if (exact) return this.toRelease(exact);
    if (wanted.length < 4) return undefined;
    const prefixed = candidates.filter((r) => (imageTag(r.imageRef!) ?? '').toLowerCase().startsWith(wanted) || r.imageRef!.toLowerCase().startsWith(wanted));
    // A prefix shared by several images (`deployment-`) names none of them.
    const images = new Set(prefixed.map((r) => r.imageRef!.toLowerCase()));
    return images.size === 1 ? this.toRelease(prefixed[0]!) : undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const history = await this.releases.list(HISTORY_LIMIT, signal);
    const fromIndex = Math.max(0, history.findIndex((r) => r.id === from.id));
    const toIndex = history.findIndex((r) => r.id === to.id);
    const image = history[toIndex]?.imageRef ?? (looksLikeImage(to.id) ? to.id : undefined);
    const between = history.slice(fromIndex, toIndex < 0 ? undefined : toIndex);
    // A release with the image of the one before it changed config (secrets, scale, env), which a rollback keeps.
    const configOnly = between.filter((r) => r.status === 'complete' && sameImage(r.imageRef, history[history.indexOf(r) + 1]?.imageRef));
    const undone = between.filter((r) => canRollBackTo(r) && !configOnly.includes(r) && !sameImage(r.imageRef, image));
    const fleet = await this.fleet(signal).catch(() => undefined);
    const notes = [
      this.howNote(to, image, fleet?.targeted.length),
      KEEPS_CONFIG,
      ...(configOnly.length ? [`Config changes since ${to.version} stay: ${configOnly.map((r) => `v${r.version} (${r.description ?? r.reason ?? 'config'})`).join(', ')}.`] : []),
      NO_RELEASE_COMMAND,
      NO_FLY_RELEASE,
      ...this.leftNotes(fleet?.left ?? []),
      `Images not deployed for a while may have been pruned from registry.fly.io${image ? `: if ${shortImage(image)} is gone` : '; if it is gone'}, the first machine fails to start and Rewind leaves the others as they are.`,
    ];
    return { commits: undone.map((r) => this.releaseLine(r)), config: [], migrations: [], notes };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const machines = await this.machines.list(signal);
    const flyCurrentRelease = await this.releases.current(signal);
    return {
      app: this.app,
      machines: machines.map((m) => ({
        id: m.id,
        region: m.region,
        state: m.state,
        image: machineImage(m),
        processGroup: metadataValue(m, 'fly_process_group'),
        releaseId: metadataValue(m, 'fly_release_id'),
        releaseVersion: metadataValue(m, 'fly_release_version'),
        instanceId: m.instance_id,
        updatedAt: m.updated_at,
      })),
      flyCurrentRelease: flyCurrentRelease ?? null,
    };
  }

  /** Moves the targeted machines not yet on the target's image (see FlyRollout); the receipt's handle is the image. */
  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    const since = (context.startedAt ?? this.deps.clock.now()) - SKEW_MS;
    const fleet = await this.fleet(signal);
    if (fleet.targeted.length === 0) throw this.noMachines();
    const goal = await this.goal(target, signal);
    return this.receipt(goal, fleet.left, await this.rollout.run(goal, fleet.targeted, context, since));
  }

  /** Every targeted machine started on the target image with all checks passing; a machine that failed on it ends the wait. */
  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const { handle, signal } = context;
    const image = handle ?? (await this.goal(target, signal)).image;
    const { targeted } = await this.fleet(signal);
    const rollout = rolloutOf(targeted, image);
    const tag = shortImage(image);
    if (rollout.failure) return { live: false, detail: rollout.failure, failed: { reason: rollout.failure, link: this.monitoringLink() } };
    if (rollout.total === 0) return { live: false, detail: `app ${this.app} has no Fly Launch machines${this.groupsWords()}` };
    if (rollout.serving === rollout.total) {
      return { live: true, detail: `all ${plural(rollout.total, 'machine')} of ${this.app} run ${tag} with checks passing`, current: target };
    }
    const progress = `${rollout.serving}/${plural(rollout.total, 'machine')} on ${tag}`;
    const more = rollout.waiting.length > 3 ? `, and ${rollout.waiting.length - 3} more` : '';
    return { live: false, detail: `${progress}; waiting for ${rollout.waiting.slice(0, 3).join(', ')}${more}`, progress };
  }

  // ---- internals ----

  private async fleet(signal?: AbortSignal): Promise<{ targeted: FlyMachine[]; left: FlyMachine[] }> {
    return splitFleet(await this.machines.list(signal), this.config.fly.processGroups);
  }

  /** The machines, the releases, and which of them the machines serve. `soon`: stop reading releases once it is found. */
  private async look(signal: AbortSignal | undefined, soon: boolean): Promise<{ live: Release; liveImage?: string; history: FlyRelease[]; liveIndex: number }> {
    const { targeted } = await this.fleet(signal);
    const serving = servingImage(targeted);
    if (!serving) {
      // No machine tells (none has a config Fly can read): Fly's own current release is the best word left.
      const current = await this.releases.current(signal);
      if (!current) throw this.noMachines();
      const history = soon ? [] : await this.releases.list(HISTORY_LIMIT, signal);
      return { live: this.toRelease(current), ...(current.imageRef ? { liveImage: current.imageRef } : {}), history, liveIndex: history.findIndex((r) => r.id === current.id) };
    }
    const history = await this.releases.list(HISTORY_LIMIT, signal, soon ? (r) => sameImage(r.imageRef, serving.image) : undefined);
    const byMetadata = history.findIndex((r) => r.id === serving.releaseId && sameImage(r.imageRef, serving.image));
    const liveIndex = byMetadata >= 0 ? byMetadata : history.findIndex((r) => sameImage(r.imageRef, serving.image));
    const mixed = serving.count < serving.of ? `, on ${serving.count} of ${serving.of} machines (others run ${serving.others.join(', ')})` : '';
    const found = history[liveIndex];
    const live = found ? this.toRelease(found, mixed) : this.imageRelease(serving.image, mixed);
    return { live, liveImage: serving.image, history, liveIndex };
  }

  /** The target's image, re-read from Fly: the release must still be listed and have completed. */
  private async goal(target: Release, signal?: AbortSignal): Promise<Goal> {
    const history = await this.releases.list(HISTORY_LIMIT, signal, (r) => r.id === target.id);
    const release = history.find((r) => r.id === target.id);
    if (!release) {
      if (looksLikeImage(target.id)) return { image: target.id, version: target.version };
      throw new TargetUnavailableError(`Fly.io no longer lists release ${target.version} (${target.id}) among the last ${HISTORY_LIMIT} releases of ${this.app}.`);
    }
    if (!release.imageRef) throw new TargetUnavailableError(`Fly.io release v${release.version} of ${this.app} names no image, so there is nothing to redeploy.`);
    if (!canRollBackTo(release)) {
      throw new TargetUnavailableError(`Fly.io release v${release.version} of ${this.app} ended ${release.status}, so it never served traffic; pick a release that completed.`);
    }
    return { image: release.imageRef, version: `v${release.version}`, release };
  }

  private receipt(goal: Goal, left: FlyMachine[], tally: RolloutTally): RollbackReceipt {
    const to = `${goal.version} (${shortImage(goal.image)})`;
    const parts: string[] = [];
    if (tally.alreadyAtTarget) parts.push(`all ${plural(tally.already, 'machine')} of ${this.app} already run ${to}`);
    else {
      if (tally.moved > 0) parts.push(`Rewind moved ${plural(tally.moved, 'machine')} of ${this.app} to ${to}`);
      if (tally.earlier > 0) parts.push(`an earlier attempt of this rollback had already moved ${plural(tally.earlier, 'machine')} to ${to}`);
      if (tally.already > 0) parts.push(`${plural(tally.already, 'machine')} already ran it`);
    }
    if (tally.stopped) parts.push(`${tally.stopped}; Rewind left the other ${plural(tally.untouched ?? 0, 'machine')} on the image they ran`);
    return {
      alreadyAtTarget: tally.alreadyAtTarget,
      detail: parts.join('; ') || `nothing to move to ${to}`,
      handle: goal.image,
      link: `https://fly.io/apps/${this.app}/machines`,
      notes: [KEEPS_CONFIG, NO_RELEASE_COMMAND, NO_FLY_RELEASE, ...this.leftNotes(left)],
    };
  }

  private howNote(to: Release, image: string | undefined, machines: number | undefined): string {
    const onto = machines === undefined ? 'onto the Fly Launch machines' : `onto ${plural(machines, 'Fly Launch machine')}${this.groupsWords()}`;
    return (
      `Fly.io has no rollback command: Rewind redeploys the image of ${to.version}${image ? ` (${shortImage(image)})` : ''} ${onto} through the Machines API, ` +
      'one machine first and the rest once it is up with checks passing.'
    );
  }

  private leftNotes(left: readonly FlyMachine[]): string[] {
    if (left.length === 0) return [AUTOSCALED];
    const names = left.slice(0, 5).map((m) => `${machineLabel(m)}${metadataValue(m, 'fly_process_group') ? ` [${metadataValue(m, 'fly_process_group')}]` : ''}`);
    const more = left.length > 5 ? `, and ${left.length - 5} more` : '';
    return [AUTOSCALED, `Not part of the rollback, so left on their image: ${names.join(', ')}${more} (outside Fly Launch${this.config.fly.processGroups ? ' or the configured process groups' : ''}).`];
  }

  private groupsWords(): string {
    const groups = this.config.fly.processGroups;
    return groups ? ` in process group${groups.length === 1 ? '' : 's'} ${groups.join(', ')}` : '';
  }

  private releaseLine(release: FlyRelease): string {
    const what = release.description ?? release.reason ?? 'release';
    return `v${release.version} ${release.imageRef ? shortImage(release.imageRef) : ''} — ${what}${release.user?.email ? ` by ${release.user.email}` : ''}`.replace(/ {2,}/g, ' ');
  }

  private toRelease(release: FlyRelease, note = ''): Release {
    const tag = release.imageRef ? imageTag(release.imageRef) : undefined;
    // An image tagged with its commit (`ghcr.io/acme/web:9f1c2e0`) tells the commit; `deployment-…` tags do not.
    const commit = tag && /^[0-9a-f]{7,40}$/i.test(tag) ? tag : undefined;
    const description = `${[release.description ?? release.reason, release.imageRef ? `(${shortImage(release.imageRef)})` : undefined].filter(Boolean).join(' ')}${note}`;
    const author = release.user?.email;
    return {
      id: release.id,
      version: `v${release.version}`,
      deployedAt: release.createdAt,
      status: release.status,
      link: `https://fly.io/apps/${this.app}`,
      ...(description ? { description } : {}),
      ...(author ? { author } : {}),
      ...(commit ? { commit } : {}),
    };
  }

  /** An image the machines run that no listed release names (a raw `fly machine update --image`). */
  private imageRelease(image: string, note: string): Release {
    const tag = imageTag(image);
    return {
      id: image,
      version: tag ?? shortImage(image),
      description: `${shortImage(image)}, which no Fly release lists (a raw machine update)${note}`,
      link: `https://fly.io/apps/${this.app}/machines`,
      ...(tag && /^[0-9a-f]{7,40}$/i.test(tag) ? { commit: tag } : {}),
    };
  }

  private monitoringLink(): string {
    return `https://fly.io/apps/${this.app}/monitoring`;
  }

  private noMachines(): ProviderError {
    return new ProviderError(
      `Fly.io app ${this.app} has no Fly Launch machines${this.groupsWords()} to roll back (machines started with \`fly machine run\` are not part of deploys).`,
      false,
    );
  }
}
