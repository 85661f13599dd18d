/**
 * The steps of a rollback, in order: the built-in ones, and the catalog's own steps before and
 * after the provider's rollback (a backup, a migration down). Each step's result is checkpointed
 * before the next begins.
 */
import { z } from 'zod';
import { RestorePoint } from './restore-point';

export const BUILTIN_STEPS = ['precheck', 'capture', 'rollback', 'wait_live', 'verify', 'summarize'] as const;
export type BuiltinStep = (typeof BUILTIN_STEPS)[number];

/** A built-in step, or `before.N` / `after.N`: the catalog's Nth step before or after the provider's rollback. */
export const StepName = z.string().regex(/^(precheck|capture|rollback|wait_live|verify|summarize|(before|after)\.\d+)$/, 'expected a step name');
export type StepName = z.infer<typeof StepName>;

export const STEP_TITLES: Readonly<Record<BuiltinStep, string>> = {
  precheck: 'Pre-rollback check',
  capture: 'Capture current state',
  rollback: 'Roll back',
  wait_live: 'Wait until live',
  verify: 'Verify',
  summarize: 'Summarize',
};

/** What a catalog plan step does; the preview reads it to know whether a plan can undo migrations. */
export const PLAN_STEP_KINDS = ['command', 'postgres-backup', 'supabase-pitr'] as const;
export const PlanStepKind = z.enum(PLAN_STEP_KINDS);
export type PlanStepKind = z.infer<typeof PlanStepKind>;

export const StepStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepRecord = z.object({
  name: StepName,
  /** The catalog's title of a plan step (built-in steps have theirs in STEP_TITLES). */
  title: z.string().optional(),
  /** A plan step whose failure is reported and passed over instead of stopping the rollback. */
  optional: z.boolean().optional(),
  kind: PlanStepKind.optional(),
  status: StepStatus,
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** How many times a worker began this step; more than one means it was resumed after a crash. */
  attempts: z.number().int().nonnegative().default(0),
  detail: z.string().optional(),
  /** When the step asked the provider to act: a resumed attempt looks for the effect instead of asking again. */
  calledAt: z.number().optional(),
  /** What a backup step kept, so the database can be restored on request. */
  restorePoint: RestorePoint.optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

/** A step the catalog adds around the provider's rollback, as the plan shows it. */
export interface PlanStepSpec {
  title: string;
  optional: boolean;
  kind: PlanStepKind;
}

export interface PlanSteps {
  before: readonly PlanStepSpec[];
  after: readonly PlanStepSpec[];
}

export const NO_PLAN_STEPS: PlanSteps = { before: [], after: [] };

export function initialSteps(extra: PlanSteps = NO_PLAN_STEPS): StepRecord[] {
  const builtin = (name: BuiltinStep): StepRecord => ({ name, status: 'pending', attempts: 0 });
  const planned = (where: 'before' | 'after') => (spec: PlanStepSpec, i: number): StepRecord => ({ name: `${where}.${i}`, title: spec.title, kind: spec.kind, ...(spec.optional ? { optional: true } : {}), status: 'pending', attempts: 0 });
  return [
    builtin('precheck'),
    builtin('capture'),
    ...extra.before.map(planned('before')),
    builtin('rollback'),
    builtin('wait_live'),
    ...extra.after.map(planned('after')),
    builtin('verify'),
    builtin('summarize'),
  ];
}

export function isBuiltinStep(name: string): name is BuiltinStep {
  return (BUILTIN_STEPS as readonly string[]).includes(name);
}

/** What a person reads for a step: "Roll back", "PostgreSQL backup of app". */
export function titleOf(step: Pick<StepRecord, 'name' | 'title'>): string {
  return step.title ?? (isBuiltinStep(step.name) ? STEP_TITLES[step.name] : step.name);
}

/**
 * `npm run test:e2e:smoke` from `["npm", "run", "test:e2e:smoke", "--", "--headed"]`: the leading
 * plain words only, up to the first option, so neither a script (`node -e …`) nor a value passed
 * as an argument becomes the name of a check or step in a thread.
 */
export function commandName(run: readonly string[]): string {
  const words: string[] = [];
  for (const word of run.slice(0, 3)) {
    if (word.startsWith('-') || !/^[\w.:/@+-]{1,40}$/.test(word)) break;
    words.push(words.length === 0 ? (word.split('/').pop() ?? word) : word);
  }
  return words.length ? words.join(' ') : 'command';
}

/** Whether a plan step runs before the provider's rollback: it cannot have changed the platform. */
export function runsBeforeRollback(name: StepName): boolean {
  return name.startsWith('before.');
}

/** Steps before this one have not touched the provider; cancelling is still harmless. */
export const FIRST_ACTING_STEP: BuiltinStep = 'rollback';
