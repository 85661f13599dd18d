/** The steps of a rollback, in order. Each step's result is checkpointed before the next begins. */
import { z } from 'zod';

export const STEP_NAMES = ['precheck', 'capture', 'rollback', 'wait_live', 'verify', 'summarize'] as const;
export const StepName = z.enum(STEP_NAMES);
export type StepName = z.infer<typeof StepName>;

export const STEP_TITLES: Readonly<Record<StepName, string>> = {
  precheck: 'Pre-rollback check',
  capture: 'Capture current state',
  rollback: 'Roll back',
  wait_live: 'Wait until live',
  verify: 'Verify',
  summarize: 'Summarize',
};

export const StepStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepRecord = z.object({
  name: StepName,
  status: StepStatus,
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** How many times a worker began this step; more than one means it was resumed after a crash. */
  attempts: z.number().int().nonnegative().default(0),
  detail: z.string().optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export function initialSteps(): StepRecord[] {
  return STEP_NAMES.map((name) => ({ name, status: 'pending', attempts: 0 }));
}

/** Steps before this one have not touched the provider; cancelling is still harmless. */
export const FIRST_ACTING_STEP: StepName = 'rollback';
