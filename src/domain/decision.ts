/** Who decided something about a rollback or a restore, when, and why. */
import { z } from 'zod';
import { Actor } from './actor';

export const Decision = z.object({ actor: Actor, at: z.number(), reason: z.string().optional() });
export type Decision = z.infer<typeof Decision>;
