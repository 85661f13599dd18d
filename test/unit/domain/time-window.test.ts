/** `--since`: a duration back from now or a date, parsed without a clock. */
import { describeSince, parseTimeBound, resolveTimeBound } from '../../../src/domain/time-window';

describe('parseTimeBound', () => {
  it.each<[string, ReturnType<typeof parseTimeBound>]>([
    ['30d', { kind: 'ago', ms: 30 * 86_400_000 }],
    ['12h', { kind: 'ago', ms: 12 * 3_600_000 }],
    ['2w', { kind: 'ago', ms: 14 * 86_400_000 }],
    ['90m', { kind: 'ago', ms: 90 * 60_000 }],
    ['90MIN', { kind: 'ago', ms: 90 * 60_000 }],
    ['2026-11-01', { kind: 'at', ms: Date.UTC(2026, 10, 1) }],
    ['2026-11-01T09:30:00Z', { kind: 'at', ms: Date.UTC(2026, 10, 1, 9, 30) }],
    ['2026-11-01T09:30+02:00', { kind: 'at', ms: Date.UTC(2026, 10, 1, 7, 30) }],
    ['0d', undefined],
    ['30', undefined],
    ['yesterday', undefined],
    ['2026-02-31', undefined],
    ['2026-11-01T09:30:00', undefined],
    ['-3d', undefined],
  ])('%j', (text, expected) => {
    expect(parseTimeBound(text)).toEqual(expected);
  });

  it('resolves against the caller’s now and names the window', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    expect(resolveTimeBound({ kind: 'ago', ms: 86_400_000 }, now)).toBe(Date.UTC(2026, 10, 22, 12));
    expect(describeSince(parseTimeBound('30d'))).toBe('the last 30 days');
    expect(describeSince(parseTimeBound('1w'))).toBe('the last week');
    expect(describeSince(parseTimeBound('2026-11-01'))).toBe('since 2026-11-01 00:00 UTC');
  });
});
