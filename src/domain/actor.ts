/** Who did something: a person on a chat platform, or Rewind itself for automatic actions. */
import { z } from 'zod';

export const PLATFORMS = ['slack', 'discord', 'console'] as const;
export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

export const Actor = z.object({
  platform: z.enum([...PLATFORMS, 'rewind', 'api']),
  id: z.string().min(1),
  name: z.string().min(1).optional(),
  /** Discord role ids the member holds at the time of the interaction. */
  roles: z.array(z.string()).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const REWIND_ACTOR: Actor = { platform: 'rewind', id: 'rewind', name: 'Rewind' };

/** How an actor is named in chat: a display name when known, otherwise the platform id. */
export function actorLabel(actor: Actor): string {
  return actor.name ?? actor.id;
}

export function sameActor(a: Actor, b: Actor): boolean {
  return a.platform === b.platform && a.id === b.id;
}
