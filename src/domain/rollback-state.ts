/**
 * The rollback state machine. Every change of state goes through `assertTransition`, so an illegal
 * move (approving a finished rollback, running a rejected one) fails loudly instead of corrupting a record.
 */
import { z } from 'zod';
import { RewindError, ErrorCode } from './errors';

export const ROLLBACK_STATES = [
  'pending_approval',
  'queued',
  'running',
  'verifying',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export const RollbackState = z.enum(ROLLBACK_STATES);
export type RollbackState = z.infer<typeof RollbackState>;

const TRANSITIONS: Readonly<Record<RollbackState, readonly RollbackState[]>> = {
  pending_approval: ['queued', 'rejected', 'expired', 'cancelled'],
  queued: ['running', 'cancelled'],
  running: ['verifying', 'failed', 'cancelled'],
  verifying: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  // Only "retry verification" reopens a failed rollback; it never touches the provider again.
  failed: ['verifying'],
  rejected: [],
  expired: [],
  cancelled: [],
};

/** States after which the service+environment is free for another rollback. */
export const FINISHED_STATES: readonly RollbackState[] = ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'];

export function isFinished(state: RollbackState): boolean {
  return FINISHED_STATES.includes(state);
}

export function canTransition(from: RollbackState, to: RollbackState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends RewindError {
  constructor(readonly from: RollbackState, readonly to: RollbackState) {
    super(ErrorCode.IllegalTransition, `A rollback that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`, { from, to });
  }
}

export function assertTransition(from: RollbackState, to: RollbackState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
