/** Every template, as a record in a given state would produce it: what chat renderers are tested against. */
import type { Message } from '../../src/domain/message';
import { BUILTIN_STEPS as STEP_NAMES } from '../../src/domain/plan';
import type { RollbackRecord } from '../../src/domain/rollback-record';
import { announcementClosing, announcementOpening } from '../../src/messages/templates/announcement';
import { approvalRequest } from '../../src/messages/templates/approval-request';
import { decisionNotice, type DecisionNotice } from '../../src/messages/templates/decision-notice';
import { failureSummary } from '../../src/messages/templates/failure-summary';
import { helpMessage } from '../../src/messages/templates/help';
import { historyMessage } from '../../src/messages/templates/history';
import { notificationHeader } from '../../src/messages/templates/notification-header';
import { previewMessage } from '../../src/messages/templates/preview';
import { releasesMessage } from '../../src/messages/templates/releases';
import { errorReply, requestAccepted } from '../../src/messages/templates/replies';
import { rollbackSummary } from '../../src/messages/templates/rollback-summary';
import { statusMessage, statusOverview } from '../../src/messages/templates/status';
import { stepProgress } from '../../src/messages/templates/step-progress';
import { verificationChecklist } from '../../src/messages/templates/verification-checklist';
import { ACTORS, RELEASES, T0 } from './record-factory';

/** One notice of each kind, the record's own reason in those that quote one; the mapped type makes a new kind a compile error here. */
export function notices(record: RollbackRecord): DecisionNotice[] {
  const reason = record.reason ?? 'no reason';
  const byKind: { [K in DecisionNotice['kind']]: Extract<DecisionNotice, { kind: K }> } = {
    approval_recorded: { kind: 'approval_recorded', actor: ACTORS.lead },
    approved: { kind: 'approved', actor: ACTORS.lead },
    rejected: { kind: 'rejected', actor: ACTORS.lead, reason },
    expired: { kind: 'expired' },
    cancelled: { kind: 'cancelled', actor: record.requester, reason },
    abort_requested: { kind: 'abort_requested', actor: ACTORS.ann },
    verification_accepted: { kind: 'verification_accepted', actor: ACTORS.lead },
    verification_failed: { kind: 'verification_failed', actor: ACTORS.ann },
    verification_retry: { kind: 'verification_retry', actor: record.requester },
    resumed: { kind: 'resumed', step: 'rollback', attempt: 2 },
    postmortem_updated: { kind: 'postmortem_updated', actor: ACTORS.lead },
  };
  return Object.values(byKind);
}

/** Every template, as a record in this state would produce it. */
export function everyMessage(record: RollbackRecord, now: number = T0 + 60_000): Message[] {
  const history = Array.from({ length: 50 }, (_, i) => ({ ...record, id: `rb_${String(i).padStart(26, '0')}`, timings: { ...record.timings, requestedAt: T0 + i } }));
  const releases = Array.from({ length: 30 }, (_, i) => ({ ...RELEASES.good, id: `${record.service}-${i}`, version: `${record.environment}-2.${i}.0` }));
  return [
    notificationHeader(record, { now }),
    previewMessage(record),
    previewMessage(record, { dryRun: true }),
    approvalRequest(record),
    ...notices(record).map((notice) => decisionNotice(record, notice)),
    ...STEP_NAMES.map((step) => stepProgress(record, step)),
    verificationChecklist(record),
    rollbackSummary(record),
    failureSummary(record),
    statusMessage(record, { now }),
    statusOverview(history, { now }),
    historyMessage(history, { limit: 50 }),
    historyMessage(history, { service: record.service, limit: 50 }),
    releasesMessage(record.service, record.environment, releases[0]!, releases),
    helpMessage(),
    errorReply(record.reason ?? 'nothing'),
    requestAccepted(record),
    ...[announcementOpening(record), announcementClosing(record)].filter((m): m is Message => m !== undefined),
  ];
}

