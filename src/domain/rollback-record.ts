/** The durable record of one rollback: what was asked, decided, done and measured. Stored as JSON in Redis. */
import { z } from 'zod';
import { Actor, perPlatform } from './actor';
import { ApproverRefs } from './approvers';
import { BreakGlassReview } from './break-glass-review';
import { DatabaseRestore } from './database-restore';
import { Decision } from './decision';
import { ChangePreview, ProviderResult, Release } from './release';
import { Origin, Trigger } from './request';
import { RollbackState } from './rollback-state';
import { Severity } from './severity';
import { StepName, StepRecord } from './plan';
import { CheckResult, VerificationStatus } from './verification';

export const ChannelRefs = z.object(perPlatform(() => z.array(z.string()).default([]))).default(perPlatform(() => []));
export type ChannelRefs = z.infer<typeof ChannelRefs>;

export { Decision } from './decision';

export const VerificationRecord = z.object({
  status: VerificationStatus,
  results: z.array(CheckResult),
  startedAt: z.number(),
  finishedAt: z.number(),
  /** Inconclusive results wait for a person to accept, retry or fail them. */
  awaitingDecision: z.boolean().default(false),
  acceptedBy: Decision.optional(),
});
export type VerificationRecord = z.infer<typeof VerificationRecord>;

export const Outcome = z.object({
  code: z.string(),
  message: z.string(),
  stoppedAt: StepName.optional(),
  /** Whether the provider had already been switched when it stopped. */
  providerChanged: z.boolean().default(false),
  nextSteps: z.array(z.string()).default([]),
});
export type Outcome = z.infer<typeof Outcome>;

export const Postmortem = z.object({
  impact: z.string().max(3000).optional(),
  rootCause: z.string().max(3000).optional(),
  prevention: z.string().max(3000).optional(),
  by: Actor,
  at: z.number(),
});
export type Postmortem = z.infer<typeof Postmortem>;

export const PolicySnapshot = z.object({
  decision: z.enum(['run', 'await_approval']),
  required: z.number().int().nonnegative(),
  approvers: ApproverRefs.default({}),
  timeoutMs: z.number().optional(),
  expiresAt: z.number().optional(),
  selfApproval: z.boolean(),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshot>;

export const Timings = z.object({
  requestedAt: z.number(),
  queuedAt: z.number().optional(),
  startedAt: z.number().optional(),
  verifiedAt: z.number().optional(),
  finishedAt: z.number().optional(),
});

export const RollbackRecord = z.object({
  id: z.string(),
  /** Bumped by every commit; commits are compare-and-set on it. */
  version: z.number().int().nonnegative(),
  /** Last audit and outbox sequence numbers handed out, so retried commits never duplicate. */
  auditSeq: z.number().int().nonnegative(),
  outboxSeq: z.number().int().nonnegative(),
  /** Execution run number: 1 for the rollback, +1 for each verification retry. */
  run: z.number().int().nonnegative(),
  service: z.string(),
  environment: z.string(),
  state: RollbackState,
  severity: Severity,
  reason: z.string().optional(),
  trigger: Trigger,
  /** The provider type that carries it out (`bluegreen`, `render`, …), as the catalog named it at request time. */
  provider: z.string().optional(),
  requester: Actor,
  origin: Origin,
  channels: ChannelRefs,
  requestedRelease: z.string().optional(),
  from: Release.optional(),
  to: Release.optional(),
  preview: ChangePreview.optional(),
  previewError: z.string().optional(),
  policy: PolicySnapshot,
  approvals: z.array(Decision).default([]),
  rejection: Decision.optional(),
  cancellation: Decision.optional(),
  abort: Decision.optional(),
  steps: z.array(StepRecord),
  captured: z.record(z.string(), z.unknown()).optional(),
  providerResult: ProviderResult.optional(),
  verification: VerificationRecord.optional(),
  outcome: Outcome.optional(),
  timings: Timings,
  rtoMs: z.number().optional(),
  escalation: z.string().optional(),
  postmortem: Postmortem.optional(),
  /** Database restores asked for after the rollback, oldest first; never started automatically. */
  restores: z.array(DatabaseRestore).default([]),
  /** A break-glass rollback's review by the environment's approvers: planned at request, asked for at the end. */
  review: BreakGlassReview.optional(),
});
export type RollbackRecord = z.infer<typeof RollbackRecord>;

export function stepOf(record: RollbackRecord, name: StepName): StepRecord {
  const step = record.steps.find((s) => s.name === name);
  if (!step) throw new Error(`record ${record.id} has no step ${name}`);
  return step;
}

/** The step currently running or, if none, the first not yet done. */
export function currentStep(record: RollbackRecord): StepRecord | undefined {
  return record.steps.find((s) => s.status === 'running') ?? record.steps.find((s) => s.status === 'pending');
}

/** Whether the provider may already have been changed: the rollback step began at some point. */
export function providerTouched(record: RollbackRecord): boolean {
  const step = stepOf(record, 'rollback');
  return step.status !== 'pending' && step.status !== 'skipped';
}
