/**
 * The one step that changes the platform. The provider re-reads its state before acting, so a
 * retry — by this worker after a 5xx, or by another after a crash — never switches twice. It does
 * not take the abort signal: stopping halfway through a provider call would leave nobody knowing
 * what happened.
 */
import { ProviderError, describeError, isRewindError } from '../../domain/errors';
import { sameRelease } from '../../domain/release';
import { StepFailure, type StepRunner } from './step';

const ATTEMPTS = 3;

export const rollback: StepRunner = async ({ record, provider, clock }) => {
  const target = record.to;
  if (!target) throw new StepFailure('no_target', 'The target release is unknown.', { providerChanged: false, nextSteps: ['Request the rollback again.'] });
  for (let attempt = 1; ; attempt++) {
    try {
      const receipt = await provider.rollbackTo(target, { idempotencyKey: record.id });
      return { detail: receipt.alreadyAtTarget ? `${receipt.detail} (already in effect; no second call)` : receipt.detail };
    } catch (error) {
      const retryable = error instanceof ProviderError && error.retryable;
      if (retryable && attempt < ATTEMPTS) {
        await clock.sleep(500 * 2 ** (attempt - 1));
        continue;
      }
      const live = await provider.currentRelease().catch(() => undefined);
      const changed = live !== undefined && sameRelease(live, target);
      throw new StepFailure('rollback_failed', isRewindError(error) ? error.userMessage : `The rollback call failed: ${describeError(error)}`, {
        providerChanged: changed,
        nextSteps: [
          live ? `${provider.type} reports \`${live.version}\` live now.` : `${provider.type} did not answer; check it directly.`,
          'Requesting the rollback again is safe: Rewind re-reads the provider before acting and never switches twice.',
        ],
      });
    }
  }
};
