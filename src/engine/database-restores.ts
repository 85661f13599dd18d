/**
 * Restoring the database from a rollback's restore point, on request only: asked for from the
 * summary, approved by the environment's approvers whatever the rollback's severity, run by a
 * worker, and audited like a rollback. A worker that dies mid-restore is replaced by one that
 * resumes it; the platform is never asked twice (see RestoreContext.sentAt).
 */
import { REWIND_ACTOR, sameActor, type Actor } from '../domain/actor';
import { countRefs, describeRefs, isListed, mergeRefs } from '../domain/approvers';
import { assertRestoreTransition, isRestoreOpen, RestoreRefusedError, type DatabaseRestore, type RestoreState } from '../domain/database-restore';
import { describeError, RewindError, UnknownRollbackError } from '../domain/errors';
import { titleOf, type StepName } from '../domain/plan';
import { environmentApprovers } from '../domain/policy';
import type { RestorePreview } from '../domain/ports';
import type { RollbackRecord } from '../domain/rollback-record';
import { isFinished } from '../domain/rollback-state';
import { restoreCard, restoreNote } from '../messages/templates/restore-card';
import type { Change } from './change';
import type { EngineDeps } from './engine-deps';
import { mayOperate } from './operators';
import { transact } from './transact';

/** Every restore waits for at least this many approvals; a rollback's "critical: run at once" never carries over. */
const RESTORE_APPROVALS = 1;

function restoreOf(record: RollbackRecord, number: number): DatabaseRestore {
  const restore = record.restores.find((r) => r.number === number);
  if (!restore) throw new RestoreRefusedError(record.id, `Rollback ${record.id} has no restore ${number}.`);
  return restore;
}

/** Moves a restore on, audits it, and edits its card in the thread (and the header's buttons). */
function moveRestore(change: Change, number: number, to: RestoreState, actor: Actor, audit: Parameters<Change['note']>[0], extra: { reason?: string; data?: Record<string, unknown> } = {}): DatabaseRestore {
  const restore = restoreOf(change.record, number);
  assertRestoreTransition(restore.state, to);
  restore.state = to;
  change.note(audit, actor, { ...(extra.reason ? { reason: extra.reason } : {}), data: { restore: number, ...extra.data } });
  showRestore(change, restore);
  return restore;
}

function showRestore(change: Change, restore: DatabaseRestore): void {
  change.post(restoreCard(change.record, restore), { supersedes: `restore:${restore.number}` });
  change.refreshHeader();
}

/** Why a restore from `step` cannot be asked for now, or undefined when it can. */
function refusal(record: RollbackRecord, step: StepName): string | undefined {
  if (!isFinished(record.state)) return `The rollback is still ${record.state.replace('_', ' ')}: a restore can be asked for once it has finished.`;
  const open = record.restores.find(isRestoreOpen);
  if (open) return `Restore ${open.number} is already ${open.state.replace('_', ' ')}; wait for it to end.`;
  const planned = record.steps.find((s) => s.name === step);
  if (!planned?.restorePoint) return `Step ${planned ? titleOf(planned) : step} kept nothing to restore from.`;
  return undefined;
}

async function refuse(deps: EngineDeps, id: string, actor: Actor, error: RewindError): Promise<never> {
  await transact(deps, id, (_current, change) => {
    change.note('restore.refused', actor, { reason: error.userMessage });
    return { commit: true, result: undefined };
  });
  throw error;
}

/** Reads what the restore would overwrite before asking anyone; a restore that cannot be prepared is refused with nothing changed. */
async function prepare(deps: EngineDeps, record: RollbackRecord, step: StepName): Promise<RestorePreview> {
  const restorer = deps.integrations.restorer(record.service, record.environment, step);
  const point = record.steps.find((s) => s.name === step)?.restorePoint;
  if (!restorer || !point) throw new RestoreRefusedError(record.id, `Step ${step} of rollback ${record.id} cannot restore anything.`);
  try {
    return await restorer.preview(point);
  } catch (error) {
    throw new RestoreRefusedError(record.id, `Could not prepare the restore: ${describeError(error)}. Nothing was changed.`);
  }
}

