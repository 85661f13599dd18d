/**
 * What a rollback's end brings beyond its summary, written in the very commit that ends it (so a
 * crash can never leave an ended break-glass rollback without its review, or a drill without its
 * report): the review card of a break-glass rollback (just before the summary, which stays the
 * thread's last word), and a drill's report (the drill's last word). After the commit, the timers
 * and ledgers that follow from it: the review's one reminder, the environment's last drill.
 */
import { REWIND_ACTOR } from '../domain/actor';
import { describeRefs } from '../domain/approvers';
import { reviewDueAtEnd } from '../domain/break-glass-review';
import { drillEnded, isDrill } from '../domain/drills';
import type { RollbackRecord } from '../domain/rollback-record';
import { drillReport } from '../messages/templates/drill-report';
import { reviewCard } from '../messages/templates/review-card';
import type { Change } from './change';
import type { EngineDeps } from './engine-deps';

/** Whether this commit ends a drill (a retried verification ends it again, and its report is edited). */
function drillEndsNow(before: RollbackRecord | undefined, after: RollbackRecord): boolean {
  return isDrill(after) && drillEnded(after) && !(before && drillEnded(before) && before.state === after.state);
}

/** Called as a commit is built: asks for the review, posts the drill report. */
export function atRollbackEnd(before: RollbackRecord | undefined, change: Change): void {
  const after = change.record;
  if (reviewDueAtEnd(before, after)) {
    const review = after.review!;
    review.requestedAt = change.now;
    review.remindAt = change.now + review.afterMs;
    change.note('review.requested', REWIND_ACTOR, { data: { approvers: describeRefs(review.approvers), remindAt: review.remindAt } });
    // In the thread, right before the summary (the thread still ends with it); it mentions nobody.
    change.postBeforeSummary(reviewCard(after), { supersedes: 'review' });
  }
  if (drillEndsNow(before, after)) change.post(drillReport(after), { supersedes: 'drill-report' });
}

/**
 * After the commit is saved: arms the review's reminder and records the drill. Both are idempotent,
 * and a failure here is only logged: the periodic check re-arms lost reminders and reads drills
 * from the records when the ledger missed one.
 */
export async function afterRollbackCommit(deps: Pick<EngineDeps, 'scheduler' | 'drills' | 'logger'>, before: RollbackRecord, saved: RollbackRecord): Promise<void> {
  try {
    const remindAt = saved.review?.remindAt;
    if (remindAt !== undefined && before.review?.remindAt === undefined) await deps.scheduler.remindReview(saved.id, remindAt);
    if (drillEndsNow(before, saved) && saved.timings.finishedAt !== undefined) {
      await deps.drills.record(saved.service, saved.environment, { rollbackId: saved.id, at: saved.timings.finishedAt });
    }
  } catch (error) {
    deps.logger.warn({ rollbackId: saved.id, err: error }, 'could not arm the review reminder or record the drill; the periodic check will');
  }
}
