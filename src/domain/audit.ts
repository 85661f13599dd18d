/** Audit events: every transition, decision, refusal and step, with who, when and why. */
import { z } from 'zod';
import { Actor } from './actor';
import { RollbackState } from './rollback-state';

export const AUDIT_TYPES = [
  'requested',
  'transition',
  'approval.granted',
  'approval.refused',
  'request.refused',
  'step.started',
  'step.resumed',
  'step.progress',
  'step.succeeded',
  'step.failed',
  'verification.completed',
  'verification.decided',
  'abort.requested',
  'postmortem.updated',
  'automation.changed',
  'restore.requested',
  'restore.refused',
  'restore.approved',
  'restore.rejected',
  'restore.started',
  'restore.resumed',
  'restore.progress',
  'restore.succeeded',
  'restore.failed',
  'review.requested',
  'review.done',
  'review.noted',
  'review.reminded',
  'review.refused',
] as const;
export const AuditType = z.enum(AUDIT_TYPES);
export type AuditType = z.infer<typeof AuditType>;

export const AuditEvent = z.object({
  /** 1, 2, 3… per rollback with no gap; absent for refusals that never became a rollback. */
  seq: z.number().int().positive().optional(),
  rollbackId: z.string().optional(),
  at: z.number(),
  type: AuditType,
  actor: Actor,
  from: RollbackState.optional(),
  to: RollbackState.optional(),
  reason: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
export type NewAuditEvent = Omit<AuditEvent, 'seq' | 'rollbackId'>;
