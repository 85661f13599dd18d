/**
 * One-line thread notices for what people (and Rewind) decided: approvals, rejection, expiry,
 * cancel and abort, verification decisions, a resumed step, a postmortem update.
 */
import type { Actor } from '../../domain/actor';
import type { Message, Tone } from '../../domain/message';
import type { StepName } from '../../domain/plan';
import { providerTouched, type RollbackRecord } from '../../domain/rollback-record';
import { formatDuration, oneLine, plural, serviceLabel, stepTitle, who } from '../formatting';
import { approvalsLine } from './notification-header';
import { compose } from './compose';

export type DecisionNotice =
  | { kind: 'approval_recorded'; actor: Actor }
  | { kind: 'approved'; actor: Actor }
  | { kind: 'rejected'; actor: Actor; reason?: string }
  | { kind: 'expired' }
  | { kind: 'cancelled'; actor: Actor; reason?: string }
  | { kind: 'abort_requested'; actor: Actor }
  | { kind: 'verification_accepted'; actor: Actor }
  | { kind: 'verification_failed'; actor: Actor }
  | { kind: 'verification_retry'; actor: Actor }
  | { kind: 'resumed'; step: StepName; attempt: number }
  | { kind: 'postmortem_updated'; actor: Actor };

interface Wording {
  tone: Tone;
  title: string;
  text?: string | undefined;
}

function withReason(reason: string | undefined, rest: string): string {
  return reason ? `Reason: ${oneLine(reason, 500)}\n${rest}` : rest;
}

function wording(record: RollbackRecord, notice: DecisionNotice): Wording {
  switch (notice.kind) {
    case 'approval_recorded': {
      const missing = Math.max(0, record.policy.required - record.approvals.length);
      return { tone: 'info', title: `${record.approvals.length} of ${plural(record.policy.required, 'approval')} from ${who(notice.actor)}; ${missing} more needed` };
    }
    case 'approved':
      return { tone: 'progress', title: `Approved by ${who(notice.actor)}: starting the rollback`, text: `Approvals: ${approvalsLine(record)}.` };
    case 'rejected':
      return { tone: 'info', title: `Rejected by ${who(notice.actor)}`, text: withReason(notice.reason, 'Nothing was changed.') };
    case 'expired': {
      const after = record.policy.timeoutMs !== undefined ? ` after ${formatDuration(record.policy.timeoutMs)}` : '';
      return {
        tone: 'info',
        title: `Approval request expired${after}`,
        text: `Approvals collected: ${approvalsLine(record)}. Nothing was changed; request the rollback again if it is still needed.`,
      };
    }
    case 'cancelled':
      return {
        tone: 'info',
        title: `Cancelled by ${who(notice.actor)}`,
        text: withReason(notice.reason, providerTouched(record) ? 'The rollback had already begun; see the summary for where it stopped.' : 'Nothing was changed on the provider.'),
      };
    case 'abort_requested':
      return { tone: 'warning', title: `Abort requested by ${who(notice.actor)}`, text: 'Rewind stops at the next step boundary and reports where it stopped.' };
    case 'verification_accepted':
      return { tone: 'info', title: `Inconclusive verification accepted by ${who(notice.actor)}`, text: 'Finishing the rollback.' };
    case 'verification_failed':
      return { tone: 'danger', title: `Verification marked failed by ${who(notice.actor)}` };
    case 'verification_retry':
      return { tone: 'progress', title: `Verification retried by ${who(notice.actor)}`, text: 'Running the checks again; the provider is not switched again.' };
    case 'resumed':
      return {
        tone: 'warning',
        title: `Resumed ${stepTitle(record, notice.step)}, attempt ${notice.attempt}`,
        text: 'A worker was lost mid-step; another picked the rollback up. Nothing already done is repeated blindly.',
      };
    case 'postmortem_updated': {
      const cause = record.postmortem?.rootCause;
      return { tone: 'info', title: `Root cause updated by ${who(notice.actor)}`, text: cause ? `Root cause: ${oneLine(cause, 500)}` : undefined };
    }
  }
}

export function decisionNotice(record: RollbackRecord, notice: DecisionNotice): Message {
  const { tone, title, text } = wording(record, notice);
  return compose({ kind: 'notice', tone, title, text, footer: [`Rollback ${record.id}`], fallback: `${serviceLabel(record)}: ${title}` });
}
