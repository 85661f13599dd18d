/**
 * `/rollback history`: the runbook's rollback-history log (date, time, trigger, method, duration,
 * root cause) plus outcome, newest first, built from the same entries the JSON API serves.
 */
import { toHistoryEntry, type HistoryEntry, type HistoryOutcome } from '../../domain/history';
import { describeFilter, type HistoryFilter } from '../../domain/history-filter';
import type { Message } from '../../domain/message';
import type { RollbackRecord } from '../../domain/rollback-record';
import { LIMITS, moreLine, oneLine, plural, stateLabel } from '../formatting';
import { rowSections } from './blocks';
import { compose, field } from './compose';

export interface HistoryOptions {
  service?: string;
  limit: number;
  /** Set when more than the service narrowed the list: the title says what was asked for. */
  filter?: HistoryFilter;
}

const COLUMNS = ['Date', 'Time (UTC)', 'Trigger', 'Method', 'Duration', 'Root cause', 'Outcome'];

/** One table row; the service leads when the table mixes services. */
export function historyRow(entry: HistoryEntry, withService: boolean): string {
  const cells = [
    entry.date,
    entry.time,
    oneLine(entry.trigger, 60),
    oneLine(entry.method, 80),
    entry.duration,
    oneLine(entry.rootCause, 80),
    stateLabel(entry.outcome),
  ];
  return (withService ? [`${entry.service} (${entry.environment})`, ...cells] : cells).join(' | ');
}

function outcomeCounts(entries: readonly HistoryEntry[]): string {
  const counts = new Map<HistoryOutcome, number>();
  for (const e of entries) counts.set(e.outcome, (counts.get(e.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${stateLabel(outcome).toLowerCase()}`).join(', ');
}

export function historyMessage(records: readonly RollbackRecord[], options: HistoryOptions): Message {
  const scope = options.filter ? describeFilter(options.filter) : (options.service ?? 'any service');
  if (records.length === 0) {
    const title = options.filter ? `No rollbacks match ${scope}.` : `No rollbacks recorded for ${scope} yet.`;
    return compose({ kind: 'history', tone: 'info', title });
  }
  const newest = [...records].sort((a, b) => b.timings.requestedAt - a.timings.requestedAt);
  const max = Math.max(1, Math.min(options.limit, LIMITS.historyRows));
  const entries = newest.slice(0, max).map(toHistoryEntry);
  const withService = options.service === undefined;
  const header = (withService ? ['Service', ...COLUMNS] : COLUMNS).join(' | ');
  const rows = entries.map((entry) => historyRow(entry, withService));
  if (newest.length > entries.length) rows.push(moreLine(newest.length - entries.length));
  const title = `Rollback history: ${scope} (last ${plural(entries.length, 'rollback')})`;
  return compose({
    kind: 'history',
    tone: 'info',
    title,
    fields: [field('Outcomes', outcomeCounts(newest.map(toHistoryEntry)))],
    sections: rowSections(header, rows),
    footer: [
      'Times are UTC; duration is from request to finish. Add a root cause with the button on a summary.',
      'As a file with rollback ids: add `--format csv`, `md` or `json`.',
    ],
    fallback: `${title}: ${entries.map((e) => `${e.date} ${e.method} (${stateLabel(e.outcome).toLowerCase()})`).slice(0, 3).join('; ')}`,
  });
}
