/**
 * The break-glass review in a rollback's thread: one card, posted when the rollback ends and edited
 * as it is reviewed and noted, with "Reviewed" and "Add note" buttons; and the one reminder, echoed
 * in the incident channel. Neither mentions anyone: the approvers are listed by id, as text.
 */
import { historyOutcome } from '../../domain/history';
import type { Message, Section } from '../../domain/message';
import { countRefs, type ApproverRefs } from '../../domain/approvers';
import type { BreakGlassReview } from '../../domain/break-glass-review';
import type { RollbackRecord } from '../../domain/rollback-record';
import { formatDuration, formatTimestamp, lines, oneLine, recordArrow, serviceLabel, stateLabel, who } from '../formatting';
import { approversSection } from './approval-request';
import { reviewButtons } from './buttons';
import { compose, field } from './compose';

type Reviewed = RollbackRecord & { review: BreakGlassReview };

/** The environment's approvers, as plain ids (no mention), or what to fix when there are none. */
function reviewers(approvers: ApproverRefs): Section {
  if (countRefs(approvers) === 0) {
    return { heading: 'Who may review', text: 'No approvers are configured for this environment, so nobody can mark this reviewed: add approvers under `approvals` in the catalog.' };
  }
  return { heading: 'Who may review', text: approversSection(approvers).text ?? '' };
}

function whoMayReview(record: Reviewed, approvers: ApproverRefs): Section {
  const section = reviewers(approvers);
  if (countRefs(approvers) === 0) return section;
  const own = record.policy.selfApproval ? 'The requester may review it too (self-approval is on).' : `${who(record.requester)} requested it, so someone else must mark it reviewed.`;
  return { ...section, text: `${section.text ?? ''}\n${own}` };
}

function notesSection(review: BreakGlassReview) {
  if (review.notes.length === 0) return undefined;
  return { heading: `Notes (${review.notes.length})`, text: lines(review.notes.map((note) => `${who(note.actor)}, ${formatTimestamp(note.at)}: ${oneLine(note.text, 400)}`), 12) };
}

function reminderLine(review: BreakGlassReview): string {
  if (review.reviewed) return 'Not needed: reviewed';
  if (review.remindedAt !== undefined) return `Sent ${formatTimestamp(review.remindedAt)}`;
  return review.remindAt === undefined ? '—' : `${formatTimestamp(review.remindAt)} (${formatDuration(review.afterMs)} after the end), if still unreviewed`;
}

export function reviewCard(record: RollbackRecord): Message {
  const review = record.review;
  if (!review) throw new Error(`rollback ${record.id} has no break-glass review`);
  const subject = record as Reviewed;
  const done = review.reviewed;
  const title = done
    ? `Break-glass rollback reviewed: ${serviceLabel(record)}, by ${who(done.actor)}`
    : `Review needed: ${serviceLabel(record)} was rolled back without approval`;
  const text = done
    ? `${who(done.actor)} reviewed this critical rollback at ${formatTimestamp(done.at)}. Notes may still be added.`
    : `This ${record.severity} rollback ran at once, with nobody's approval (break-glass: the policy needs none for ${record.severity}). ` +
      "One of this environment's approvers should look at what was done and why, then press Reviewed. Add note records what they found, or why it could not wait.";
  return compose({
    kind: done ? 'notice' : 'approval',
    tone: done ? 'success' : 'warning',
    title,
    text,
    fields: [
      field('Outcome', stateLabel(historyOutcome(record))),
      field('Release', recordArrow(record)),
      field('Requested by', who(record.requester)),
      field('Reason', record.reason ? oneLine(record.reason, 300) : 'not given'),
      field('Reviewed', done ? `${who(done.actor)}, ${formatTimestamp(done.at)}` : 'Not yet'),
      field('Reminder', reminderLine(review)),
    ],
    sections: [done ? undefined : whoMayReview(subject, review.approvers), notesSection(review)],
    buttons: reviewButtons(record),
    footer: [`Rollback ${record.id} · break-glass review`],
    fallback: title,
  });
}

/** The one reminder, posted in the thread and echoed in the incident channel. */
export function reviewReminder(record: RollbackRecord, now: number): Message {
  const review = record.review;
  const since = review?.requestedAt === undefined ? undefined : formatDuration(now - review.requestedAt);
  const title = `Reminder: the break-glass rollback of ${serviceLabel(record)} is still unreviewed`;
  return compose({
    kind: 'notice',
    tone: 'warning',
    title,
    text:
      `Rollback ${record.id} (${record.severity}, requested by ${who(record.requester)}) ran without approval and ended ${since ? `${since} ago` : 'a while ago'}; ` +
      "nobody has reviewed it yet. An approver of this environment: open the review card in the rollback's thread and press Reviewed. This is the only reminder.",
    sections: [review ? reviewers(review.approvers) : undefined],
    footer: [`Rollback ${record.id} · break-glass review`],
    fallback: title,
  });
}
