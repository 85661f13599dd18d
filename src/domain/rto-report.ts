/**
 * The RTO report: over a set of rollbacks, how many there were, the median and worst time to
 * verified recovery, and how often the RTO was met, overall and per severity. Pure arithmetic over
 * records; the caller picks the records (service, time window).
 */
import { recoveryOf } from './recovery';
import type { RollbackRecord } from './rollback-record';
import { SEVERITIES, type Severity } from './severity';

export interface RtoGroup {
  severity: Severity | 'all';
  /** Every rollback in the set, whatever its outcome (rejected, in progress… included). */
  rollbacks: number;
  /** Succeeded with recovery confirmed by checks (or an accepted inconclusive result). */
  recovered: number;
  /** Succeeded with no checks configured: finished, but recovery was never confirmed; not timed. */
  unchecked: number;
  failed: number;
  /** Median time to verified recovery over `recovered`; undefined when none recovered. */
  medianMs?: number;
  worstMs?: number;
  /** The rollback with the worst time, to look at first. */
  worstId?: string;
  /** Rollbacks whose RTO can be judged: recovered or failed, with an RTO target. */
  judged: number;
  /** Of those, recovered within the RTO. A failed rollback always missed it. */
  met: number;
  /** `met / judged` in percent, one decimal; undefined when nothing could be judged. */
  metPct?: number;
}

export interface RtoReport {
  all: RtoGroup;
  /** Only severities that had rollbacks, most urgent first. */
  bySeverity: RtoGroup[];
}

/** The middle value, or the mean of the two middle values for an even count; undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function group(severity: RtoGroup['severity'], records: readonly RollbackRecord[]): RtoGroup {
  const times: { id: string; ms: number }[] = [];
  let unchecked = 0;
  let failed = 0;
  let judged = 0;
  let met = 0;
  for (const record of records) {
    const recovery = recoveryOf(record);
    if (record.state === 'failed') failed++;
    if (recovery.basis === 'unchecked') unchecked++;
    if (recovery.ms !== undefined) times.push({ id: record.id, ms: recovery.ms });
    if (recovery.rtoMet !== undefined) {
      judged++;
      if (recovery.rtoMet) met++;
    }
  }
  // Ties go to the newest record listed first, so the same set always names the same rollback.
  const worst = times.reduce<{ id: string; ms: number } | undefined>((a, b) => (a === undefined || b.ms > a.ms ? b : a), undefined);
  // Whole milliseconds: a median of two is their mean, and half a millisecond says nothing.
  const exact = median(times.map((t) => t.ms));
  const mid = exact === undefined ? undefined : Math.round(exact);
  return {
    severity,
    rollbacks: records.length,
    recovered: times.length,
    unchecked,
    failed,
    ...(mid === undefined ? {} : { medianMs: mid }),
    ...(worst ? { worstMs: worst.ms, worstId: worst.id } : {}),
    judged,
    met,
    ...(judged === 0 ? {} : { metPct: Math.round((met / judged) * 1000) / 10 }),
  };
}

export function rtoReport(records: readonly RollbackRecord[]): RtoReport {
  const bySeverity = SEVERITIES.map((severity) => records.filter((r) => r.severity === severity))
    .map((subset, i) => ({ subset, severity: SEVERITIES[i]! }))
    .filter(({ subset }) => subset.length > 0)
    .map(({ subset, severity }) => group(severity, subset));
  return { all: group('all', records), bySeverity };
}
