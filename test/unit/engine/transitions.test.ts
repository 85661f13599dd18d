/**
 * The rollback state machine, every pair: the legal moves are exactly these, an illegal one fails
 * loudly with a message a person can read, and finished states free the environment.
 */
import { ErrorCode } from '../../../src/domain/errors';
import { assertTransition, canTransition, FINISHED_STATES, IllegalTransitionError, isFinished, ROLLBACK_STATES, type RollbackState } from '../../../src/domain/rollback-state';
import { Change } from '../../../src/engine/change';
import { REWIND_ACTOR } from '../../../src/domain/actor';
import { makeRecord, T0 } from '../../support/record-factory';

/** The legal moves, spelled out independently of the implementation. */
const LEGAL: Readonly<Record<RollbackState, readonly RollbackState[]>> = {
  pending_approval: ['queued', 'rejected', 'expired', 'cancelled'],
  queued: ['running', 'cancelled'],
  running: ['verifying', 'failed', 'cancelled'],
  verifying: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  // Only "retry verification" reopens a failed rollback.
  failed: ['verifying'],
  rejected: [],
  expired: [],
  cancelled: [],
};

const PAIRS = ROLLBACK_STATES.flatMap((from) => ROLLBACK_STATES.map((to) => [from, to, LEGAL[from].includes(to)] as const));

describe('rollback state transitions', () => {
  it('covers every pair of the nine states', () => {
    expect(PAIRS).toHaveLength(81);
    expect(PAIRS.filter(([, , legal]) => legal)).toHaveLength(13);
  });

  it.each(PAIRS.filter(([, , legal]) => legal))('%s → %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(PAIRS.filter(([, , legal]) => !legal))('%s → %s is refused', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(from, to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect(thrown).toMatchObject({ code: ErrorCode.IllegalTransition, details: { from, to } });
    expect((thrown as IllegalTransitionError).userMessage).toBe(`A rollback that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`);
  });

  it('finished states are exactly those with no way out but a verification retry', () => {
    expect([...FINISHED_STATES].sort()).toEqual(['cancelled', 'expired', 'failed', 'rejected', 'succeeded']);
    for (const state of ROLLBACK_STATES) expect(isFinished(state)).toBe(LEGAL[state].length === 0 || state === 'failed');
  });

  it('a commit that tries an illegal move is never built: the record and its audit trail stay as they were', () => {
    const record = makeRecord({ state: 'succeeded' });
    const change = new Change(record, T0);
    expect(() => change.transition('running', REWIND_ACTOR)).toThrow(IllegalTransitionError);
    expect(change.record.state).toBe('succeeded');
    expect(change.build().audit).toEqual([]);
  });

  it('a legal move is audited with from, to, who and why', () => {
    const change = new Change(makeRecord({ state: 'queued' }), T0 + 5);
    change.transition('running', REWIND_ACTOR, 'worker picked it up');
    expect(change.build().audit).toEqual([{ at: T0 + 5, type: 'transition', actor: REWIND_ACTOR, from: 'queued', to: 'running', reason: 'worker picked it up' }]);
  });
});
