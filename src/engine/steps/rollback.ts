/**
 * The one step that changes the platform. The provider re-reads its state before acting, and looks
 * for what a call since the step first started already did, so a retry (by this worker after a
 * 5xx, or by another after a crash) never rolls back twice. A call whose outcome is unknown is not
 * repeated. It does not take the abort signal: stopping halfway through a provider call would
 * leave nobody knowing what happened.
 */
import { OutcomeUnknownError, ProviderError, describeError, isRewindError } from '../../domain/errors';
import type { RollbackReceipt } from '../../domain/ports';
import { releaseLabel, sameRelease } from '../../domain/release';
import { stepOf, type RollbackRecord } from '../../domain/rollback-record';
import { StepFailure, type StepRunner } from './step';

const ATTEMPTS = 3;

function keep(receipt: RollbackReceipt): (draft: RollbackRecord) => void {
  return (draft) => {
    draft.providerResult = {
      ...(receipt.handle ? { handle: receipt.handle } : {}),
      ...(receipt.link ? { link: receipt.link } : {}),
      ...(receipt.hold ? { hold: receipt.hold } : {}),
      notes: receipt.notes ?? [],
    };
  };
}

export const rollback: StepRunner = async ({ record, provider, clock, progress, markCalled }) => {
  const target = record.to;
  if (!target) throw new StepFailure('no_target', 'The target release is unknown.', { providerChanged: false, nextSteps: ['Request the rollback again.'] });
  const { startedAt, calledAt } = stepOf(record, 'rollback');
  for (let attempt = 1; ; attempt++) {
    try {
      const receipt = await provider.rollbackTo(target, {
        idempotencyKey: record.id,
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(record.captured ? { captured: record.captured } : {}),
        approvedBy: record.approvals.map((a) => a.actor),
        progress,
        // Only what a dead worker left counts: this worker's own retries follow answers it saw.
        ...(calledAt !== undefined ? { calledAt } : {}),
        beforeCall: markCalled,
      });
      const detail = receipt.alreadyAtTarget ? `${receipt.detail} (already in effect; no second call)` : receipt.detail;
      return { detail: receipt.hold ? `${detail}; ${receipt.hold.description} until \`/rollback unlock\`` : detail, apply: keep(receipt) };
    } catch (error) {
      const retryable = error instanceof ProviderError && error.retryable;
      if (retryable && attempt < ATTEMPTS) {
        await clock.sleep(500 * 2 ** (attempt - 1));
        continue;
      }
      const live = await provider.currentRelease().catch(() => undefined);
      const changed = error instanceof OutcomeUnknownError || (live !== undefined && sameRelease(live, target));
      const code = error instanceof OutcomeUnknownError ? 'outcome_unknown' : 'rollback_failed';
      throw new StepFailure(code, isRewindError(error) ? error.userMessage : `The rollback call failed: ${describeError(error)}`, {
        providerChanged: changed,
        nextSteps: [
          live ? `${provider.type} reports \`${releaseLabel(live)}\` live now.` : `${provider.type} did not answer; check it directly.`,
          error instanceof OutcomeUnknownError
            ? `Look at ${provider.type} before anything else: the rollback may still land. Request it again only once you know it did not.`
            : 'Requesting the rollback again is safe: Rewind re-reads the provider before acting and never rolls back twice.',
        ],
      });
    }
  }
};
