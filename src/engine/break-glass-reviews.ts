/**
 * The break-glass review's actions: "Reviewed" and "Add note" from the card, and the one reminder
 * fired by a delayed job. Who may act is decided by the domain's rules against the approvers the
 * rollback recorded plus the environment's approvers today; refusals of people who may not are
 * written to the audit trail and answered with what they can do instead.
 */
import { REWIND_ACTOR, type Actor } from '../domain/actor';
import { describeRefs, isListed, mergeRefs } from '../domain/approvers';
import { reminderVerdict, reviewRefusal, ReviewRefusedError, type ReviewAction, type ReviewerFacts } from '../domain/break-glass-review';
import { environmentApprovers } from '../domain/policy';
import type { RollbackRecord } from '../domain/rollback-record';
import { reviewCard, reviewReminder } from '../messages/templates/review-card';
import type { EngineDeps } from './engine-deps';
import { transact } from './transact';

/** A reminder timer that fired early (clock skew between hosts) is set again this much after its time. */
const EARLY_RETRY_MS = 250;

async function reviewer(deps: Pick<EngineDeps, 'catalog' | 'groups'>, record: RollbackRecord, actor: Actor): Promise<ReviewerFacts> {
  let today = {};
  try {
    today = environmentApprovers(deps.catalog.resolve(record.service, record.environment).policy);
  } catch {
    // The service left the catalog: the approvers recorded with the rollback still count.
  }
  const approvers = mergeRefs(record.review?.approvers, today);
  return { actor, listed: await isListed(actor, approvers, deps.groups), approvers: describeRefs(approvers) };
}

/** Refusals of a person who may not act are audited; "already reviewed" and "not yet" change nothing. */
const AUDITED = new Set(['not_an_approver', 'own_rollback']);

async function act(deps: EngineDeps, id: string, actor: Actor, action: ReviewAction, apply: (draft: RollbackRecord, now: number) => void): Promise<RollbackRecord> {
  const { record, result } = await transact<ReviewRefusedError | undefined>(deps, id, async (current, change) => {
    const refusal = reviewRefusal(current, action, await reviewer(deps, current, actor));
    if (refusal) {
      const error = new ReviewRefusedError(id, refusal);
      if (!AUDITED.has(refusal.code)) return { commit: false, result: error };
      change.note('review.refused', actor, { reason: refusal.message, data: { action, code: refusal.code } });
      return { commit: true, result: error };
    }
    apply(change.record, change.now);
    change.note(action === 'review' ? 'review.done' : 'review.noted', actor, action === 'note' ? { reason: change.record.review!.notes.at(-1)!.text } : {});
    change.post(reviewCard(change.record), { supersedes: 'review' });
    return { commit: true, result: undefined };
  });
  if (result) throw result;
  return record;
}

/** "Reviewed": one approver, once; never the requester unless self-approval is allowed. */
export function markReviewed(deps: EngineDeps, id: string, actor: Actor): Promise<RollbackRecord> {
  return act(deps, id, actor, 'review', (draft, now) => {
    draft.review!.reviewed = { actor, at: now };
  });
}

/** A note from the form: an approver's finding, or the requester's reason for breaking the glass. */
export function addReviewNote(deps: EngineDeps, id: string, actor: Actor, text: string): Promise<RollbackRecord> {
  return act(deps, id, actor, 'note', (draft, now) => {
    draft.review!.notes.push({ actor, at: now, text: text.trim() });
  });
}

/**
 * Fired by the reminder's delayed job. Posts the one reminder when due and still unreviewed; the
 * record keeps that it was sent, so a retried job, a second timer or another worker posts nothing.
 */
export async function remindReview(deps: EngineDeps, id: string): Promise<RollbackRecord> {
  const { record } = await transact(deps, id, (current, change) => {
    if (reminderVerdict(current.review, change.now).kind !== 'due') return { commit: false, result: undefined };
    const draft = change.record;
    draft.review!.remindedAt = change.now;
    change.note('review.reminded', REWIND_ACTOR, { data: { after: draft.review!.afterMs } });
    change.post(reviewReminder(draft, change.now), { broadcast: true });
    change.post(reviewCard(draft), { supersedes: 'review' });
    return { commit: true, result: undefined };
  });
  const verdict = reminderVerdict(record.review, deps.clock.now());
  if (verdict.kind === 'not_yet') await deps.scheduler.remindReview(id, verdict.atMs + EARLY_RETRY_MS);
  return record;
}
