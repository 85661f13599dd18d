/**
 * Approve, reject and expire. Only listed approvers decide; the requester may not approve their own
 * request unless the policy allows it; a late or repeated click changes nothing and says who decided.
 * Refusals of unauthorized clicks are written to the rollback's audit trail.
 */
import { actorLabel, sameActor, type Actor } from '../domain/actor';
import { describeRefs, isListed } from '../domain/approvers';
import { AlreadyApprovedError, AlreadyDecidedError, NotAnApproverError, SelfApprovalError, type RewindError } from '../domain/errors';
import type { RollbackRecord } from '../domain/rollback-record';
import { REWIND_ACTOR } from '../domain/actor';
import { decisionNotice } from '../messages/templates/decision-notice';
import type { Change } from './change';
import type { EngineDeps } from './engine-deps';
import { transact } from './transact';

export type ApprovalDecision = 'approve' | 'reject';

/** Who closed the approval, for "already decided by X". */
export function decidedBy(record: RollbackRecord): string | undefined {
  if (record.rejection) return actorLabel(record.rejection.actor);
  if (record.cancellation) return actorLabel(record.cancellation.actor);
  if (record.state === 'expired') return 'expiry (no decision in time)';
  const last = record.approvals.at(-1);
  if (last) return actorLabel(last.actor);
  if (record.policy.decision === 'run') return 'policy (no approval needed)';
  return undefined;
}

function expireIfDue(record: RollbackRecord, change: Change): boolean {
  if (record.state !== 'pending_approval' || record.policy.expiresAt === undefined || change.now < record.policy.expiresAt) return false;
  change.transition('expired', REWIND_ACTOR, 'approval timed out');
  change.record.timings.finishedAt = change.now;
  change.post(decisionNotice(change.record, { kind: 'expired' }));
  return true;
}

function refuse(change: Change, actor: Actor, error: RewindError) {
  change.note('approval.refused', actor, { reason: error.userMessage, data: { code: error.code } });
  return { commit: true, result: error };
}

export async function decideApproval(deps: EngineDeps, id: string, actor: Actor, decision: ApprovalDecision, reason?: string): Promise<RollbackRecord> {
  const { record, result } = await transact<RewindError | undefined>(deps, id, async (current, change) => {
    if (expireIfDue(current, change)) return { commit: true, result: new AlreadyDecidedError(id, 'expired', decidedBy(change.record)) };
    if (current.state !== 'pending_approval') return { commit: false, result: new AlreadyDecidedError(id, current.state, decidedBy(current)) };
    if (!(await isListed(actor, current.policy.approvers, deps.groups))) {
      return refuse(change, actor, new NotAnApproverError(id, describeRefs(current.policy.approvers)));
    }
    if (decision === 'approve' && sameActor(actor, current.requester) && !current.policy.selfApproval) {
      return refuse(change, actor, new SelfApprovalError(id));
    }
    if (decision === 'approve' && current.approvals.some((a) => sameActor(a.actor, actor))) {
      return { commit: false, result: new AlreadyApprovedError(id) };
    }
    const draft = change.record;
    if (decision === 'reject') {
      draft.rejection = { actor, at: change.now, ...(reason ? { reason } : {}) };
      draft.timings.finishedAt = change.now;
      change.transition('rejected', actor, reason);
      change.post(decisionNotice(draft, { kind: 'rejected', actor, ...(reason ? { reason } : {}) }));
      return { commit: true, result: undefined };
    }
    draft.approvals.push({ actor, at: change.now });
    change.note('approval.granted', actor, { data: { approvals: draft.approvals.length, required: draft.policy.required } });
    if (draft.approvals.length >= draft.policy.required) {
      draft.timings.queuedAt = change.now;
      change.transition('queued', actor, 'approved');
      change.post(decisionNotice(draft, { kind: 'approved', actor }));
    } else {
      change.refreshHeader();
      change.post(decisionNotice(draft, { kind: 'approval_recorded', actor }));
    }
    return { commit: true, result: undefined };
  });
  if (result) throw result;
  if (record.state === 'queued') await deps.scheduler.execute(record.id, record.run);
  if (record.state !== 'pending_approval' && record.policy.expiresAt !== undefined) await deps.scheduler.cancelExpiry(record.id, record.policy.expiresAt);
  return record;
}

/** Fired by the durable timer; does nothing unless the request is still waiting and due. */
export async function expireApproval(deps: EngineDeps, id: string): Promise<RollbackRecord> {
  const { record } = await transact(deps, id, (current, change) => ({ commit: expireIfDue(current, change), result: undefined }));
  // A timer that fired a little early (clock skew between hosts) is simply set again.
  if (record.state === 'pending_approval' && record.policy.expiresAt !== undefined) {
    await deps.scheduler.expireAt(id, Math.max(record.policy.expiresAt, deps.clock.now()) + 250);
  }
  return record;
}
