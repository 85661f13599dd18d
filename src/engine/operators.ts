/** Who may act on a rollback besides approving it: the requester, or anyone who approves for the environment. */
import { isListed, type ApproverRefs } from '../domain/approvers';
import { sameActor, type Actor } from '../domain/actor';
import type { RollbackRecord } from '../domain/rollback-record';
import { SEVERITIES } from '../domain/severity';
import type { EngineDeps } from './engine-deps';

export function allApprovers(deps: Pick<EngineDeps, 'catalog'>, record: RollbackRecord): ApproverRefs {
  const merged: Record<'slack' | 'discord' | 'console', string[]> = { slack: [], discord: [], console: [] };
  const add = (refs: ApproverRefs | undefined) => {
    for (const platform of ['slack', 'discord', 'console'] as const) for (const ref of refs?.[platform] ?? []) merged[platform].push(ref);
  };
  add(record.policy.approvers);
  try {
    const { policy } = deps.catalog.resolve(record.service, record.environment);
    for (const severity of SEVERITIES) {
      const rule = policy.rules[severity];
      if (rule.kind === 'approval') add(rule.approvers);
    }
  } catch {
    // The service left the catalog; the approvers recorded at request time still count.
  }
  return merged;
}

export async function mayOperate(deps: Pick<EngineDeps, 'catalog' | 'groups'>, record: RollbackRecord, actor: Actor): Promise<boolean> {
  if (sameActor(actor, record.requester)) return true;
  return isListed(actor, allApprovers(deps, record), deps.groups);
}
