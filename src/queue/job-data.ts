/** Payloads of the `rollbacks` (execute, restore) and `outbox` queues (commands are in engine/commands.ts). */
import { z } from 'zod';

export const ExecuteJob = z.object({ rollbackId: z.string().min(1), run: z.number().int().positive() });
export type ExecuteJob = z.infer<typeof ExecuteJob>;

export const RestoreJob = z.object({ rollbackId: z.string().min(1), restore: z.number().int().positive() });
export type RestoreJob = z.infer<typeof RestoreJob>;

export const DeliverJob = z.object({ rollbackId: z.string().min(1) });
export type DeliverJob = z.infer<typeof DeliverJob>;

/** BullMQ job ids may not contain ':' nor be all digits. */
export function jobIdPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}
