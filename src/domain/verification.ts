/**
 * Verification results. A check passes, fails, or is inconclusive (no data, NaN, monitoring
 * unreachable); inconclusive is never counted as a pass.
 */
import { z } from 'zod';

export const CHECK_STATUSES = ['pass', 'fail', 'inconclusive'] as const;
export const CheckStatus = z.enum(CHECK_STATUSES);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Sample = z.object({
  at: z.number(),
  outcome: CheckStatus,
  value: z.string().optional(),
  note: z.string().optional(),
});
export type Sample = z.infer<typeof Sample>;

export const CheckResult = z.object({
  name: z.string(),
  type: z.string(),
  status: CheckStatus,
  /** What was measured, e.g. `503 in 12 ms` or `error ratio 0.12`. */
  measured: z.string(),
  /** What was required, e.g. `status 200, health = healthy` or `< 0.01`. */
  threshold: z.string(),
  durationMs: z.number(),
  samples: z.array(Sample).default([]),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const VerificationStatus = z.enum(['pass', 'fail', 'inconclusive', 'unverified']);
export type VerificationStatus = z.infer<typeof VerificationStatus>;

/** Any failure fails; otherwise any inconclusive is inconclusive; no checks at all is `unverified`. */
export function overallStatus(results: readonly CheckResult[]): VerificationStatus {
  if (results.length === 0) return 'unverified';
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'inconclusive')) return 'inconclusive';
  return 'pass';
}

export interface SamplingPlan {
  count: number;
  intervalMs: number;
  /** Breaching samples tolerated in total; one more fails the check (Argo Rollouts semantics). */
  failureLimit: number;
}

/**
 * Folds samples into a status: fail once breaches exceed the limit, inconclusive when any sample
 * had no usable value, pass otherwise.
 */
export function judgeSamples(samples: readonly Sample[], plan: SamplingPlan): CheckStatus {
  const failures = samples.filter((s) => s.outcome === 'fail').length;
  if (failures > plan.failureLimit) return 'fail';
  if (samples.length === 0 || samples.some((s) => s.outcome === 'inconclusive')) return 'inconclusive';
  return 'pass';
}

/** True once enough samples have breached that the check can no longer pass. */
export function alreadyFailed(samples: readonly Sample[], plan: SamplingPlan): boolean {
  return samples.filter((s) => s.outcome === 'fail').length > plan.failureLimit;
}
