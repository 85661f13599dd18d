/**
 * Break-glass review (issue 15): a critical rollback that ran without anyone's approval — the
 * policy said `run` because the severity needs none — is looked at afterwards by the environment's
 * approvers. It is asked for when the rollback ends, marked "Reviewed" by one approver (never the
 * requester, unless the policy allows self-approval), may collect notes, and is reminded once in
 * the incident channel when still unreviewed some time after the end. Pure rules; the engine acts.
 */
import { z } from 'zod';
import { Actor, sameActor } from './actor';
import { ApproverRefs } from './approvers';
import { Decision } from './decision';
import { ErrorCode, RewindError } from './errors';
import type { RollbackRecord } from './rollback-record';

/** `review.after` when the catalog names none. */
export const DEFAULT_REVIEW_AFTER_MS = 24 * 3_600_000;

export const REVIEW_NOTE_MAX = 3000;

export const ReviewNote = z.object({ actor: Actor, at: z.number(), text: z.string().min(1).max(REVIEW_NOTE_MAX) });
export type ReviewNote = z.infer<typeof ReviewNote>;

/**
 * Planned when the rollback is created (who reviews, after how long a reminder), asked for when it
 * ends. The approvers are those of the environment at request time; the engine adds today's.
 */
export const BreakGlassReview = z.object({
  approvers: ApproverRefs.default({}),
  afterMs: z.number().int().positive(),
  /** When the review was asked for: the moment the rollback first ended. */
  requestedAt: z.number().optional(),
  /** When the one reminder is due: `requestedAt + afterMs`. */
  remindAt: z.number().optional(),
  remindedAt: z.number().optional(),
  reviewed: Decision.optional(),
  notes: z.array(ReviewNote).default([]),
});
export type BreakGlassReview = z.infer<typeof BreakGlassReview>;

type Subject = Pick<RollbackRecord, 'severity' | 'trigger'> & { policy: Pick<RollbackRecord['policy'], 'decision'> };

/**
 * A rollback that skipped approval because its severity needs none: critical, decided `run`.
 * Drills are practice, not an emergency, and are never reviewed this way.
 */
export function isBreakGlass(record: Subject): boolean {
  return record.severity === 'critical' && record.policy.decision === 'run' && record.trigger.kind !== 'drill';
}

/** Ended in a way that calls for a review: the rollback ran and succeeded or failed. */
export function endedForReview(record: Pick<RollbackRecord, 'state'>): boolean {
  return record.state === 'succeeded' || record.state === 'failed';
}

/** Whether this commit is the one that asks for the review: the review is planned, not yet asked, and the rollback just ended. */
export function reviewDueAtEnd(before: Pick<RollbackRecord, 'state'> | undefined, after: Pick<RollbackRecord, 'state' | 'review'>): boolean {
  return after.review !== undefined && after.review.requestedAt === undefined && endedForReview(after) && !(before && endedForReview(before));
}

export type ReviewAction = 'review' | 'note';

export interface ReviewRefusal {
  code: 'no_review' | 'not_yet' | 'already_reviewed' | 'not_an_approver' | 'own_rollback' | 'empty_note';
  message: string;
}

export interface ReviewerFacts {
  actor: Actor;
  /** Whether the actor is one of the environment's approvers (directly, by group or role). */
  listed: boolean;
  /** A readable list of who may review, for the refusal. */
  approvers: readonly string[];
}

/**
 * Who may do what to a review, or why not. "Reviewed": an approver of the environment who did not
 * request the rollback (unless self-approval is allowed), once. A note: any approver, and the
 * requester too, who is the one person who can say why the glass was broken.
 */
export function reviewRefusal(record: Pick<RollbackRecord, 'id' | 'requester' | 'policy' | 'review'>, action: ReviewAction, who: ReviewerFacts): ReviewRefusal | undefined {
  const review = record.review;
  if (!review) return { code: 'no_review', message: `Rollback ${record.id} ran with approval, so it has no break-glass review.` };
  if (review.requestedAt === undefined) return { code: 'not_yet', message: `Rollback ${record.id} has not ended yet; its review is asked for when it does.` };
  const own = sameActor(who.actor, record.requester);
  if (action === 'note') {
    if (own || who.listed) return undefined;
    return { code: 'not_an_approver', message: `Only an approver of this environment or the person who requested rollback ${record.id} may add a review note. Approvers: ${describe(who.approvers)}.` };
  }
  if (review.reviewed) {
    return { code: 'already_reviewed', message: `Already reviewed by ${review.reviewed.actor.name ?? review.reviewed.actor.id}. Add a note if there is more to say.` };
  }
  if (!who.listed) return { code: 'not_an_approver', message: `You are not an approver of this environment, so you cannot mark rollback ${record.id} reviewed. Approvers: ${describe(who.approvers)}.` };
  if (own && !record.policy.selfApproval) {
    return { code: 'own_rollback', message: `You requested rollback ${record.id}, so another approver must review it. Add a note to say why it could not wait for approval.` };
  }
  return undefined;
}

const REFUSAL_CODES: Readonly<Record<ReviewRefusal['code'], ErrorCode>> = {
  no_review: ErrorCode.Validation,
  not_yet: ErrorCode.TooLate,
  already_reviewed: ErrorCode.AlreadyDecided,
  not_an_approver: ErrorCode.NotAnApprover,
  own_rollback: ErrorCode.SelfApproval,
  empty_note: ErrorCode.Validation,
};

export class ReviewRefusedError extends RewindError {
  constructor(rollbackId: string, readonly refusal: ReviewRefusal) {
    super(REFUSAL_CODES[refusal.code], refusal.message, { rollbackId, reason: refusal.code });
  }
}

function describe(approvers: readonly string[]): string {
  return approvers.length > 0 ? approvers.join(', ') : 'none listed — add approvers under `approvals` in the catalog';
}

export type ReminderVerdict = { kind: 'due' } | { kind: 'not_yet'; atMs: number } | { kind: 'none'; why: 'no_review' | 'not_requested' | 'reviewed' | 'reminded' };

/** Whether the one reminder should go out now: asked for, still unreviewed, not reminded yet, and due. */
export function reminderVerdict(review: BreakGlassReview | undefined, now: number): ReminderVerdict {
  if (!review) return { kind: 'none', why: 'no_review' };
  if (review.requestedAt === undefined || review.remindAt === undefined) return { kind: 'none', why: 'not_requested' };
  if (review.reviewed) return { kind: 'none', why: 'reviewed' };
  if (review.remindedAt !== undefined) return { kind: 'none', why: 'reminded' };
  if (now < review.remindAt) return { kind: 'not_yet', atMs: review.remindAt };
  return { kind: 'due' };
}

/** The reviews still waiting for their reminder, for the sweep that re-arms lost timers. */
export function awaitsReminder(record: Pick<RollbackRecord, 'review'>): boolean {
  const review = record.review;
  return review?.remindAt !== undefined && review.remindedAt === undefined && review.reviewed === undefined;
}
