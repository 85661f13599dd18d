/** Hands an automatic trigger to the workers, once: the first claim of its dedupe key wins, repeats are dropped. */
import { createHash } from 'node:crypto';
import type { AutoSignal } from '../domain/auto-signal';
import type { AutomationState } from '../domain/automation';
import type { CommandInput } from '../engine/commands';

/** How long a firing is remembered: repeat notifications for a day start nothing new. */
const DEDUPE_TTL_MS = 24 * 3_600_000;

export type EmitResult = 'queued' | 'duplicate';

export async function emitSignal(
  signal: AutoSignal,
  deps: { automation: Pick<AutomationState, 'claimSignal'>; enqueue: (command: CommandInput, dedupeId?: string) => Promise<void> },
): Promise<EmitResult> {
  if (!(await deps.automation.claimSignal(signal.dedupeKey, DEDUPE_TTL_MS))) return 'duplicate';
  // A digest, not the key: keys hold ':' and can be long, and a cut-off key could collide.
  await deps.enqueue({ type: 'auto_trigger', signal }, `auto-${createHash('sha256').update(signal.dedupeKey).digest('hex')}`);
  return 'queued';
}