export async function requestRestore(deps: EngineDeps, id: string, actor: Actor, step: StepName): Promise<RollbackRecord> {
  const record = await deps.store.get(id);
  if (!record) throw new UnknownRollbackError(id);
  if (!(await mayOperate(deps, record, actor))) {
    return refuse(deps, id, actor, new RestoreRefusedError(id, 'Only the rollback\'s requester or an approver of this environment may ask for a restore.'));
  }
  const early = refusal(record, step);
  if (early) throw new RestoreRefusedError(id, `${early} Nothing changed.`);
  const policy = deps.catalog.resolve(record.service, record.environment).policy;
  const approvers = mergeRefs(environmentApprovers(policy));
  if (countRefs(approvers) === 0) {
    return refuse(deps, id, actor, new RestoreRefusedError(id, 'This environment lists no approvers, so nobody could approve a restore: add approvers under `approvals` in the catalog.'));
  }
  const active = await deps.store.activeFor(record.service, record.environment);
  if (active && active !== id) throw new RestoreRefusedError(id, `Rollback ${active} is under way on ${record.service} (${record.environment}); ask for the restore once it has finished. Nothing changed.`);
  const preview = await prepare(deps, record, step);

  const { record: saved, result } = await transact<RewindError | undefined>(deps, id, (current, change) => {
    const late = refusal(current, step);
    if (late) return { commit: false, result: new RestoreRefusedError(id, `${late} Nothing changed.`) };
    const planned = current.steps.find((s) => s.name === step)!;
    const restore: DatabaseRestore = {
      number: current.restores.length + 1,
      step,
      title: titleOf(planned),
      point: planned.restorePoint!,
      state: 'pending_approval',
      requested: { actor, at: change.now },
      approvers,
      required: RESTORE_APPROVALS,
      selfApproval: policy.selfApproval,
      approvals: [],
      overwrites: preview.overwrites,
      warnings: preview.warnings,
      attempts: 0,
    };
    change.record.restores.push(restore);
    change.note('restore.requested', actor, { data: { restore: restore.number, step, point: restore.point.kind } });
    showRestore(change, restore);
    return { commit: true, result: undefined };
  });
  if (result) throw result;
  return saved;
}

export type RestoreDecision = 'approve' | 'reject';

export async function decideRestore(deps: EngineDeps, id: string, number: number, actor: Actor, decision: RestoreDecision, reason?: string): Promise<RollbackRecord> {
  const { record, result } = await transact<RewindError | undefined>(deps, id, async (current, change) => {
    const restore = restoreOf(current, number);
    if (restore.state !== 'pending_approval') {
      const by = restore.rejection?.actor ?? restore.approvals.at(-1)?.actor;
      return { commit: false, result: new RestoreRefusedError(id, `Already decided${by ? ` by ${by.name ?? by.id}` : ''}: restore ${number} is ${restore.state.replace('_', ' ')}. Nothing changed.`) };
    }
    // The person who asked may withdraw; only approvers may decide otherwise.
    const withdrawing = decision === 'reject' && sameActor(actor, restore.requested.actor);
    if (!withdrawing && !(await isListed(actor, restore.approvers, deps.groups))) {
      const error = new RestoreRefusedError(id, `You are not an approver of ${current.service} (${current.environment}), so you cannot decide restore ${number}. Approvers: ${describeRefs(restore.approvers).join(', ')}.`);
      change.note('restore.refused', actor, { reason: error.userMessage, data: { restore: number } });
      return { commit: true, result: error };
    }
    if (decision === 'approve' && sameActor(actor, restore.requested.actor) && !restore.selfApproval) {
      const error = new RestoreRefusedError(id, `You asked for restore ${number}, so you cannot approve it. Another approver must.`);
      change.note('restore.refused', actor, { reason: error.userMessage, data: { restore: number } });
      return { commit: true, result: error };
    }
    if (decision === 'approve' && restore.approvals.some((a) => sameActor(a.actor, actor))) return { commit: false, result: new RestoreRefusedError(id, `You have already approved restore ${number}; it needs another approver.`) };
    const draft = restoreOf(change.record, number);
    if (decision === 'reject') {
      draft.rejection = { actor, at: change.now, ...(reason ? { reason } : {}) };
      draft.finishedAt = change.now;
      moveRestore(change, number, 'rejected', actor, 'restore.rejected', reason ? { reason } : {});
      return { commit: true, result: undefined };
    }
    draft.approvals.push({ actor, at: change.now });
    if (draft.approvals.length >= draft.required) moveRestore(change, number, 'queued', actor, 'restore.approved', { data: { approvals: draft.approvals.length } });
    else {
      change.note('restore.approved', actor, { data: { restore: number, approvals: draft.approvals.length, required: draft.required } });
      showRestore(change, draft);
    }
    return { commit: true, result: undefined };
  });
  if (result) throw result;
  if (restoreOf(record, number).state === 'queued') await deps.scheduler.restore(id, number);
  return record;
}

