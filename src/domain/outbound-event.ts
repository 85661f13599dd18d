/**
 * What a rollback says in chat, in order. `header` creates or edits the notification message;
 * `thread` posts under it. Undelivered events with the same `supersedes` key collapse to the last.
 */
import { z } from 'zod';
import { Message } from './message';

export const OutboundEvent = z.object({
  seq: z.number().int().positive(),
  rollbackId: z.string(),
  at: z.number(),
  kind: z.enum(['header', 'thread']),
  /** Also show a thread post in the channel (the final summary). */
  broadcast: z.boolean().default(false),
  supersedes: z.string().optional(),
  message: Message,
});
export type OutboundEvent = z.infer<typeof OutboundEvent>;
export type NewOutboundEvent = Omit<OutboundEvent, 'seq' | 'rollbackId' | 'at' | 'broadcast'> & { broadcast?: boolean };
