/**
 * Delivers to each incident channel of a rollback. A permanent refusal (unknown channel, no
 * access) is logged and skipped — retrying cannot fix it, and holding the outbox would hide every
 * later event; anything else is rethrown as the platform's retryable error.
 */
import type { Logger } from '../observability/logger';

export interface PlatformErrors {
  isPermanent(error: unknown): boolean;
  toRetryable(error: unknown): unknown;
}

export async function deliverPerChannel(
  channels: readonly string[],
  deliver: (channel: string) => Promise<void>,
  errors: PlatformErrors,
  context: { logger: Logger; platform: string; rollbackId: string; seq: number },
): Promise<void> {
  for (const channel of channels) {
    try {
      await deliver(channel);
    } catch (error) {
      if (!errors.isPermanent(error)) throw errors.toRetryable(error);
      context.logger.error({ rollbackId: context.rollbackId, channel, seq: context.seq, err: error }, `${context.platform} refused the post permanently; skipped`);
    }
  }
}
