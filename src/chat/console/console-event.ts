/** One change to the console's chat: a message posted or edited, in a channel or a thread, maybe private to one user. */
import { z } from 'zod';
import { Message } from '../../domain/message';

export const ConsoleEvent = z.object({
  kind: z.enum(['post', 'update']),
  id: z.string(),
  channel: z.string(),
  /** The parent message; absent for a channel message. */
  threadOf: z.string().optional(),
  message: Message,
  at: z.number(),
  /** A thread reply also shown in the channel (the summary). */
  broadcast: z.boolean().optional(),
  /** Only this console user sees it. */
  ephemeralTo: z.string().optional(),
});
export type ConsoleEvent = z.infer<typeof ConsoleEvent>;

export function visibleTo(event: ConsoleEvent, user: string): boolean {
  return event.ephemeralTo === undefined || event.ephemeralTo === user;
}
