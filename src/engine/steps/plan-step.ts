/**
 * A step of the catalog's own (a backup before the rollback, a migration down after it), run like
 * the built-in ones. A failure stops the rollback, and one before the provider's rollback leaves
 * the platform untouched; a step marked `optional` is reported and passed over.
 */
import { describeError } from '../../domain/errors';
import { runsBeforeRollback, titleOf, type StepName } from '../../domain/plan';
import { stepOf } from '../../domain/rollback-record';
import { StepFailure, type StepRunner } from './step';

export function planStep(name: StepName): StepRunner {
  return async ({ record, planStep: runnerOfStep, signal, progress }) => {
    const step = stepOf(record, name);
    const before = runsBeforeRollback(name);
    try {
      const { detail, restorePoint } = await runnerOfStep().run({ rollbackId: record.id, signal, progress });
      return restorePoint ? { detail, apply: (draft) => void (stepOf(draft, name).restorePoint = restorePoint) } : { detail };
    } catch (error) {
      if (signal.aborted) throw error;
      const why = describeError(error);
      if (step.optional) return { detail: `failed, and is optional, so the rollback goes on: ${why}` };
      throw new StepFailure('plan_step_failed', `${titleOf(step)} failed: ${why}`, {
        providerChanged: !before,
        nextSteps: before
          ? ['Nothing was rolled back. Fix what the step needs (or mark it optional in the catalog), then request the rollback again.']
          : ['The provider was already rolled back; this step did not finish. Run it by hand, or fix it and retry.'],
      });
    }
  };
}
