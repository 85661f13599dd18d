/**
 * `/rollback status`: one rollback as the header shows it plus every step with its timing, or an
 * overview line per active rollback.
 */
import { historyOutcome } from '../../domain/history';
import type { Message } from '../../domain/message';
import type { RollbackRecord } from '../../domain/rollback-record';
import { LIMITS, formatDuration, moreLine, recordArrow, serviceLabel, stateLabel } from '../formatting';
import { rowSections, stepsSection } from './blocks';
import { compose } from './compose';
import { headerParts, statusLine, type HeaderOptions } from './notification-header';

export function statusMessage(record: RollbackRecord, options: HeaderOptions): Message {
  const parts = headerParts(record, options);
  return compose({ ...parts, kind: 'status', sections: [...(parts.sections ?? []), stepsSection(record, options.now)] });
}

function overviewLine(record: RollbackRecord, now: number): string {
  return `${record.id} · ${serviceLabel(record)} · ${recordArrow(record)} · ${statusLine(record)} · for ${formatDuration(now - record.timings.requestedAt)}`;
}

export function statusOverview(records: readonly RollbackRecord[], { now }: HeaderOptions): Message {
  if (records.length === 0) {
    return compose({ kind: 'status', tone: 'info', title: 'No rollback in progress.', text: 'Start one with `/rollback <service>`; see `/rollback help`.' });
  }
  const newest = [...records].sort((a, b) => b.timings.requestedAt - a.timings.requestedAt);
  const shown = newest.slice(0, LIMITS.historyRows);
  const rows = shown.map((record) => overviewLine(record, now));
  if (newest.length > shown.length) rows.push(moreLine(newest.length - shown.length));
  const waiting = records.filter((r) => r.state === 'pending_approval').length;
  return compose({
    kind: 'status',
    tone: 'progress',
    title: `Rollbacks in progress: ${records.length}`,
    text: waiting > 0 ? `${waiting} waiting for approval. Details: \`/rollback status <rollback-id>\`.` : 'Details: `/rollback status <rollback-id>`.',
    sections: rowSections('Active', rows),
    fallback: `Rollbacks in progress: ${records.map((r) => `${r.service} (${stateLabel(historyOutcome(r)).toLowerCase()})`).slice(0, 5).join(', ')}`,
  });
}
