/** The RTO report's arithmetic and the recovery time it rests on, table by table. */
import { median, rtoReport } from '../../../src/domain/rto-report';
import { recoveryOf } from '../../../src/domain/recovery';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import type { Severity } from '../../../src/domain/severity';
import { ACTORS, MINUTE, SECOND, T0, checkResult, makeRecord, verificationOf } from '../../support/record-factory';

let n = 0;
/** A finished rollback of `severity` that recovered `recoveredAfterMs` after the request (or ended `state`); `rtoMs` null: no RTO. */
function rollback(severity: Severity, outcome: { recoveredAfterMs: number } | 'failed' | 'rejected' | 'unchecked' | 'running', rtoMs: number | null = 2 * MINUTE): RollbackRecord {
  const id = `rb_01KAQ4J3Z8M2N5P7R9T1V3X${String(n++).padStart(3, '0')}`;
  const rto = rtoMs === null ? {} : { rtoMs };
  const base = (record: RollbackRecord) => {
    const { rtoMs: _drop, ...rest } = record;
    return { ...rest, ...rto, id, severity } as RollbackRecord;
  };
  if (outcome === 'failed' || outcome === 'rejected' || outcome === 'running') return base(makeRecord({ state: outcome }));
  if (outcome === 'unchecked') return base(makeRecord({ state: 'succeeded', verification: verificationOf([]) }));
  const at = T0 + outcome.recoveredAfterMs;
  return base(makeRecord({ state: 'succeeded', timings: { requestedAt: T0, startedAt: T0, verifiedAt: at, finishedAt: at + SECOND } }));
}

describe('median', () => {
  it.each<[number[], number | undefined]>([
    [[], undefined],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1000], 10],
  ])('%j → %j', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('recoveryOf', () => {
  it.each<[string, RollbackRecord, { ms?: number; rtoMet?: boolean; basis?: string }]>([
    ['succeeded within the RTO', rollback('critical', { recoveredAfterMs: 90 * SECOND }), { ms: 90_000, rtoMet: true, basis: 'checks' }],
    ['succeeded exactly at the RTO', rollback('critical', { recoveredAfterMs: 2 * MINUTE }), { ms: 120_000, rtoMet: true }],
    ['succeeded late', rollback('critical', { recoveredAfterMs: 2 * MINUTE + 1 }), { ms: 120_001, rtoMet: false }],
    ['failed', rollback('critical', 'failed'), { rtoMet: false }],
    ['rejected: never attempted', rollback('high', 'rejected'), {}],
    ['still running', rollback('critical', 'running'), {}],
    ['no checks configured', rollback('critical', 'unchecked'), { basis: 'unchecked' }],
    ['no RTO configured', rollback('medium', { recoveredAfterMs: 5 * MINUTE }, null), { ms: 300_000 }],
  ])('%s', (_what, record, expected) => {
    const recovery = recoveryOf(record);
    expect({ ms: recovery.ms, rtoMet: recovery.rtoMet, ...(expected.basis ? { basis: recovery.basis } : {}) }).toEqual({ ms: expected.ms, rtoMet: expected.rtoMet, ...(expected.basis ? { basis: expected.basis } : {}) });
  });

  it('counts an accepted inconclusive verification from the acceptance', () => {
    const record = makeRecord({
      state: 'succeeded',
      verification: verificationOf([checkResult({ status: 'inconclusive' })], { acceptedBy: { actor: ACTORS.lead, at: T0 + 5 * MINUTE } }),
      timings: { requestedAt: T0, verifiedAt: T0 + MINUTE, finishedAt: T0 + 5 * MINUTE + SECOND },
    });
    expect(recoveryOf(record)).toMatchObject({ basis: 'accepted', ms: 5 * MINUTE, rtoMet: false });
  });
});

describe('rtoReport', () => {
  const cases: [string, RollbackRecord[], { rollbacks: number; recovered: number; medianMs?: number; worstMs?: number; judged: number; met: number; metPct?: number }][] = [
    ['nothing', [], { rollbacks: 0, recovered: 0, judged: 0, met: 0 }],
    ['one fast recovery', [rollback('critical', { recoveredAfterMs: 30 * SECOND })], { rollbacks: 1, recovered: 1, medianMs: 30_000, worstMs: 30_000, judged: 1, met: 1, metPct: 100 }],
    [
      'odd count: the middle time; a late one misses',
      [rollback('critical', { recoveredAfterMs: 30 * SECOND }), rollback('critical', { recoveredAfterMs: 3 * MINUTE }), rollback('critical', { recoveredAfterMs: 60 * SECOND })],
      { rollbacks: 3, recovered: 3, medianMs: 60_000, worstMs: 180_000, judged: 3, met: 2, metPct: 66.7 },
    ],
    [
      'even count: the mean of the middle two',
      [rollback('high', { recoveredAfterMs: 10 * SECOND }), rollback('high', { recoveredAfterMs: 20 * SECOND }), rollback('high', { recoveredAfterMs: 40 * SECOND }), rollback('high', { recoveredAfterMs: 80 * SECOND })],
      { rollbacks: 4, recovered: 4, medianMs: 30_000, worstMs: 80_000, judged: 4, met: 4, metPct: 100 },
    ],
    [
      'a failure counts as missed; rejections and running ones are not judged',
      [rollback('critical', { recoveredAfterMs: 30 * SECOND }), rollback('critical', 'failed'), rollback('high', 'rejected'), rollback('critical', 'running')],
      { rollbacks: 4, recovered: 1, medianMs: 30_000, worstMs: 30_000, judged: 2, met: 1, metPct: 50 },
    ],
    [
      'no checks: finished but not timed nor judged',
      [rollback('critical', 'unchecked'), rollback('critical', 'unchecked')],
      { rollbacks: 2, recovered: 0, judged: 0, met: 0 },
    ],
    [
      'no RTO: timed, not judged',
      [rollback('medium', { recoveredAfterMs: 4 * MINUTE }, null)],
      { rollbacks: 1, recovered: 1, medianMs: 240_000, worstMs: 240_000, judged: 0, met: 0 },
    ],
  ];

  it.each(cases)('%s', (_what, records, expected) => {
    const { all } = rtoReport(records);
    expect({ rollbacks: all.rollbacks, recovered: all.recovered, medianMs: all.medianMs, worstMs: all.worstMs, judged: all.judged, met: all.met, metPct: all.metPct }).toEqual({
      medianMs: undefined,
      worstMs: undefined,
      metPct: undefined,
      ...expected,
    });
  });

  it('breaks the numbers down by severity, most urgent first, leaving out severities with no rollbacks', () => {
    const slow = rollback('high', { recoveredAfterMs: 20 * MINUTE }, 15 * MINUTE);
    const report = rtoReport([rollback('medium', { recoveredAfterMs: 30 * MINUTE }, 60 * MINUTE), slow, rollback('critical', { recoveredAfterMs: 40 * SECOND }), rollback('critical', 'failed')]);
    expect(report.bySeverity.map((g) => [g.severity, g.rollbacks, g.met, g.judged, g.metPct])).toEqual([
      ['critical', 2, 1, 2, 50],
      ['high', 1, 0, 1, 0],
      ['medium', 1, 1, 1, 100],
    ]);
    expect(report.all).toMatchObject({ rollbacks: 4, judged: 4, met: 2, metPct: 50, worstMs: 30 * MINUTE });
    expect(report.bySeverity[1]).toMatchObject({ worstId: slow.id, failed: 0 });
  });
});
