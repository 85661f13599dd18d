/**
 * Time to verified recovery and the RTO verdict of one rollback, measured one way for the
 * post-mortem, the exports and the RTO report: from the request to the moment checks confirmed the
 * service (or a person accepted an inconclusive result).
 */
import type { RollbackRecord } from './rollback-record';

/**
 * How recovery was established: `checks` passed, a person `accepted` an inconclusive result, or
 * `unchecked` (no checks configured: the rollback finished, but nothing confirmed the service).
 */
export type RecoveryBasis = 'checks' | 'accepted' | 'unchecked';

export interface Recovery {
  /** Set only for a succeeded rollback whose recovery checks confirmed (or a person accepted). */
  recoveredAt?: number;
  /** Request → recovery, when recovered. */
  ms?: number;
  /** Set for a succeeded rollback. */
  basis?: RecoveryBasis;
  /** The RTO in force for the rollback's severity and environment, recorded at request time. */
  rtoMs?: number;
  /**
   * Met: recovered within the RTO. Missed: recovered late, or the rollback failed. Undefined when it
   * cannot be judged: no RTO, not finished, never attempted (rejected, expired, cancelled) or unchecked.
   */
  rtoMet?: boolean;
}

function basisOf(record: RollbackRecord): RecoveryBasis {
  const verification = record.verification;
  if (!verification || verification.status === 'unverified') return 'unchecked';
  return verification.acceptedBy ? 'accepted' : 'checks';
}

export function recoveryOf(record: RollbackRecord): Recovery {
  const rto = record.rtoMs === undefined ? {} : { rtoMs: record.rtoMs };
  if (record.state === 'failed') return { ...rto, ...(record.rtoMs === undefined ? {} : { rtoMet: false }) };
  if (record.state !== 'succeeded') return rto;
  const basis = basisOf(record);
  if (basis === 'unchecked') return { ...rto, basis };
  const { verifiedAt, finishedAt, requestedAt } = record.timings;
  // An accepted inconclusive result counts from the acceptance: until then nobody had said the service was fine.
  const recoveredAt = Math.max(verifiedAt ?? finishedAt ?? requestedAt, record.verification?.acceptedBy?.at ?? 0);
  const ms = Math.max(0, recoveredAt - requestedAt);
  return { ...rto, basis, recoveredAt, ms, ...(record.rtoMs === undefined ? {} : { rtoMet: ms <= record.rtoMs }) };
}
