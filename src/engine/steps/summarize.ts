/** The last step: nothing external, its completion is the success (the executor posts the summary). */
import type { StepRunner } from './step';

export const summarize: StepRunner = async ({ record }) => ({
  detail: `rolled back to ${record.to?.version ?? 'the target'}`,
});
