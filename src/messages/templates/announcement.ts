/**
 * What stakeholder channels are told (seed 004's communication templates, in Rewind's words): one
 * message when a rollback starts, edited in place as its status changes, and one when it ends —
 * completed, failed, or stopped. Plain facts for people outside the incident: no buttons, no thread,
 * no step-by-step. A rollback that never started (refused, rejected, expired) announces nothing.
 */
import { elapsedMs, historyOutcome } from '../../domain/history';
import type { Message, Tone } from '../../domain/message';
import type { RollbackRecord } from '../../domain/rollback-record';
import { formatDuration, oneLine, serviceLabel, stepTitle, who } from '../formatting';
import { compose, field } from './compose';

const BEING_ASSESSED = 'Being assessed';

/** The rollback was cleared to run: no approval needed, or the last one given. */
export function hasStarted(record: RollbackRecord): boolean {
  return record.timings.queuedAt !== undefined;
}

/** `production (blue)`: the seed's "Environment: [BLUE/GREEN]", where the provider has slots. */
function environmentLine(record: RollbackRecord): string {
  return record.to?.slot && !record.to.versionUnknown ? `${record.environment} (${record.to.slot})` : record.environment;
}

function recorded(value: string | undefined): string {
  return value?.trim() ? oneLine(value, 300) : BEING_ASSESSED;
}

function rtoTarget(record: RollbackRecord): string {
  return record.rtoMs === undefined ? BEING_ASSESSED : `Within ${formatDuration(record.rtoMs)} (${record.severity} recovery target)`;
}

/** The status line of the first message; it is edited as this changes. */
function status(record: RollbackRecord): { tone: Tone; line: string; eta: string } {
  const took = elapsedMs(record);
  switch (historyOutcome(record)) {
    case 'succeeded':
      return { tone: 'success', line: 'Rolled back — stable and monitoring', eta: took === undefined ? 'Resolved' : `Resolved in ${formatDuration(took)}` };
    case 'failed':
      return { tone: 'danger', line: 'The rollback failed — the on-call team is working on it', eta: BEING_ASSESSED };
    case 'aborted':
    case 'cancelled':
      return { tone: 'info', line: 'Stopped — the on-call team is handling it', eta: BEING_ASSESSED };
    case 'verifying':
      return { tone: 'progress', line: 'Switched back — checking that the service recovered', eta: rtoTarget(record) };
    default:
      return { tone: 'progress', line: 'Rolling back — monitoring recovery', eta: rtoTarget(record) };
  }
}

/** The first message, from the moment the rollback starts; undefined before (and for one that never ran). */
export function announcementOpening(record: RollbackRecord): Message | undefined {
  if (!hasStarted(record)) return undefined;
  const now = status(record);
  const title = `Deployment rollback executed: ${serviceLabel(record)}`;
  return compose({
    kind: 'announcement',
    tone: now.tone,
    title,
    fields: [
      field('Environment', environmentLine(record)),
      field('Reason', record.reason ? oneLine(record.reason, 300) : 'Not given'),
      field('Impact', recorded(record.postmortem?.impact)),
      field('ETA for resolution', now.eta),
      field('Status', now.line),
    ],
    footer: [`Rollback ${record.id} · details in the incident channel`],
    fallback: `${title} — ${now.line}`,
  });
}

/** How it ended, for the second message's title and status. */
function ending(record: RollbackRecord): { title: string; tone: Tone; line: string } | undefined {
  const where = serviceLabel(record);
  const stopped = record.outcome?.stoppedAt;
  switch (historyOutcome(record)) {
    case 'succeeded':
      return { title: `Rollback completed: ${where}`, tone: 'success', line: 'Stable and monitoring' };
    case 'failed':
      return {
        title: `Rollback failed: ${where}`,
        tone: 'danger',
        line: `Not recovered${stopped ? ` (stopped at ${stepTitle(record, stopped)})` : ''} — the on-call team is working on it`,
      };
    case 'aborted':
      return { title: `Rollback stopped: ${where}`, tone: 'info', line: `Stopped by ${record.abort ? who(record.abort.actor) : 'Rewind'} — the on-call team is handling it` };
    case 'cancelled':
      return { title: `Rollback stopped: ${where}`, tone: 'info', line: record.outcome?.message ? oneLine(record.outcome.message, 300) : 'Cancelled before it changed anything' };
    default:
      return undefined;
  }
}

/** The second message, once a started rollback has ended; undefined until then. */
export function announcementClosing(record: RollbackRecord): Message | undefined {
  const end = hasStarted(record) ? ending(record) : undefined;
  if (!end) return undefined;
  const took = elapsedMs(record);
  const pm = record.postmortem;
  return compose({
    kind: 'announcement',
    tone: end.tone,
    title: end.title,
    fields: [
      field('Environment', environmentLine(record)),
      field('Duration', took === undefined ? '—' : formatDuration(took)),
      field('Customer impact', recorded(pm?.impact)),
      field('Root cause', recorded(pm?.rootCause)),
      field('Prevention', recorded(pm?.prevention)),
      field('Status', end.line),
    ],
    footer: [`Rollback ${record.id} · details in the incident channel`],
    fallback: `${end.title} — ${end.line}`,
  });
}
