/**
 * After a change whose outcome is unknown (no answer, or a 5xx that may have come after acting):
 * read the platform again for a bounded time and find what the call would have started. Found,
 * the rollback carries on with it; not found, it fails as "outcome unknown" and is not repeated.
 */
import { OutcomeUnknownError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { describeDuration } from '../outbound/http-errors';

export interface LookOptions {
  clock: Clock;
  /** How long to keep looking. */
  withinMs: number;
  /** Between looks; 1 s by default, never past the deadline. */
  intervalMs?: number;
  signal?: AbortSignal | undefined;
  platform: string;
  /** What was called, for the message: "POST /v1/services/srv-1/rollback (no answer within 10 s)". */
  call: string;
  /** What it would have started: "a rollback deploy of 9f1c2e0". */
  effect: string;
}

/** One look: the effect when it is there; `seen` says what was there instead, for the message. */
export type Look<T> = () => Promise<{ found: T } | { seen: string }>;

export async function lookForEffect<T>(look: Look<T>, options: LookOptions): Promise<T> {
  const { clock } = options;
  const deadline = clock.now() + options.withinMs;
  let seen: string;
  for (;;) {
    try {
      const result = await look();
      if ('found' in result) return result.found;
      seen = result.seen;
    } catch (error) {
      seen = `reading failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    const left = deadline - clock.now();
    if (left <= 0) break;
    await clock.sleep(Math.min(options.intervalMs ?? 1_000, left), options.signal);
  }
  throw new OutcomeUnknownError(
    `${options.platform} gave no answer to ${options.call}, and for ${describeDuration(options.withinMs)} afterwards it showed no ${options.effect} (last seen: ${seen}). ` +
      'Rewind does not call again: the rollback may still land.',
    { call: options.call },
  );
}
