/**
 * The rollback notification: the channel message every state change edits in place. Its parts are
 * shared with `/rollback status`, which shows the same facts without buttons.
 */
import { elapsedMs, historyOutcome } from '../../domain/history';
import type { Message, Tone } from '../../domain/message';
import { titleOf } from '../../domain/plan';
import { currentStep, type RollbackRecord } from '../../domain/rollback-record';
import type { RollbackState } from '../../domain/rollback-state';
import {
  capitalize,
  formatDuration,
  oneLine,
  plural,
  recordArrow,
  requestedBy,
  serviceLabel,
  stateLabel,
  stepPosition,
  stepTitle,
  who,
} from '../formatting';
import { evidenceSection, recordFooter } from './blocks';
import { headerButtons } from './buttons';
import { compose, field, type MessageParts } from './compose';

export interface HeaderOptions {
  now: number;
}

const TONES: Readonly<Record<RollbackState, Tone>> = {
  pending_approval: 'warning',
  queued: 'progress',
  running: 'progress',
  verifying: 'progress',
  succeeded: 'success',
  failed: 'danger',
  rejected: 'info',
  expired: 'info',
  cancelled: 'info',
};

export function stateTone(record: RollbackRecord): Tone {
  return TONES[record.state];
}

/** `Rollback of checkout-api (production): waiting for approval`. */
export function headerTitle(record: RollbackRecord): string {
  // A drill says so first: nobody scanning the channel may take it for an incident.
  const what = record.trigger.kind === 'drill' ? 'DRILL — practice rollback' : 'Rollback';
  return `${what} of ${serviceLabel(record)}: ${stateLabel(historyOutcome(record)).toLowerCase()}`;
}

/** `1 of 2: Lead`, or why no approval is needed. */
export function approvalsLine(record: RollbackRecord): string {
  const { required } = record.policy;
  if (required === 0) return `Not required for ${record.severity}`;
  const names = record.approvals.map((a) => who(a.actor)).join(', ');
  return `${record.approvals.length} of ${required}${names ? `: ${names}` : ''}`;
}

/** The state, plus the step in progress while running and any pending abort. */
export function statusLine(record: RollbackRecord): string {
  const label = stateLabel(historyOutcome(record));
  const step = currentStep(record);
  let line = label;
  if (record.state === 'verifying' && record.verification?.awaitingDecision) line = `${label} — inconclusive, waiting for a decision`;
  else if ((record.state === 'running' || record.state === 'verifying') && step) line = `${label} — ${stepPosition(record, step.name)}: ${titleOf(step)}`;
  else if (record.state === 'succeeded') line = `${label} — stable and monitoring`;
  else if (record.outcome?.stoppedAt) line = `${label} at ${stepTitle(record, record.outcome.stoppedAt)}`;
  return record.abort && (record.state === 'running' || record.state === 'verifying') ? `${line} · abort requested by ${who(record.abort.actor)}` : line;
}

function decidedText(verb: string, decision: RollbackRecord['rejection']): string {
  if (!decision) return `${verb}. Nothing was changed.`;
  const reason = decision.reason ? `: ${oneLine(decision.reason)}` : '';
  return `${verb} by ${who(decision.actor)}${reason}. Nothing was changed.`;
}

function leadText(record: RollbackRecord): string | undefined {
  const target = record.to?.version ?? 'the last stable release';
  switch (record.state) {
    case 'pending_approval':
      return `Needs ${plural(record.policy.required, 'approval')} before anything changes. Approvers: use the buttons below.`;
    case 'queued':
      return record.policy.required === 0 ? `No approval needed for ${record.severity}; starting now.` : 'Approved; starting now.';
    case 'running':
      return `Rolling back to ${target}.`;
    case 'verifying':
      return record.verification?.awaitingDecision
        ? 'Verification was inconclusive: accept the result, retry the checks, or mark the rollback failed.'
        : `Checking that ${record.service} recovered on ${target}.`;
    case 'succeeded': {
      const took = elapsedMs(record);
      return `Rolled back to ${target}${took === undefined ? '' : ` in ${formatDuration(took)}`}. Stable and monitoring.`;
    }
    case 'failed':
      return record.outcome?.message ?? 'The rollback failed.';
    case 'rejected':
      return decidedText('Rejected', record.rejection);
    case 'expired':
      return `No decision in time (${approvalsLine(record)}). Nothing was changed.`;
    case 'cancelled':
      return record.outcome?.message ?? decidedText('Cancelled', record.cancellation);
  }
}

/** Everything of the header except its kind and buttons. */
export function headerParts(record: RollbackRecord, { now }: HeaderOptions): Omit<MessageParts, 'kind' | 'buttons'> {
  const title = headerTitle(record);
  return {
    tone: stateTone(record),
    title,
    text: leadText(record),
    fields: [
      field('Release', recordArrow(record)),
      field('Severity', capitalize(record.severity)),
      field('Reason', record.reason ? oneLine(record.reason, 300) : 'not given'),
      field('Requested by', requestedBy(record)),
      field('Status', statusLine(record)),
      field('Approvals', approvalsLine(record)),
      record.rtoMs !== undefined ? field('RTO target', formatDuration(record.rtoMs)) : undefined,
    ],
    sections: [evidenceSection(record)],
    footer: recordFooter(record, now),
    fallback: `${title} — ${recordArrow(record)}`,
  };
}

export function notificationHeader(record: RollbackRecord, options: HeaderOptions): Message {
  return compose({ kind: 'notification', ...headerParts(record, options), buttons: headerButtons(record) });
}
