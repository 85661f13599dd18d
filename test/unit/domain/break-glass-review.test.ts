/**
 * The break-glass review's rules (issue 15): which rollbacks are reviewed, who may mark one
 * reviewed or add a note, and when the one reminder is due.
 */
import type { Actor } from '../../../src/domain/actor';
import { isBreakGlass, reminderVerdict, reviewDueAtEnd, reviewRefusal, type BreakGlassReview, type ReviewerFacts } from '../../../src/domain/break-glass-review';
import type { RollbackRecord } from '../../../src/domain/rollback-record';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 20, 0, 0);
const ONCALL: Actor = { platform: 'slack', id: 'U0ONCALL', name: 'oncall' };
const LEAD: Actor = { platform: 'slack', id: 'U0LEAD', name: 'lead' };
const STRANGER: Actor = { platform: 'slack', id: 'U0STRANGER', name: 'stranger' };

const review = (extra: Partial<BreakGlassReview> = {}): BreakGlassReview => ({ approvers: { slack: ['U0LEAD', 'U0ONCALL'] }, afterMs: 24 * HOUR, notes: [], ...extra });
const asked = (extra: Partial<BreakGlassReview> = {}) => review({ requestedAt: T0, remindAt: T0 + 24 * HOUR, ...extra });

function subject(extra: { review?: BreakGlassReview | undefined; selfApproval?: boolean; requester?: Actor } = {}): Pick<RollbackRecord, 'id' | 'requester' | 'policy' | 'review'> {
  return {
    id: 'rb_test_001',
    requester: extra.requester ?? ONCALL,
    policy: { decision: 'run', required: 0, approvers: {}, selfApproval: extra.selfApproval ?? false },
    ...(extra.review ? { review: extra.review } : {}),
  };
}

const facts = (actor: Actor, listed: boolean): ReviewerFacts => ({ actor, listed, approvers: ['slack:U0LEAD', 'slack:U0ONCALL'] });

describe('which rollbacks get a break-glass review', () => {
  it.each([
    ['critical, run at once (manual)', 'critical', 'run', 'manual', true],
    ['critical, run at once (an alert)', 'critical', 'run', 'alert', true],
    ['critical, but approval was required', 'critical', 'await_approval', 'manual', false],
    ['high, run at once (no approval configured)', 'high', 'run', 'manual', false],
    ['a critical drill', 'critical', 'run', 'drill', false],
  ] as const)('%s: %s', (_name, severity, decision, kind, expected) => {
    expect(isBreakGlass({ severity, policy: { decision }, trigger: { kind, source: 'slack', evidence: [] } })).toBe(expected);
  });

  it('is asked for by the commit that ends the rollback, once', () => {
    const planned = { review: review() };
    expect(reviewDueAtEnd({ state: 'verifying' }, { state: 'succeeded', ...planned })).toBe(true);
    expect(reviewDueAtEnd({ state: 'running' }, { state: 'failed', ...planned })).toBe(true);
    expect(reviewDueAtEnd({ state: 'running' }, { state: 'cancelled', ...planned })).toBe(false);
    expect(reviewDueAtEnd({ state: 'running' }, { state: 'verifying', ...planned })).toBe(false);
    // A retried verification ends it again: the review was asked for already.
    expect(reviewDueAtEnd({ state: 'verifying' }, { state: 'succeeded', review: asked() })).toBe(false);
    expect(reviewDueAtEnd({ state: 'verifying' }, { state: 'succeeded' })).toBe(false);
  });
});

describe('who may review', () => {
  it('an approver of the environment marks it reviewed', () => {
    expect(reviewRefusal(subject({ review: asked() }), 'review', facts(LEAD, true))).toBeUndefined();
  });

  it('refuses someone who is not an approver, saying who is', () => {
    const refusal = reviewRefusal(subject({ review: asked() }), 'review', facts(STRANGER, false));
    expect(refusal).toMatchObject({ code: 'not_an_approver', message: expect.stringContaining('slack:U0LEAD, slack:U0ONCALL') });
  });

  it('refuses the requester, even when listed, unless self-approval is allowed', () => {
    expect(reviewRefusal(subject({ review: asked() }), 'review', facts(ONCALL, true))).toMatchObject({ code: 'own_rollback' });
    expect(reviewRefusal(subject({ review: asked(), selfApproval: true }), 'review', facts(ONCALL, true))).toBeUndefined();
  });

  it('refuses a second review, naming who reviewed', () => {
    const refusal = reviewRefusal(subject({ review: asked({ reviewed: { actor: LEAD, at: T0 + HOUR } }) }), 'review', facts(LEAD, true));
    expect(refusal).toMatchObject({ code: 'already_reviewed', message: expect.stringContaining('Already reviewed by lead') });
  });

  it('has nothing to review before the end, or on a rollback that was approved', () => {
    expect(reviewRefusal(subject({ review: review() }), 'review', facts(LEAD, true))).toMatchObject({ code: 'not_yet' });
    expect(reviewRefusal(subject(), 'review', facts(LEAD, true))).toMatchObject({ code: 'no_review' });
  });

  it('takes notes from approvers and from the requester (why it could not wait), not from anyone else', () => {
    const reviewed = asked({ reviewed: { actor: LEAD, at: T0 + HOUR } });
    expect(reviewRefusal(subject({ review: reviewed }), 'note', facts(LEAD, true))).toBeUndefined();
    expect(reviewRefusal(subject({ review: asked() }), 'note', facts(ONCALL, false))).toBeUndefined();
    expect(reviewRefusal(subject({ review: asked() }), 'note', facts(STRANGER, false))).toMatchObject({ code: 'not_an_approver' });
  });
});

describe('the one reminder', () => {
  it('is due at `review.after` past the end, while unreviewed and not yet sent', () => {
    expect(reminderVerdict(asked(), T0 + HOUR)).toEqual({ kind: 'not_yet', atMs: T0 + 24 * HOUR });
    expect(reminderVerdict(asked(), T0 + 24 * HOUR)).toEqual({ kind: 'due' });
    expect(reminderVerdict(asked(), T0 + 48 * HOUR)).toEqual({ kind: 'due' });
  });

  it('is never sent twice, after a review, or before the review was asked for', () => {
    expect(reminderVerdict(asked({ remindedAt: T0 + 24 * HOUR }), T0 + 25 * HOUR)).toEqual({ kind: 'none', why: 'reminded' });
    expect(reminderVerdict(asked({ reviewed: { actor: LEAD, at: T0 + HOUR } }), T0 + 25 * HOUR)).toEqual({ kind: 'none', why: 'reviewed' });
    expect(reminderVerdict(review(), T0 + 25 * HOUR)).toEqual({ kind: 'none', why: 'not_requested' });
    expect(reminderVerdict(undefined, T0)).toEqual({ kind: 'none', why: 'no_review' });
  });
});
