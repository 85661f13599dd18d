/**
 * One rollback as a flat row for spreadsheets and scripts: the CSV and JSON exports share it, so a
 * column means the same thing in both. Times are ISO 8601 UTC; absent values are null.
 */
import { z } from 'zod';
import { actorLabel } from './actor';
import { describeMethod, describeTrigger, historyOutcome, HistoryOutcome } from './history';
import { recoveryOf } from './recovery';
import { TriggerKind } from './request';
import type { RollbackRecord } from './rollback-record';
import { Severity } from './severity';

export const ExportRow = z.object({
  id: z.string(),
  service: z.string(),
  environment: z.string(),
  requestedAt: z.string(),
  finishedAt: z.string().nullable(),
  severity: Severity,
  triggerKind: TriggerKind,
  trigger: z.string(),
  requestedBy: z.string(),
  reason: z.string().nullable(),
  fromRelease: z.string().nullable(),
  toRelease: z.string().nullable(),
  method: z.string(),
  outcome: HistoryOutcome,
  /** Request → finish. */
  durationMs: z.number().nullable(),
  /** Request → verified recovery; null when not recovered or recovery was not checked. */
  recoveryMs: z.number().nullable(),
  rtoMs: z.number().nullable(),
  rtoMet: z.boolean().nullable(),
  verification: z.string().nullable(),
  rootCause: z.string().nullable(),
  impact: z.string().nullable(),
  prevention: z.string().nullable(),
  /** A break-glass rollback's review: `pending` until an approver marks it reviewed; null when none was needed. */
  review: z.enum(['pending', 'reviewed']).nullable(),
  /** The approver who marked it reviewed. */
  reviewedBy: z.string().nullable(),
  /** Notes added to the review, oldest first, as `name: text`, separated by ` | `. */
  reviewNotes: z.string().nullable(),
});
export type ExportRow = z.infer<typeof ExportRow>;

/** Column order and header names of the CSV, snake_case as spreadsheets and SQL loaders expect. */
export const EXPORT_COLUMNS: readonly (readonly [keyof ExportRow, string])[] = [
  ['id', 'id'],
  ['service', 'service'],
  ['environment', 'environment'],
  ['requestedAt', 'requested_at'],
  ['finishedAt', 'finished_at'],
  ['severity', 'severity'],
  ['triggerKind', 'trigger_kind'],
  ['trigger', 'trigger'],
  ['requestedBy', 'requested_by'],
  ['reason', 'reason'],
  ['fromRelease', 'from_release'],
  ['toRelease', 'to_release'],
  ['method', 'method'],
  ['outcome', 'outcome'],
  ['durationMs', 'duration_ms'],
  ['recoveryMs', 'recovery_ms'],
  ['rtoMs', 'rto_ms'],
  ['rtoMet', 'rto_met'],
  ['verification', 'verification'],
  ['rootCause', 'root_cause'],
  ['impact', 'impact'],
  ['prevention', 'prevention'],
  ['review', 'review'],
  ['reviewedBy', 'reviewed_by'],
  ['reviewNotes', 'review_notes'],
];

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const text = (value: string | undefined): string | null => (value?.trim() ? value.trim() : null);

export function toExportRow(record: RollbackRecord): ExportRow {
  const { requestedAt, finishedAt } = record.timings;
  const recovery = recoveryOf(record);
  return {
    id: record.id,
    service: record.service,
    environment: record.environment,
    requestedAt: iso(requestedAt)!,
    finishedAt: iso(finishedAt),
    severity: record.severity,
    triggerKind: record.trigger.kind,
    trigger: describeTrigger(record.trigger, record.requester),
    requestedBy: actorLabel(record.requester),
    reason: text(record.reason),
    fromRelease: record.from?.version ?? null,
    toRelease: record.to?.version ?? record.requestedRelease ?? null,
    method: describeMethod(record),
    outcome: historyOutcome(record),
    durationMs: finishedAt === undefined ? null : Math.max(0, finishedAt - requestedAt),
    recoveryMs: recovery.ms ?? null,
    rtoMs: recovery.rtoMs ?? null,
    rtoMet: recovery.rtoMet ?? null,
    verification: record.verification ? (record.verification.acceptedBy ? `${record.verification.status} (accepted)` : record.verification.status) : null,
    rootCause: text(record.postmortem?.rootCause),
    impact: text(record.postmortem?.impact),
    prevention: text(record.postmortem?.prevention),
    review: record.review?.requestedAt === undefined ? null : record.review.reviewed ? 'reviewed' : 'pending',
    reviewedBy: record.review?.reviewed ? actorLabel(record.review.reviewed.actor) : null,
    reviewNotes: record.review?.notes.length ? record.review.notes.map((note) => `${actorLabel(note.actor)}: ${note.text.replace(/\s+/g, ' ').trim()}`).join(' | ') : null,
  };
}
