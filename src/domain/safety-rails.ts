/**
 * Whether an automatic trigger may roll back, in the order an SRE would ask: is it still firing,
 * has a person paused or locked automation, is a rollback already running, did one just happen,
 * how many this hour, is it tied to a recent deploy, is that deploy what is live, and is this only
 * shadow mode. Pure: every input is gathered by the caller.
 */
import type { AutoSettings, AutoPause, DeployEvent, EnvironmentLock } from './automation';

export interface RailInputs {
  firing: boolean;
  settings: AutoSettings;
  now: number;
  paused?: AutoPause | undefined;
  lock?: EnvironmentLock | undefined;
  activeRollbackId?: string | undefined;
  /** When the last rollback of this service environment finished. */
  lastRollbackAt?: number | undefined;
  /** Automatic rollbacks of this service (any environment) started in the last hour. */
  autoRollbacksLastHour: number;
  latestDeploy?: DeployEvent | undefined;
  liveVersion?: string | undefined;
}

export type BlockReason = 'disabled' | 'paused' | 'locked' | 'active' | 'cooldown' | 'cap' | 'no_recent_deploy' | 'not_latest_deploy';

export type RailDecision =
  | { decision: 'rollback' }
  | { decision: 'shadow' }
  | { decision: 'ignore'; reasonCode: 'resolved' }
  | { decision: 'blocked'; reasonCode: BlockReason; message: string };

const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;

function block(reasonCode: BlockReason, message: string): RailDecision {
  return { decision: 'blocked', reasonCode, message };
}

export function evaluateRails(i: RailInputs): RailDecision {
  if (!i.firing) return { decision: 'ignore', reasonCode: 'resolved' };
  if (!i.settings.enabled) return block('disabled', 'Automatic rollback is not configured for this environment (no `auto:` in the catalog). Alerting only.');
  if (i.paused) return block('paused', `Automatic rollback is paused (by ${i.paused.by.name ?? i.paused.by.id}). \`/rollback resume-auto\` turns it back on.`);
  if (i.lock) {
    return block('locked', `The environment is locked since ${new Date(i.lock.since).toISOString().slice(11, 16)} UTC (${i.lock.reason}). \`/rollback unlock\` lets automatic rollbacks run again.`);
  }
  if (i.activeRollbackId) return block('active', `A rollback of this environment is already in progress: \`${i.activeRollbackId}\`.`);
  if (i.lastRollbackAt !== undefined && i.now - i.lastRollbackAt < i.settings.cooldownMs) {
    return block('cooldown', `A rollback finished ${minutes(i.now - i.lastRollbackAt)} ago; automatic rollbacks wait ${minutes(i.settings.cooldownMs)} after one (cooldown).`);
  }
  if (i.autoRollbacksLastHour >= i.settings.maxPerHour) {
    return block('cap', `${i.autoRollbacksLastHour} automatic rollbacks of this service in the last hour already; the cap is ${i.settings.maxPerHour} per hour.`);
  }
  if (!i.latestDeploy) return block('no_recent_deploy', 'No deploy is known for this environment, so this cannot be tied to a release. Alerting only.');
  if (i.now - i.latestDeploy.at > i.settings.windowMs) {
    return block('no_recent_deploy', `The latest deploy (\`${i.latestDeploy.version}\`) was ${minutes(i.now - i.latestDeploy.at)} ago, outside the ${minutes(i.settings.windowMs)} window after a deploy. Alerting only.`);
  }
  if (i.liveVersion !== undefined && i.liveVersion !== i.latestDeploy.version) {
    return block('not_latest_deploy', `Live is \`${i.liveVersion}\`, not the latest deploy \`${i.latestDeploy.version}\`; automatic rollback goes one release back at most.`);
  }
  if (i.settings.shadow) return { decision: 'shadow' };
  return { decision: 'rollback' };
}
