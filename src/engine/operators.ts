/** Who may act on a rollback besides approving it: the requester, or anyone who approves for the environment. */
import { isListed, mergeRefs, type ApproverRefs } from '../domain/approvers';
import { environmentApprovers } from '../domain/policy';
import { sameActor, type Actor } from '../domain/actor';
import type { RollbackRecord } from '../domain/rollback-record';
import type { EngineDeps } from './engine-deps';

export function allApprovers(deps: Pick<EngineDeps, 'catalog'>, record: RollbackRecord): ApproverRefs {
  try {
    return mergeRefs(record.policy.approvers, environmentApprovers(deps.catalog.resolve(record.service, record.environment).policy));
  } catch {
    // The service left the catalog; the approvers recorded at request time still count.
    return mergeRefs(record.policy.approvers);
  }
}

export async function mayOperate(deps: Pick<EngineDeps, 'catalog' | 'groups'>, record: RollbackRecord, actor: Actor): Promise<boolean> {
  if (sameActor(actor, record.requester)) return true;
  return isListed(actor, allApprovers(deps, record), deps.groups);
}
