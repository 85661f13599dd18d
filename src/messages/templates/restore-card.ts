/**
 * A database restore in the rollback's thread: one post, edited as the restore moves on (asked,
 * approved, running, done), so approvers read what will be overwritten right beside the buttons.
 */
import type { DatabaseRestore, RestoreState } from '../../domain/database-restore';
import { restoreMoment } from '../../domain/restore-point';
import type { Message, Tone } from '../../domain/message';
import type { RollbackRecord } from '../../domain/rollback-record';
import { formatDuration, formatTimestamp, lines, plural, serviceLabel, who } from '../formatting';
import { approversSection } from './approval-request';
import { restoreDecisionButtons } from './buttons';
import { compose, field } from './compose';

const TONES: Readonly<Record<RestoreState, Tone>> = {
  pending_approval: 'warning',
  queued: 'progress',
  running: 'progress',
  succeeded: 'success',
  failed: 'danger',
  rejected: 'info',
};

function heading(record: RollbackRecord, restore: DatabaseRestore): string {
  const what = `database of ${serviceLabel(record)}`;
  switch (restore.state) {
    case 'pending_approval':
      return `Restore needs approval: ${what} back to ${formatTimestamp(restoreMoment(restore.point))}`;
    case 'queued':
      return `Restore approved: ${what} is about to be restored`;
    case 'running':
      return `Restoring the ${what}${restore.attempts > 1 ? ` (attempt ${restore.attempts}, resumed after a worker stopped)` : ''}`;
    case 'succeeded':
      return `Restore completed: ${what} is back to ${formatTimestamp(restoreMoment(restore.point))}`;
    case 'failed':
      return `Restore failed: ${what}`;
    case 'rejected':
      return `Restore rejected: ${what} was not changed`;
  }
}

function lead(restore: DatabaseRestore): string {
  switch (restore.state) {
    case 'pending_approval': {
      const missing = Math.max(0, restore.required - restore.approvals.length);
      return `${who(restore.requested.actor)} asked to restore from ${restore.title}. This overwrites data, so it needs ${plural(missing, 'more approval')} from this environment's approvers, whatever the rollback's severity. Nothing changes until then.`;
    }
    case 'queued':
      return 'A worker starts the restore now.';
    case 'running':
      return 'Running on a worker. It restores in one transaction: the database ends as the backup, or as it was.';
    case 'succeeded':
      return restore.detail ?? 'Restored.';
    case 'failed':
      return `${restore.detail ?? 'The restore did not finish.'}\nCheck the database before anything else; ask for the restore again once the cause is fixed.`;
    case 'rejected':
      return `${who(restore.rejection!.actor)} rejected it${restore.rejection?.reason ? `: ${restore.rejection.reason}` : ''}. Nothing was changed.`;
  }
}

function decisionsLine(restore: DatabaseRestore): string {
  const approvals = restore.approvals.map((a) => who(a.actor));
  return `${restore.approvals.length} of ${restore.required}${approvals.length ? ` (${approvals.join(', ')})` : ''}`;
}

export function restoreCard(record: RollbackRecord, restore: DatabaseRestore): Message {
  const took = restore.startedAt !== undefined && restore.finishedAt !== undefined ? formatDuration(restore.finishedAt - restore.startedAt) : undefined;
  const title = heading(record, restore);
  return compose({
    kind: restore.state === 'pending_approval' ? 'approval' : restore.state === 'failed' ? 'failure' : 'progress',
    tone: TONES[restore.state],
    title,
    text: lead(restore),
    fields: [
      field('Restore point', `${restore.title}, ${formatTimestamp(restoreMoment(restore.point))}`),
      field('Requested by', who(restore.requested.actor)),
      field('Approvals', decisionsLine(restore)),
      restore.state === 'pending_approval' ? field('Requester may approve', restore.selfApproval ? 'Yes' : `No: someone other than ${who(restore.requested.actor)} must approve`) : undefined,
      took ? field('Duration', took) : undefined,
    ],
    sections: [
      { heading: 'What the restore overwrites', text: lines(restore.overwrites.map((line) => `• ${line}`)) },
      restore.warnings.length ? { heading: 'Also know', text: lines(restore.warnings.map((line) => `• ${line}`)) } : undefined,
      restore.state === 'pending_approval' ? approversSection(restore.approvers) : undefined,
    ],
    buttons: restore.state === 'pending_approval' ? restoreDecisionButtons(record, restore) : [],
    footer: [`Rollback ${record.id} · restore ${restore.number}`],
    fallback: title,
  });
}

/** A line the restore posts while it runs (the platform's status changing). */
export function restoreNote(record: RollbackRecord, restore: DatabaseRestore, line: string): Message {
  const title = `Restore ${restore.number}: ${line}`;
  return compose({ kind: 'progress', tone: 'progress', title, footer: [`Rollback ${record.id} · restore ${restore.number}`], fallback: `${serviceLabel(record)}: ${title}` });
}
