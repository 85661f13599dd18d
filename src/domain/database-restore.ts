/**
 * A request to put the database back from a rollback's restore point. It always waits for the
 * environment's approvers, whatever the rollback's severity, because it overwrites data; once
 * approved, a worker runs it and the thread and audit trail say how it ended.
 */
import { z } from 'zod';
import { ApproverRefs } from './approvers';
import { Decision } from './decision';
import { RewindError, ErrorCode } from './errors';
import { StepName } from './plan';
import { RestorePoint } from './restore-point';

export const RESTORE_STATES = ['pending_approval', 'queued', 'running', 'succeeded', 'failed', 'rejected'] as const;
export const RestoreState = z.enum(RESTORE_STATES);
export type RestoreState = z.infer<typeof RestoreState>;

const TRANSITIONS: Readonly<Record<RestoreState, readonly RestoreState[]>> = {
  pending_approval: ['queued', 'rejected'],
  queued: ['running'],
  running: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
  rejected: [],
};

export const DatabaseRestore = z.object({
  /** 1, 2, 3… within the rollback: what buttons and jobs name. */
  number: z.number().int().positive(),
  /** The plan step that made the restore point. */
  step: StepName,
  title: z.string(),
  point: RestorePoint,
  state: RestoreState,
  requested: Decision,
  approvers: ApproverRefs,
  required: z.number().int().positive(),
  selfApproval: z.boolean(),
  approvals: z.array(Decision).default([]),
  rejection: Decision.optional(),
  /** What the restore replaces, as read when it was asked for: shown to approvers. */
  overwrites: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
  attempts: z.number().int().nonnegative().default(0),
  startedAt: z.number().optional(),
  /** When the platform was asked to restore: a resumed attempt checks instead of asking again. */
  sentAt: z.number().optional(),
  finishedAt: z.number().optional(),
  detail: z.string().optional(),
});
export type DatabaseRestore = z.infer<typeof DatabaseRestore>;

export function isRestoreOpen(restore: DatabaseRestore): boolean {
  return restore.state === 'pending_approval' || restore.state === 'queued' || restore.state === 'running';
}

export class IllegalRestoreTransitionError extends RewindError {
  constructor(readonly from: RestoreState, readonly to: RestoreState) {
    super(ErrorCode.IllegalTransition, `A restore that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`, { from, to });
  }
}

export function assertRestoreTransition(from: RestoreState, to: RestoreState): void {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalRestoreTransitionError(from, to);
}

/** A restore that cannot be asked for or decided now; the message says why and what would work. */
export class RestoreRefusedError extends RewindError {
  constructor(rollbackId: string, userMessage: string) {
    super(ErrorCode.RestoreRefused, userMessage, { rollbackId });
  }
}
