/** Saves the provider's state before acting, so the record shows exactly what was replaced. */
import { describeError } from '../../domain/errors';
import { StepFailure, type StepRunner } from './step';

export const capture: StepRunner = async ({ record, provider, signal }) => {
  let state: Record<string, unknown>;
  try {
    state = await provider.captureState(signal);
  } catch (error) {
    throw new StepFailure('capture_failed', `Could not capture the current state: ${describeError(error)}`, {
      providerChanged: false,
      nextSteps: ['Nothing was changed. Check that the provider answers, then request the rollback again.'],
    });
  }
  return {
    detail: `state of ${provider.type} saved in the record (live ${record.from?.version ?? 'unknown'})`,
    apply: (draft) => {
      draft.captured = state;
    },
  };
};
