/**
 * Drill rules (issue 15): where a drill may run, how it is judged against the RTO, and when an
 * environment is overdue for one — with one reminder per overdue period, whoever checks.
 */
import { drillGate, drillReminderVerdict, drillTiming } from '../../../src/domain/drills';
import type { RollbackRecord } from '../../../src/domain/rollback-record';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const MONTHLY = { drills: { everyMs: 30 * DAY, allowProduction: false } };

describe('where a drill may run', () => {
  it.each([
    ['staging', MONTHLY, true],
    ['preprod', MONTHLY, true],
    ['production', MONTHLY, false],
    ['prod-eu', MONTHLY, false],
    ['production', { drills: { everyMs: 30 * DAY, allowProduction: true } }, true],
    ['production', {}, false],
    ['staging', {}, true],
  ] as const)('%s with %j: allowed %s', (environment, comms, allowed) => {
    expect(drillGate('checkout-api', environment, comms).allowed).toBe(allowed);
  });

  it('says why production is refused and how to allow it', () => {
    const gate = drillGate('checkout-api', 'production', MONTHLY);
    expect(gate).toMatchObject({ allowed: false, message: expect.stringContaining('drills: { allowProduction: true }') });
  });
});

describe('a drill against its RTO, end to end', () => {
  const timed = (state: RollbackRecord['state'], tookMs: number | undefined, rtoMs: number | undefined) =>
    drillTiming({ state, timings: { requestedAt: T0, ...(tookMs === undefined ? {} : { finishedAt: T0 + tookMs }) }, ...(rtoMs === undefined ? {} : { rtoMs }) });

  it('is met when it succeeded within the RTO, missed when late or not recovered', () => {
    expect(timed('succeeded', 40_000, 120_000)).toEqual({ durationMs: 40_000, rtoMs: 120_000, verdict: 'met' });
    expect(timed('succeeded', 120_000, 120_000).verdict).toBe('met');
    expect(timed('succeeded', 130_000, 120_000).verdict).toBe('missed');
    expect(timed('failed', 10_000, 120_000).verdict).toBe('missed');
  });

  it('is not judged without an RTO, nor before it ends', () => {
    expect(timed('succeeded', 40_000, undefined)).toEqual({ durationMs: 40_000, verdict: 'no_rto' });
    expect(timed('running', undefined, 120_000)).toEqual({ rtoMs: 120_000, verdict: 'unfinished' });
  });
});

describe('when an environment is overdue for a drill', () => {
  const verdict = (environment: string, comms: object, last: { rollbackId: string; at: number } | undefined, now: number) => drillReminderVerdict({ environment, comms, last, now });

  it('is not, without `drills: { every }`, or on production where drills are not allowed', () => {
    expect(verdict('staging', {}, undefined, T0)).toEqual({ due: false, why: 'not_configured' });
    expect(verdict('production', MONTHLY, undefined, T0)).toEqual({ due: false, why: 'production_not_allowed' });
  });

  it('is not while the last drill is recent', () => {
    expect(verdict('staging', MONTHLY, { rollbackId: 'rb_1', at: T0 }, T0 + 29 * DAY)).toEqual({ due: false, why: 'recent' });
  });

  it('is once `every` has passed since the last drill ended: one period until another `every` passes', () => {
    const last = { rollbackId: 'rb_1', at: T0 };
    const first = verdict('staging', MONTHLY, last, T0 + 30 * DAY);
    expect(first).toMatchObject({ due: true, everyMs: 30 * DAY, sinceMs: 30 * DAY, last });
    // Every check in the same period names the same period: the claim lets one of them remind.
    expect(verdict('staging', MONTHLY, last, T0 + 45 * DAY)).toMatchObject({ due: true, period: (first as { period: string }).period });
    expect(verdict('staging', MONTHLY, last, T0 + 60 * DAY)).toMatchObject({ due: true, period: expect.not.stringMatching(`^${(first as { period: string }).period}$`) });
  });

  it('is, for an environment never drilled, once per `every` (periods counted from the epoch, the same on every replica)', () => {
    const a = verdict('staging', MONTHLY, undefined, T0);
    const b = verdict('staging', MONTHLY, undefined, T0 + 1_000);
    expect(a).toMatchObject({ due: true });
    expect(a).toEqual(b);
    expect(a).not.toHaveProperty('last');
  });

  it('applies to production where the catalog allows drills there', () => {
    expect(verdict('production', { drills: { everyMs: 7 * DAY, allowProduction: true } }, { rollbackId: 'rb_1', at: T0 }, T0 + 8 * DAY)).toMatchObject({ due: true });
  });
});
