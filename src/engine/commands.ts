/**
 * The neutral commands that chat adapters put on the `commands` queue: every slash command and
 * button click becomes one of these, validated again when a worker takes it.
 */
import { z } from 'zod';
import { Actor } from '../domain/actor';
import { RollbackRequest } from '../domain/request';
import { AutoSignal } from '../domain/auto-signal';
import { StepName } from '../domain/plan';
import { FileFormat } from '../domain/chat-file';
import { HistoryOutcome } from '../domain/history';
import { DrillScope } from '../domain/history-filter';
import { REVIEW_NOTE_MAX } from '../domain/break-glass-review';
import { TriggerKind } from '../domain/request';
import { TimeBound } from '../domain/time-window';

export const ReplyTargetSchema = z.object({ platform: z.string(), data: z.record(z.string(), z.unknown()) });

const base = { reply: ReplyTargetSchema.optional() };
const onRollback = { ...base, rollbackId: z.string().min(1), actor: Actor };

export const Command = z.discriminatedUnion('type', [
  z.object({ type: z.literal('request'), ...base, request: RollbackRequest }),
  z.object({ type: z.literal('approve'), ...onRollback }),
  z.object({ type: z.literal('reject'), ...onRollback, reason: z.string().max(500).optional() }),
  z.object({ type: z.literal('cancel'), ...onRollback, reason: z.string().max(500).optional() }),
  z.object({ type: z.literal('abort'), ...onRollback }),
  z.object({ type: z.literal('accept_verification'), ...onRollback }),
  z.object({ type: z.literal('retry_verification'), ...onRollback }),
  z.object({ type: z.literal('fail_verification'), ...onRollback }),
  z.object({
    type: z.literal('postmortem'),
    ...onRollback,
    impact: z.string().max(3000).optional(),
    rootCause: z.string().max(3000).optional(),
    prevention: z.string().max(3000).optional(),
  }),
  z.object({ type: z.literal('expire'), rollbackId: z.string().min(1) }),
  /** Restore the database from what plan step `step` kept; needs an approver's yes. */
  z.object({ type: z.literal('restore'), ...onRollback, step: StepName }),
  z.object({ type: z.enum(['approve_restore', 'reject_restore']), ...onRollback, restore: z.number().int().positive() }),
  z.object({ type: z.literal('status'), ...base, actor: Actor, target: z.string().optional() }),
  z.object({
    type: z.literal('history'),
    ...base,
    actor: Actor,
    service: z.string().optional(),
    limit: z.number().int().min(1).max(50).default(10),
    /** Absent: the history message; set: the history as a file in this format. */
    format: FileFormat.optional(),
    environment: z.string().optional(),
    outcome: HistoryOutcome.optional(),
    trigger: TriggerKind.optional(),
    since: TimeBound.optional(),
    /** Drills are left out unless asked for. */
    drills: DrillScope.optional(),
  }),
  /** The post-mortem draft of a rollback, posted as a Markdown file where it was asked for. */
  z.object({ type: z.literal('postmortem_draft'), ...base, actor: Actor, rollbackId: z.string().min(1) }),
  /** The RTO report over a window (default: the last 30 days). */
  z.object({ type: z.literal('report'), ...base, actor: Actor, service: z.string().optional(), since: TimeBound.optional(), drills: DrillScope.optional() }),
  /** A break-glass rollback's review: "Reviewed", and a note from the form. */
  z.object({ type: z.literal('review'), ...onRollback }),
  z.object({ type: z.literal('review_note'), ...onRollback, note: z.string().trim().min(1).max(REVIEW_NOTE_MAX) }),
  z.object({ type: z.literal('releases'), ...base, actor: Actor, service: z.string(), environment: z.string().optional() }),
  z.object({ type: z.literal('help'), ...base, actor: Actor }),
  z.object({ type: z.enum(['unlock', 'pause_auto', 'resume_auto']), ...base, actor: Actor, service: z.string().min(1), environment: z.string().optional() }),
  z.object({ type: z.literal('auto_trigger'), signal: AutoSignal }),
]);
export type Command = z.infer<typeof Command>;
export type CommandInput = z.input<typeof Command>;
