/**
 * What a blue/green service may answer to the switch (`POST /deployment/rollback`). Seed 004 does
 * not document it, so it only ever confirms a switch; when it cannot, the status decides.
 */
import { z } from 'zod';

const Text = z.union([z.string().min(1), z.number()]).transform(String);

export const RollbackAnswer = z.object({
  success: z.boolean().optional(),
  previousEnvironment: z.string().optional(),
  currentEnvironment: z.string().optional(),
  currentVersion: Text.optional(),
  state: z.string().optional(),
  error: z.string().optional(),
});
export type RollbackAnswer = z.infer<typeof RollbackAnswer>;
