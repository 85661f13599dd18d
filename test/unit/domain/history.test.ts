import { HistoryEntry, describeTrigger, formatDuration, toHistoryEntry } from '../../../src/domain/history';
import { ACTORS, MINUTE, T0, makeRecord, without } from '../../support/record-factory';

describe('toHistoryEntry', () => {
  it('writes a finished rollback as a row of the runbook log', () => {
    const record = makeRecord({ state: 'succeeded', postmortem: { rootCause: 'pricing engine v2 divides by zero on empty carts', by: ACTORS.lead, at: T0 + 10 * MINUTE } });
    const entry = toHistoryEntry(record);
    expect(HistoryEntry.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({
      rollbackId: record.id,
      service: 'checkout-api',
      environment: 'production',
      date: '2026-11-23',
      time: '09:45',
      trigger: 'manual (slack: steve)',
      method: 'blue/green switch 2.4.1 → 2.4.0',
      duration: '38 s',
      durationMs: 37_800 + 200,
      rootCause: 'pricing engine v2 divides by zero on empty carts',
      outcome: 'succeeded',
    });
  });

  it('uses UTC for date and time, whatever the clock of the reader', () => {
    const record = makeRecord({ state: 'succeeded', timings: { requestedAt: Date.UTC(2026, 11, 31, 23, 59, 30), finishedAt: Date.UTC(2027, 0, 1, 0, 1, 35) } });
    expect(toHistoryEntry(record)).toMatchObject({ date: '2026-12-31', time: '23:59', duration: '2 min 05 s' });
  });

  it('says "—" for an unfinished rollback and an unrecorded root cause', () => {
    const entry = toHistoryEntry(makeRecord({ state: 'running' }));
    expect(entry.duration).toBe('—');
    expect(entry.durationMs).toBeUndefined();
    expect(entry.rootCause).toBe('—');
  });

  it('calls a release without slot a rollback, and an unresolved target "last stable"', () => {
    const plain = makeRecord({ state: 'succeeded', to: { id: 'dep-9', version: '2.4.0' } });
    expect(toHistoryEntry(plain).method).toBe('rollback 2.4.1 → 2.4.0');
    expect(toHistoryEntry(without(makeRecord(), 'to')).method).toBe('rollback 2.4.1 → last stable');
  });

  it('records an aborted rollback as aborted, not merely cancelled', () => {
    const aborted = makeRecord({ state: 'cancelled', outcome: { code: 'aborted', message: 'Aborted by steve before wait live.', stoppedAt: 'wait_live', providerChanged: true, nextSteps: [] } });
    expect(toHistoryEntry(aborted).outcome).toBe('aborted');
    expect(toHistoryEntry(makeRecord({ state: 'cancelled' })).outcome).toBe('cancelled');
  });
});

describe('describeTrigger', () => {
  it('names the person for manual rollbacks, the alert for alerts, the probe for automatic ones', () => {
    expect(describeTrigger({ kind: 'manual', source: 'discord', evidence: [] }, ACTORS.ann)).toBe('manual (discord: Ann)');
    expect(describeTrigger({ kind: 'alert', source: 'alertmanager', evidence: ['alertname=HighErrorRate', 'value=0.12'] }, ACTORS.rewind)).toBe('alert: HighErrorRate');
    expect(describeTrigger({ kind: 'alert', source: 'grafana', evidence: ['error rate 12%'] }, ACTORS.rewind)).toBe('alert: grafana');
    expect(describeTrigger({ kind: 'auto', source: 'health-monitor', evidence: [] }, ACTORS.rewind)).toBe('auto: health probe');
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [0, '0 ms'],
    [-5, '0 ms'],
    [Number.NaN, '0 ms'],
    [999.7, '1 s'],
    [12_000, '12 s'],
    [12_400, '12 s'],
    [59_600, '1 min'],
    [125_000, '2 min 05 s'],
    [120_000, '2 min'],
    [3_780_000, '1 h 03 min'],
    [3_600_000, '1 h'],
    [26 * 3_600_000, '26 h'],
  ])('%p ms → %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
