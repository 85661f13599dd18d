/**
 * The rollback history as files: CSV and JSON with one flat row per rollback (the same columns),
 * and Markdown in the runbook's rollback-history-log table (seed 003: Date, Time, Trigger, Method,
 * Duration, Root Cause), ready to paste into an incident log.
 */
import type { ChatFile, FileFormat } from '../domain/chat-file';
import { EXPORT_COLUMNS, toExportRow, type ExportRow } from '../domain/export-row';
import { describeFilter, type HistoryFilter } from '../domain/history-filter';
import { toHistoryEntry } from '../domain/history';
import type { RollbackRecord } from '../domain/rollback-record';
import { csvDocument } from './csv';
import { mdTable } from './markdown';

/** The runbook's columns, exactly as seed 003 writes them. */
export const SEED_HISTORY_COLUMNS = ['Date', 'Time', 'Trigger', 'Method', 'Duration', 'Root Cause'] as const;

/** Columns whose text people typed or platforms named: a formula there is defused. */
const FREE_TEXT: ReadonlySet<keyof ExportRow> = new Set(['trigger', 'requestedBy', 'reason', 'fromRelease', 'toRelease', 'method', 'verification', 'rootCause', 'impact', 'prevention', 'reviewedBy', 'reviewNotes']);

function newestFirst(records: readonly RollbackRecord[]): RollbackRecord[] {
  return [...records].sort((a, b) => b.timings.requestedAt - a.timings.requestedAt || (a.id < b.id ? 1 : -1));
}

export function historyCsv(records: readonly RollbackRecord[]): string {
  const rows = newestFirst(records).map(toExportRow).map((row) => EXPORT_COLUMNS.map(([key]) => row[key]));
  const freeText = new Set(EXPORT_COLUMNS.flatMap(([key], i) => (FREE_TEXT.has(key) ? [i] : [])));
  return csvDocument(
    EXPORT_COLUMNS.map(([, header]) => header),
    rows,
    freeText,
  );
}

/**
 * Seed 003's table. The seed's log is for one service; when the rows span several, the method
 * names the service and environment so no row is ambiguous.
 */
export function historyMarkdown(records: readonly RollbackRecord[]): string {
  const sorted = newestFirst(records);
  const mixed = new Set(sorted.map((r) => `${r.service}\u0000${r.environment}`)).size > 1;
  const rows = sorted.map((record) => {
    const entry = toHistoryEntry(record);
    const method = mixed ? `${record.service} (${record.environment}): ${entry.method}` : entry.method;
    return [entry.date, entry.time, entry.trigger, method, entry.duration, entry.rootCause];
  });
  return `${mdTable(SEED_HISTORY_COLUMNS, rows)}\n`;
}

export function historyJson(records: readonly RollbackRecord[], filter: HistoryFilter): string {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const body = {
    filter: { ...filter, ...(filter.since === undefined ? {} : { since: iso(filter.since) }), ...(filter.until === undefined ? {} : { until: iso(filter.until) }) },
    count: records.length,
    rollbacks: newestFirst(records).map(toExportRow),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function scopeName(filter: HistoryFilter): string {
  const drills = filter.drills === 'only' && filter.trigger !== 'drill' ? 'drills' : undefined;
  const parts = [filter.service ?? 'all-services', filter.environment, filter.outcome, filter.trigger, drills].filter((p): p is string => p !== undefined);
  return parts.join('-').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60);
}

/** The export as a chat file: `rollback-history-checkout-api-production.csv`. */
export function historyFile(records: readonly RollbackRecord[], format: FileFormat, filter: HistoryFilter): ChatFile {
  const content = format === 'csv' ? historyCsv(records) : format === 'md' ? historyMarkdown(records) : historyJson(records, filter);
  const scope = describeFilter(filter);
  return {
    name: `rollback-history-${scopeName(filter)}.${format}`,
    title: `Rollback history: ${scope}`.slice(0, 200),
    format,
    content,
    comment: `Rollback history (${format.toUpperCase()}): ${records.length === 1 ? '1 rollback' : `${records.length} rollbacks`}, ${scope}.`.slice(0, 500),
  };
}
