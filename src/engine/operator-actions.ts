/**
 * What people can do to a rollback after asking for it: cancel (before the provider is touched),
 * abort (stop between steps), decide inconclusive verification, retry verification, and record
 * impact, root cause and prevention.
 */
import type { Actor } from '../domain/actor';
import { TooLateError, RewindError, ErrorCode } from '../domain/errors';
import { stepOf, providerTouched, type Postmortem, type RollbackRecord } from '../domain/rollback-record';
import { isFinished } from '../domain/rollback-state';
import { decisionNotice } from '../messages/templates/decision-notice';
import { rollbackSummary } from '../messages/templates/rollback-summary';
import { failureSummary } from '../messages/templates/failure-summary';
import type { EngineDeps } from './engine-deps';
import { mayOperate } from './operators';
import { transact } from './transact';

class NotAnOperatorError extends RewindError {
  constructor(what: string) {
    super(ErrorCode.NotAnApprover, `Only the requester or an approver may ${what} this rollback.`);
  }
}

/** Runs `act` after checking the actor may operate; refusals are audited. */
async function operate(
  deps: EngineDeps,
  id: string,
  actor: Actor,
  what: string,
  act: (record: RollbackRecord, change: import('./change').Change) => RewindError | undefined,
): Promise<RollbackRecord> {
  const { record, result } = await transact<RewindError | undefined>(deps, id, async (current, change) => {
    if (!(await mayOperate(deps, current, actor))) {
      const error = new NotAnOperatorError(what);
      change.note('approval.refused', actor, { reason: error.userMessage, data: { action: what } });
      return { commit: true, result: error };
    }
    const error = act(current, change);
    return { commit: error === undefined, result: error };
  });
  if (result) throw result;
  return record;
}

export async function cancelRollback(deps: EngineDeps, id: string, actor: Actor, reason?: string): Promise<RollbackRecord> {
  const record = await operate(deps, id, actor, 'cancel', (current, change) => {
    const cancellable = current.state === 'pending_approval' || current.state === 'queued' || (current.state === 'running' && !providerTouched(current));
    if (!cancellable) {
      return isFinished(current.state)
        ? new TooLateError(id, 'cancel', current.state)
        : new TooLateError(id, 'cancel (the provider is already being changed; use Abort to stop between steps)', current.state);
    }
    change.record.cancellation = { actor, at: change.now, ...(reason ? { reason } : {}) };
    change.record.timings.finishedAt = change.now;
    change.transition('cancelled', actor, reason ?? 'cancelled');
    change.post(decisionNotice(change.record, { kind: 'cancelled', actor, ...(reason ? { reason } : {}) }));
    return undefined;
  });
  if (record.policy.expiresAt !== undefined) await deps.scheduler.cancelExpiry(id, record.policy.expiresAt);
  await deps.scheduler.requestAbort(id);
  return record;
}

export async function abortRollback(deps: EngineDeps, id: string, actor: Actor): Promise<RollbackRecord> {
  const record = await operate(deps, id, actor, 'abort', (current, change) => {
    if (current.state !== 'running' && current.state !== 'verifying') return new TooLateError(id, 'abort', current.state);
    if (current.abort) return new RewindError(ErrorCode.AlreadyDecided, `Abort was already requested by ${current.abort.actor.name ?? current.abort.actor.id}.`);
    change.record.abort = { actor, at: change.now };
    change.note('abort.requested', actor);
    change.refreshHeader();
    change.post(decisionNotice(change.record, { kind: 'abort_requested', actor }));
    return undefined;
  });
  await deps.scheduler.requestAbort(id);
  // A rollback parked on an inconclusive verification has no running worker: finish the abort now.
  await deps.scheduler.execute(id, record.run);
  return record;
}

function awaitingDecision(record: RollbackRecord): boolean {
  return record.state === 'verifying' && record.verification?.awaitingDecision === true;
}

