/**
 * Which buttons a rollback offers in each state. One rule set, used by the header and the summaries,
 * so a button never appears in one message and is refused by the engine from another.
 */
import { isRestoreOpen, type DatabaseRestore } from '../../domain/database-restore';
import { formatUtc } from '../../domain/history';
import type { Button, ButtonAction } from '../../domain/message';
import { titleOf } from '../../domain/plan';
import { restoreMoment } from '../../domain/restore-point';
import { stepOf, type RollbackRecord } from '../../domain/rollback-record';
import { isFinished } from '../../domain/rollback-state';
import { oneLine } from '../formatting';

function button(action: ButtonAction, label: string, style: Button['style'], value: string): Button {
  return { action, label, style, value };
}

/** Cancel is harmless only while nothing has touched the provider: before the rollback step starts. */
function beforeRollbackStep(record: RollbackRecord): boolean {
  return stepOf(record, 'rollback').status === 'pending';
}

/** A failed verification after the switch can be re-checked without switching again. */
export function canRetryVerification(record: RollbackRecord): boolean {
  return record.state === 'failed' && record.outcome?.providerChanged === true && record.outcome.stoppedAt === 'verify';
}

export function retryVerificationButton(record: RollbackRecord): Button {
  return button('retry_verification', 'Retry verification', 'secondary', record.id);
}

export function rootCauseButton(record: RollbackRecord): Button {
  return button('root_cause', record.postmortem?.rootCause ? 'Edit root cause' : 'Add root cause', 'secondary', record.id);
}

/** Accept, retry or fail an inconclusive verification. */
export function verificationDecisionButtons(record: RollbackRecord): Button[] {
  return [
    button('accept_verification', 'Accept result', 'primary', record.id),
    retryVerificationButton(record),
    button('fail_verification', 'Mark failed', 'danger', record.id),
  ];
}

/**
 * "Restore database from <backup, time>", one per restore point a step kept, once the rollback has
 * finished and while no restore is asked for or running. Restores are never automatic.
 */
export function restoreButtons(record: RollbackRecord): Button[] {
  if (!isFinished(record.state) || record.restores.some(isRestoreOpen)) return [];
  return record.steps.flatMap((step) => {
    if (!step.restorePoint) return [];
    const when = formatUtc(restoreMoment(step.restorePoint)).slice(11, 16);
    return [button('restore', `Restore database from ${oneLine(titleOf(step), 36)}, ${when} UTC`, 'danger', `${record.id}|${step.name}`)];
  });
}

export function restoreDecisionButtons(record: RollbackRecord, restore: DatabaseRestore): Button[] {
  const value = `${record.id}|${restore.number}`;
  return [button('approve_restore', 'Approve restore', 'primary', value), button('reject_restore', 'Reject restore', 'danger', value)];
}

/** A break-glass review's card: "Reviewed" until an approver has marked it, and "Add note" always. */
export function reviewButtons(record: RollbackRecord): Button[] {
  const review = record.review;
  if (!review || review.requestedAt === undefined) return [];
  return [...(review.reviewed ? [] : [button('review', 'Reviewed', 'primary', record.id)]), button('review_note', 'Add note', 'secondary', record.id)];
}

/** Retry verification where allowed, restore the database where a step kept a point, then Add root cause. */
export function afterFailureButtons(record: RollbackRecord): Button[] {
  return [...(canRetryVerification(record) ? [retryVerificationButton(record)] : []), ...restoreButtons(record), rootCauseButton(record)];
}

/** The buttons of a rollback that succeeded. */
export function afterSuccessButtons(record: RollbackRecord): Button[] {
  return [...restoreButtons(record), rootCauseButton(record)];
}

export function headerButtons(record: RollbackRecord): Button[] {
  const cancel = button('cancel', 'Cancel', 'secondary', record.id);
  // Once an abort is requested, a second one would only add noise: the status line says it is coming.
  const abort = record.abort ? [] : [button('abort', 'Abort', 'danger', record.id)];
  switch (record.state) {
    case 'pending_approval':
      return [button('approve', 'Approve', 'primary', record.id), button('reject', 'Reject', 'danger', record.id), cancel];
    case 'queued':
      return [cancel];
    case 'running':
      return beforeRollbackStep(record) ? [cancel] : abort;
    case 'verifying':
      return record.verification?.awaitingDecision ? verificationDecisionButtons(record) : abort;
    case 'succeeded':
      return afterSuccessButtons(record);
    case 'failed':
      return afterFailureButtons(record);
    case 'rejected':
    case 'expired':
    case 'cancelled':
      return [];
  }
}
