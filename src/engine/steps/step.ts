/** The contract of a rollback step: run against the provider, return what to record, or fail with advice. */
import type { Clock, DeployProvider, PlanStepRunner, ResolvedTarget, Verifier } from '../../domain/ports';
import type { RollbackRecord } from '../../domain/rollback-record';

export interface StepContext {
  /** The record as committed when the step began. */
  record: RollbackRecord;
  provider: DeployProvider;
  target: ResolvedTarget;
  verifiers: () => Verifier[];
  clock: Clock;
  /** Fires on cancel/abort; steps that only wait honour it, steps that act do not. */
  signal: AbortSignal;
  /** Posts a line to the thread (and the audit trail) while the step runs. */
  progress: (line: string) => Promise<void>;
  /** Records on the step, durably, that the provider is about to be called (see RollbackContext.calledAt). */
  markCalled: () => Promise<void>;
  /** The runner of this step when it is one of the catalog's plan steps. */
  planStep: () => PlanStepRunner;
}

export interface StepResult {
  /** One line for the thread, e.g. "green (2.4.1) → blue (2.4.0)". */
  detail: string;
  /** Changes to the record, applied in the same commit as the step's completion. */
  apply?: (draft: RollbackRecord) => void;
  /** The step stopped to wait for a person (inconclusive verification). */
  awaitDecision?: boolean;
}

export type StepRunner = (context: StepContext) => Promise<StepResult>;

export class StepFailure extends Error {
  constructor(
    readonly code: string,
    readonly userMessage: string,
    readonly options: { providerChanged: boolean; nextSteps: string[]; apply?: (draft: RollbackRecord) => void },
  ) {
    super(userMessage);
    this.name = 'StepFailure';
  }
}
