/** Who did something: a person on a chat platform, or Rewind itself for automatic actions. */
import { z } from 'zod';

/** The chat platforms: every per-platform table (`Record<Platform, …>`) is keyed by these. */
export const PLATFORMS = ['slack', 'discord', 'console'] as const;
export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** One value per platform, built from a function of the platform. */
export function perPlatform<T>(make: (platform: Platform) => T): Record<Platform, T> {
  return Object.fromEntries(PLATFORMS.map((platform) => [platform, make(platform)])) as Record<Platform, T>;
}

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