export async function acceptVerification(deps: EngineDeps, id: string, actor: Actor): Promise<RollbackRecord> {
  const record = await operate(deps, id, actor, 'accept the verification of', (current, change) => {
    if (!awaitingDecision(current)) return new TooLateError(id, 'accept the verification', current.state);
    const draft = change.record;
    draft.verification = { ...current.verification!, awaitingDecision: false, acceptedBy: { actor, at: change.now } };
    const verify = stepOf(draft, 'verify');
    verify.status = 'succeeded';
    verify.finishedAt = change.now;
    verify.detail = `inconclusive result accepted by ${actor.name ?? actor.id}`;
    change.note('verification.decided', actor, { reason: 'accepted' });
    change.post(decisionNotice(draft, { kind: 'verification_accepted', actor }));
    return undefined;
  });
  await deps.scheduler.execute(id, record.run);
  return record;
}

export async function failVerification(deps: EngineDeps, id: string, actor: Actor): Promise<RollbackRecord> {
  return operate(deps, id, actor, 'fail the verification of', (current, change) => {
    if (!awaitingDecision(current)) return new TooLateError(id, 'mark the verification failed', current.state);
    const draft = change.record;
    draft.verification = { ...current.verification!, awaitingDecision: false };
    const verify = stepOf(draft, 'verify');
    verify.status = 'failed';
    verify.finishedAt = change.now;
    verify.detail = `inconclusive result rejected by ${actor.name ?? actor.id}`;
    draft.outcome = {
      code: 'verification_rejected',
      message: `${actor.name ?? actor.id} judged the inconclusive verification a failure.`,
      stoppedAt: 'verify',
      providerChanged: true,
      nextSteps: ['Check the service directly; the release was switched, so the problem may lie elsewhere (dependencies, data, configuration).'],
    };
    draft.timings.finishedAt = change.now;
    change.note('verification.decided', actor, { reason: 'failed' });
    change.transition('failed', actor, 'verification rejected');
    change.post(failureSummary(draft), { broadcast: true });
    return undefined;
  });
}

export async function retryVerification(deps: EngineDeps, id: string, actor: Actor): Promise<RollbackRecord> {
  const record = await operate(deps, id, actor, 'retry the verification of', (current, change) => {
    const failedVerification = current.state === 'failed' && current.outcome?.stoppedAt === 'verify' && current.outcome.providerChanged;
    if (!awaitingDecision(current) && !failedVerification) {
      return new TooLateError(id, 'retry verification (only a finished rollback step with failed or inconclusive checks can be re-verified)', current.state);
    }
    const draft = change.record;
    if (draft.state === 'failed') {
      change.transition('verifying', actor, 'verification retried');
      delete draft.outcome;
      delete draft.timings.finishedAt;
    }
    delete draft.verification;
    draft.run += 1;
    for (const name of ['verify', 'summarize'] as const) {
      const step = stepOf(draft, name);
      step.status = 'pending';
      delete step.startedAt;
      delete step.finishedAt;
      delete step.detail;
    }
    change.note('verification.decided', actor, { reason: 'retry' });
    change.post(decisionNotice(draft, { kind: 'verification_retry', actor }));
    return undefined;
  });
  await deps.scheduler.execute(id, record.run);
  return record;
}

export async function recordPostmortem(
  deps: EngineDeps,
  id: string,
  actor: Actor,
  fields: Pick<Postmortem, 'impact' | 'rootCause' | 'prevention'>,
): Promise<RollbackRecord> {
  return operate(deps, id, actor, 'add a root cause to', (current, change) => {
    const draft = change.record;
    const merged: Postmortem = { ...current.postmortem, by: actor, at: change.now };
    for (const key of ['impact', 'rootCause', 'prevention'] as const) {
      const value = fields[key]?.trim();
      if (value) merged[key] = value;
    }
    draft.postmortem = merged;
    change.note('postmortem.updated', actor, { data: { fields: Object.keys(fields) } });
    change.refreshHeader();
    change.post(decisionNotice(draft, { kind: 'postmortem_updated', actor }));
    if (draft.state === 'succeeded') change.post(rollbackSummary(draft));
    if (draft.state === 'failed') change.post(failureSummary(draft));
    return undefined;
  });
}