/** Marks the restore running (or resumed); undefined when there is nothing to run. */
async function begin(deps: EngineDeps, id: string, number: number): Promise<DatabaseRestore | undefined> {
  const { result } = await transact<DatabaseRestore | undefined>(deps, id, (current, change) => {
    const restore = restoreOf(current, number);
    if (restore.state !== 'queued' && restore.state !== 'running') return { commit: false, result: undefined };
    const draft = restoreOf(change.record, number);
    draft.attempts += 1;
    if (restore.state === 'queued') {
      draft.startedAt = change.now;
      moveRestore(change, number, 'running', REWIND_ACTOR, 'restore.started');
    } else {
      change.note('restore.resumed', REWIND_ACTOR, { data: { restore: number, attempt: draft.attempts, sentAt: draft.sentAt } });
      showRestore(change, draft);
    }
    return { commit: true, result: draft };
  });
  return result;
}

async function finish(deps: EngineDeps, id: string, number: number, outcome: { ok: boolean; detail: string }): Promise<void> {
  await transact(deps, id, (current, change) => {
    if (restoreOf(current, number).state !== 'running') return { commit: false, result: undefined };
    const draft = restoreOf(change.record, number);
    draft.finishedAt = change.now;
    draft.detail = outcome.detail;
    moveRestore(change, number, outcome.ok ? 'succeeded' : 'failed', REWIND_ACTOR, outcome.ok ? 'restore.succeeded' : 'restore.failed', { reason: outcome.detail });
    return { commit: true, result: undefined };
  });
}

/** The worker's part: runs an approved restore, or resumes one a dead worker left running. */
export async function runRestore(deps: EngineDeps, id: string, number: number, signal: AbortSignal): Promise<void> {
  const restore = await begin(deps, id, number);
  if (!restore) return;
  const record = (await deps.store.get(id))!;
  const restorer = deps.integrations.restorer(record.service, record.environment, restore.step);
  if (!restorer) {
    await finish(deps, id, number, { ok: false, detail: `Step ${restore.title} is no longer in the catalog, so Rewind cannot restore from it. Nothing was changed.` });
    return;
  }
  let outcome: { ok: boolean; detail: string };
  try {
    const done = await restorer.restore(restore.point, {
      key: `${id}#${number}`,
      attempt: restore.attempts,
      signal,
      ...(restore.sentAt !== undefined ? { sentAt: restore.sentAt } : {}),
      progress: (line) => note(deps, id, number, line),
      markSent: () => markSent(deps, id, number),
    });
    outcome = { ok: true, detail: done.detail };
  } catch (error) {
    // A lost lock or a shutdown: the job comes back and resumes; the restore itself did not fail.
    if (signal.aborted) throw error;
    outcome = { ok: false, detail: describeError(error) };
  }
  await finish(deps, id, number, outcome);
}

async function note(deps: EngineDeps, id: string, number: number, line: string): Promise<void> {
  await transact(deps, id, (_current, change) => {
    change.note('restore.progress', REWIND_ACTOR, { reason: line, data: { restore: number } });
    change.post(restoreNote(change.record, restoreOf(change.record, number), line));
    return { commit: true, result: undefined };
  });
}

async function markSent(deps: EngineDeps, id: string, number: number): Promise<void> {
  await transact(deps, id, (_current, change) => {
    restoreOf(change.record, number).sentAt = change.now;
    return { commit: true, result: undefined };
  });
}

/** The queue gave up on a restore job: say so, rather than leave it "running" forever. */
export async function abandonRestore(deps: EngineDeps, id: string, number: number, why: string): Promise<void> {
  await finish(deps, id, number, { ok: false, detail: `The worker gave up (${why}). The restore may or may not have been applied: check the database.` });
}
