/**
 * What a rollback says in chat, in order. `header` creates or edits the notification message;
 * `thread` posts under it; `announce` posts or edits a short message in the stakeholder channels.
 * Undelivered events with the same `supersedes` key collapse to the last.
 *
 * Events also carry what they mean for the rollback's course at the time they were written
 * (`milestones`, `mention`), so a sink that acts on it (a pager) never has to read the record's
 * current state: the outbox may be minutes behind.
 */
import { z } from 'zod';
import { Message } from './message';
import { Severity } from './severity';

export const MILESTONE_KINDS = ['started', 'succeeded', 'failed', 'stopped'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

/**
 * A turn in a rollback's course, written with the commit that made it: `started` when nothing stands
 * between the rollback and a worker any more (no approval needed, or the last one given), `succeeded`,
 * `failed`, or `stopped` (cancelled or aborted after it had started).
 */
export const Milestone = z.object({
  kind: z.enum(MILESTONE_KINDS),
  severity: Severity,
  /** The rollback's run (1, +1 per verification retry): with `kind`, names the milestone, so it is acted on once. */
  run: z.number().int().nonnegative(),
  /** One line for an alert's title. */
  summary: z.string().min(1),
  /** What a responder needs first, in order: where it stopped, what was seen, what to do next. */
  details: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
});
export type Milestone = z.infer<typeof Milestone>;

export const OutboundEvent = z.object({
  seq: z.number().int().positive(),
  rollbackId: z.string(),
  at: z.number(),
  kind: z.enum(['header', 'thread', 'announce']),
  /** Also show a thread post in the channel (the final summary). */
  broadcast: z.boolean().default(false),
  supersedes: z.string().optional(),
  message: Message,
  /** What this commit did to the rollback's course; a collapsed event carries those of every version it replaced. */
  milestones: z.array(Milestone).optional(),
  /** The message addresses the on-call (a critical start, a failure): chat sinks add the environment's mention, if one is configured. */
  mention: z.boolean().optional(),
});
export type OutboundEvent = z.infer<typeof OutboundEvent>;
export type NewOutboundEvent = Omit<OutboundEvent, 'seq' | 'rollbackId' | 'at' | 'broadcast'> & { broadcast?: boolean };
