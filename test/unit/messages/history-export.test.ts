/** History exports: RFC 4180 CSV, seed 003's Markdown table, and JSON with the same columns as the CSV. */
import { ExportRow } from '../../../src/domain/export-row';
import { csvDocument, csvField } from '../../../src/messages/csv';
import { historyCsv, historyFile, historyJson, historyMarkdown, SEED_HISTORY_COLUMNS } from '../../../src/messages/history-export';
import { parseCsv } from '../../support/csv-reader';
import { ACTORS, MINUTE, T0, makeRecord } from '../../support/record-factory';

describe('csvField (RFC 4180)', () => {
  it.each<[string | number | boolean | null, string]>([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['', ''],
    [null, ''],
    [42, '42'],
    [-3, '-3'],
    [true, 'true'],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('defuses text a spreadsheet would run as a formula, only in free-text columns', () => {
    expect(csvField('=HYPERLINK("http://x")', { freeText: true })).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1', { freeText: true })).toBe("'+1");
    expect(csvField('@sum', { freeText: true })).toBe("'@sum");
    expect(csvField('=1+1')).toBe('=1+1');
  });

  it('ends every line, the last included, with CRLF and starts with the header', () => {
    expect(csvDocument(['a', 'b'], [['1', 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});

describe('historyCsv', () => {
  const tricky = makeRecord({
    state: 'succeeded',
    reason: 'checkout 500s, "again"\nafter 2.4.1',
    postmortem: { rootCause: '=cmd|calc', impact: '4% of carts', by: ACTORS.lead, at: T0 },
  });
  const older = makeRecord({ state: 'failed', id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y0', timings: { requestedAt: T0 - 60 * MINUTE, finishedAt: T0 - 59 * MINUTE } });

  it('has a header row and one row per rollback, newest first, that reads back to the same values', () => {
    const rows = parseCsv(historyCsv([older, tricky]));
    expect(rows[0]).toEqual(['id', 'service', 'environment', 'requested_at', 'finished_at', 'severity', 'trigger_kind', 'trigger', 'requested_by', 'reason', 'from_release', 'to_release', 'method', 'outcome', 'duration_ms', 'recovery_ms', 'rto_ms', 'rto_met', 'verification', 'root_cause', 'impact', 'prevention', 'review', 'reviewed_by', 'review_notes']);
    expect(rows).toHaveLength(3);
    const header = rows[0]!;
    const first = Object.fromEntries(header.map((h, i) => [h, rows[1]![i]]));
    expect(first).toMatchObject({
      id: tricky.id,
      requested_at: '2026-11-23T09:45:12.000Z',
      finished_at: '2026-11-23T09:45:50.000Z',
      severity: 'critical',
      trigger_kind: 'manual',
      reason: 'checkout 500s, "again"\nafter 2.4.1',
      outcome: 'succeeded',
      duration_ms: '38000',
      recovery_ms: '35800',
      rto_ms: '120000',
      rto_met: 'true',
      root_cause: "'=cmd|calc",
      impact: '4% of carts',
      prevention: '',
    });
    expect(rows[2]![0]).toBe(older.id);
    expect(rows[2]![header.indexOf('rto_met')]).toBe('false');
  });

  it('writes nothing but the header for no rollbacks', () => {
    expect(historyCsv([]).split('\r\n')).toEqual([expect.stringMatching(/^id,service,/), '']);
  });
});

describe('historyMarkdown', () => {
  it("is seed 003's rollback-history-log table", () => {
    const record = makeRecord({ state: 'succeeded', postmortem: { rootCause: 'pricing | divide by zero', by: ACTORS.lead, at: T0 } });
    const lines = historyMarkdown([record]).trimEnd().split('\n');
    expect(SEED_HISTORY_COLUMNS).toEqual(['Date', 'Time', 'Trigger', 'Method', 'Duration', 'Root Cause']);
    expect(lines[0]).toBe('| Date | Time | Trigger | Method | Duration | Root Cause |');
    expect(lines[1]).toBe('|---|---|---|---|---|---|');
    expect(lines[2]).toBe('| 2026-11-23 | 09:45 | manual (slack: steve) | blue/green switch 2.4.1 → 2.4.0 | 38 s | pricing \\| divide by zero |');
  });

  it('names the service in the method when rows span services', () => {
    const md = historyMarkdown([makeRecord({ state: 'succeeded' }), makeRecord({ state: 'succeeded', service: 'payments', id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y0' })]);
    expect(md).toContain('| payments (production): blue/green switch 2.4.1 → 2.4.0 |');
  });
});

describe('historyJson and historyFile', () => {
  it('serves the same rows as the CSV, with the filter it answers', () => {
    const record = makeRecord({ state: 'succeeded' });
    const body = JSON.parse(historyJson([record], { service: 'checkout-api', since: T0 - MINUTE })) as { filter: unknown; count: number; rollbacks: unknown[] };
    expect(body.filter).toEqual({ service: 'checkout-api', since: '2026-11-23T09:44:12.000Z' });
    expect(body.count).toBe(1);
    expect(ExportRow.parse(body.rollbacks[0])).toMatchObject({ id: record.id, recoveryMs: 35_800, rtoMet: true });
  });

  it('names the file after its scope and format', () => {
    const file = historyFile([makeRecord({ state: 'succeeded' })], 'csv', { service: 'checkout-api', environment: 'production', outcome: 'succeeded' });
    expect(file).toMatchObject({ name: 'rollback-history-checkout-api-production-succeeded.csv', format: 'csv', comment: 'Rollback history (CSV): 1 rollback, checkout-api · production · succeeded.' });
  });
});
