/**
 * What Heroku's release history means, read from release descriptions ("Deploy 9f1c2e0",
 * "Set FOO config vars", "Rollback to v51"): the commit, what a release restores, what a rollback undoes.
 */
import type { HerokuRelease } from './heroku-schemas';

const DEPLOY = /^Deploy ([0-9a-f]{7,40})\b/i;
const ROLLBACK = /^Rollback to v(\d+)\b/i;
/** Config changes by people ("Set FOO config vars") and by add-ons ("Update REDIS_URL by heroku-redis"). */
const CONFIG_CHANGE = /\bconfig vars?\b|^Update [A-Z0-9_, ]+ by /i;

/** The git SHA of a "Deploy <sha>" release; Heroku reports it nowhere else on the release. */
export function deployedSha(release: HerokuRelease): string | undefined {
  return DEPLOY.exec(release.description ?? '')?.[1]?.toLowerCase();
}

/** The version a "Rollback to vN" release copied, if it is one. */
export function rollbackOf(release: HerokuRelease): number | undefined {
  const match = ROLLBACK.exec(release.description ?? '');
  return match ? Number(match[1]) : undefined;
}

export function isConfigChange(release: HerokuRelease): boolean {
  return CONFIG_CHANGE.test(release.description ?? '');
}

/** A release Heroku can roll back to: its release phase succeeded, and Heroku does not say otherwise. */
export function isTarget(release: HerokuRelease): boolean {
  return release.status === 'succeeded' && release.eligible_for_rollback !== false;
}

/** `v51`, `V51` or `51` as a version number. */
export function versionNumber(ref: string): number | undefined {
  const match = /^v?(\d+)$/i.exec(ref.trim());
  return match ? Number(match[1]) : undefined;
}

/**
 * The version whose slug and config vars a release runs: its own, or, for "Rollback to vN", vN's
 * (following rollbacks of rollbacks as far as the history read goes).
 */
export function restoredVersion(release: HerokuRelease, history: readonly HerokuRelease[]): number {
  let version = release.version;
  let copied = rollbackOf(release);
  for (let hops = 0; copied !== undefined && copied < version && hops < 20; hops++) {
    version = copied;
    const earlier = history.find((r) => r.version === copied);
    copied = earlier ? rollbackOf(earlier) : undefined;
  }
  return version;
}

/** The releases a rollback from the state of `fromVersion` back to `toVersion` undoes, newest first. */
export function undoneBetween(history: readonly HerokuRelease[], fromVersion: number, toVersion: number): HerokuRelease[] {
  return history.filter((r) => r.version > toVersion && r.version <= fromVersion && r.status === 'succeeded' && rollbackOf(r) === undefined);
}

function sortedPlans(release: HerokuRelease): string {
  return [...(release.addon_plan_names ?? [])].sort().join(', ');
}

/** Whether two releases ran with different add-on plans (Heroku refuses a rollback that would change them). */
export function addonsDiffer(a: HerokuRelease, b: HerokuRelease): { now: string; then: string } | undefined {
  if (!a.addon_plan_names || !b.addon_plan_names) return undefined;
  const now = sortedPlans(a);
  const then = sortedPlans(b);
  return now === then ? undefined : { now: now || 'none', then: then || 'none' };
}
