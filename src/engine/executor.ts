/**
 * Runs a rollback's plan. Each step begins and ends with a commit, so its result is in Redis
 * before the next begins. A job that comes back after a crash skips finished steps, marks the
 * interrupted one as resumed (no second "started" in the thread), and carries on.
 */
import { REWIND_ACTOR } from '../domain/actor';
import { describeError } from '../domain/errors';
import type { StepName } from '../domain/plan';
import { providerTouched, stepOf, type RollbackRecord } from '../domain/rollback-record';
import { decisionNotice } from '../messages/templates/decision-notice';
import { failureSummary } from '../messages/templates/failure-summary';
import { rollbackSummary } from '../messages/templates/rollback-summary';
import { stepNote, stepProgress } from '../messages/templates/step-progress';
import { verificationChecklist } from '../messages/templates/verification-checklist';
import type { Change } from './change';
import type { EngineDeps } from './engine-deps';
import { runnerOf } from './steps';
import { StepFailure, type StepResult } from './steps/step';
import { transact } from './transact';

/** `run`: carry on with the plan; `skip`: the step was already done; `stop`: the rollback ended or waits for a person. */
type Flow = 'run' | 'skip' | 'stop';

function active(record: RollbackRecord, run: number): boolean {
  return record.run === run && (record.state === 'running' || record.state === 'verifying');
}

/** Ends the rollback as aborted, saying where it stopped and whether the provider was touched. */
function stopForAbort(change: Change, stoppedAt: StepName): void {
  const draft = change.record;
  const changed = providerTouched(draft);
  const by = draft.abort?.actor ?? REWIND_ACTOR;
  draft.outcome = {
    code: 'aborted',
    message: `Aborted by ${by.name ?? by.id} before ${stoppedAt.replace('_', ' ')}.`,
    stoppedAt,
    providerChanged: changed,
    nextSteps: changed
      ? [`The provider was already switched to \`${draft.to?.version ?? 'the target'}\`; verification did not finish. Check the service.`]
      : ['Nothing was changed on the provider.'],
  };
  draft.timings.finishedAt = change.now;
  change.transition('cancelled', by, 'aborted');
  change.post(failureSummary(draft), { broadcast: true });
}

export class RollbackExecutor {
  constructor(private readonly deps: EngineDeps) {}

  async run(id: string, run: number, signal: AbortSignal): Promise<void> {
    const record = await this.start(id, run);
    if (!record) return;
    // The plan was fixed when the rollback was requested: the built-in steps and the catalog's own.
    let known: RollbackRecord | undefined = record;
    for (const { name } of record.steps) {
      const { flow, record: after } = await this.step(id, run, name, signal, known);
      if (flow === 'stop') return;
      known = after;
    }
  }

  private async start(id: string, run: number): Promise<RollbackRecord | undefined> {
    const { record } = await transact(this.deps, id, (current, change) => {
      if (current.run !== run || current.state !== 'queued') return { commit: false, result: undefined };
      change.record.timings.startedAt = change.now;
      change.transition('running', REWIND_ACTOR, 'worker picked it up');
      return { commit: true, result: undefined };
    });
    return active(record, run) ? record : undefined;
  }

  /** Runs one step; `known` is the record as this run last committed it (it saves a read when nobody else committed since). */
  private async step(id: string, run: number, name: StepName, signal: AbortSignal, known?: RollbackRecord): Promise<{ flow: Flow; record?: RollbackRecord }> {
    const begun = await transact<Flow>(this.deps, id, (current, change) => this.begin(current, change, run, name), known);
    if (begun.result !== 'run') return { flow: begun.result, record: begun.record };

    const record = begun.record;
    let outcome: StepResult | StepFailure;
    try {
      outcome = await runnerOf(name)({
        record,
        provider: this.deps.integrations.provider(record.service, record.environment),
        target: this.deps.catalog.resolve(record.service, record.environment),
        verifiers: () => this.deps.integrations.verifiers(record.service, record.environment),
        clock: this.deps.clock,
        signal,
        progress: (line) => this.progress(id, run, name, line),
        markCalled: () => this.markCalled(id, run, name),
        planStep: () => this.deps.integrations.planStep(record.service, record.environment, name),
      });
    } catch (error) {
      // Cancel or abort interrupted a wait: the next begin() sees why and ends the rollback.
      if (signal.aborted) return { flow: await this.afterInterrupt(id, run, name) };
      outcome =
        error instanceof StepFailure
          ? error
          : new StepFailure('step_error', `${name.replace('_', ' ')} failed: ${describeError(error)}`, {
              providerChanged: providerTouched(record),
              nextSteps: ['Check the provider and the service; requesting the rollback again is safe.'],
            });
      this.deps.logger.warn({ rollbackId: id, step: name, err: error }, 'rollback step failed');
    }
    // Locked before "succeeded" is committed: nobody ever sees a finished rollback whose environment
    // automatic rollback could still act on, and a worker dying in between leaves it locked, not open.
    if (name === 'summarize' && !(outcome instanceof StepFailure)) await this.lockAfterRollback(record);
    const finished = await transact<Flow>(this.deps, id, (current, change) => this.finish(current, change, run, name, outcome), record);
    await this.keepPlatformHold(finished.record);
    return { flow: finished.result, record: finished.record };
  }

  /** A line from inside a running step: one thread post and one audit note, while the run is still this one. */
  private async progress(id: string, run: number, name: StepName, line: string): Promise<void> {
    await transact(this.deps, id, (current, change) => {
      if (!active(current, run) || stepOf(current, name).status !== 'running') return { commit: false, result: undefined };
      change.note('step.progress', REWIND_ACTOR, { reason: line, data: { step: name } });
      change.post(stepNote(change.record, name, line));
      return { commit: true, result: undefined };
    });
  }

  private async markCalled(id: string, run: number, name: StepName): Promise<void> {
    await transact(this.deps, id, (current, change) => {
      if (!active(current, run) || stepOf(current, name).status !== 'running') return { commit: false, result: undefined };
      stepOf(change.record, name).calledAt = change.now;
      return { commit: true, result: undefined };
    });
  }

  /**
   * What the rollback left held on the platform (auto-deploy off, production pinned) is kept per
   * environment, so `/rollback unlock` can undo it whatever became of this rollback. Written after
   * every step from the record, so a crash right after the rollback step cannot lose it.
   */
  private async keepPlatformHold(record: RollbackRecord): Promise<void> {
    const hold = record.providerResult?.hold;
    if (!hold) return;
    const held = await this.deps.automation.platformHold(record.service, record.environment);
    if (held?.rollbackId === record.id) return;
    // A hold already kept by an earlier rollback stays: undoing it must restore what was there first.
    if (held) return;
    await this.deps.automation.setPlatformHold(record.service, record.environment, { hold, rollbackId: record.id, since: this.deps.clock.now() });
  }

  /**
   * A rolled-back environment holds automatic rollbacks until a person unlocks it (SPEC §3). A drill
   * does not: it was no incident, and automatic rollback must stay ready for a real one.
   */
  private async lockAfterRollback(record: RollbackRecord): Promise<void> {
    if (record.trigger.kind === 'drill') return;
    if (!this.deps.catalog.resolve(record.service, record.environment).auto.lockAfterRollback) return;
    await this.deps.automation.setLock(record.service, record.environment, {
      reason: `rolled back to ${record.to?.version ?? 'the last stable release'} by ${record.id}`,
      rollbackId: record.id,
      since: this.deps.clock.now(),
      by: REWIND_ACTOR,
    });
  }

  private begin(current: RollbackRecord, change: Change, run: number, name: StepName): { commit: boolean; result: Flow } {
    if (!active(current, run)) return { commit: false, result: 'stop' };
    const status = stepOf(current, name).status;
    if (status === 'succeeded' || status === 'skipped') return { commit: false, result: 'skip' };
    if (current.abort) {
      stopForAbort(change, name);
      return { commit: true, result: 'stop' };
    }
    if (name === 'verify' && current.verification?.awaitingDecision) return { commit: false, result: 'stop' };
    const draft = change.record;
    const step = stepOf(draft, name);
    const resumed = step.status === 'running';
    step.status = 'running';
    step.attempts += 1;
    step.startedAt ??= change.now;
    if (name === 'verify' && draft.state === 'running') change.transition('verifying', REWIND_ACTOR);
    change.refreshHeader();
    if (resumed) {
      change.note('step.resumed', REWIND_ACTOR, { data: { step: name, attempt: step.attempts } });
      change.post(decisionNotice(draft, { kind: 'resumed', step: name, attempt: step.attempts }));
    } else {
      change.note('step.started', REWIND_ACTOR, { data: { step: name } });
      change.post(stepProgress(draft, name), { supersedes: `step:${name}` });
    }
    return { commit: true, result: 'run' };
  }

  private finish(current: RollbackRecord, change: Change, run: number, name: StepName, outcome: StepResult | StepFailure): { commit: boolean; result: Flow } {
    if (!active(current, run) || stepOf(current, name).status !== 'running') return { commit: false, result: 'stop' };
    const draft = change.record;
    const step = stepOf(draft, name);
    step.finishedAt = change.now;
    // A step that succeeded leaves the header to the next step's start (or to the final
    // transition): re-rendering it here would write, and post, an edit nobody gets to see.

    if (outcome instanceof StepFailure) {
      change.refreshHeader();
      outcome.options.apply?.(draft);
      step.status = 'failed';
      step.detail = outcome.userMessage;
      draft.outcome = { code: outcome.code, message: outcome.userMessage, stoppedAt: name, providerChanged: outcome.options.providerChanged, nextSteps: outcome.options.nextSteps };
      draft.timings.finishedAt = change.now;
      change.note('step.failed', REWIND_ACTOR, { reason: outcome.userMessage, data: { step: name, code: outcome.code } });
      change.post(stepProgress(draft, name), { supersedes: `step:${name}` });
      if (name === 'verify' && draft.verification) change.post(verificationChecklist(draft));
      change.transition('failed', REWIND_ACTOR, outcome.code);
      change.post(failureSummary(draft), { broadcast: true });
      return { commit: true, result: 'stop' };
    }

    outcome.apply?.(draft);
    const hold = draft.providerResult?.hold;
    if (hold && !current.providerResult?.hold) {
      change.note('automation.changed', REWIND_ACTOR, { reason: `${hold.description}, until \`/rollback unlock\` will ${hold.undo}`, data: { step: name, hold: hold.kind } });
    }
    if (outcome.awaitDecision) {
      // The verify step stays pending: accepting completes it, retrying runs it again.
      change.refreshHeader();
      step.status = 'pending';
      step.detail = outcome.detail;
      change.note('verification.completed', REWIND_ACTOR, { data: { status: draft.verification?.status } });
      change.post(verificationChecklist(draft));
      return { commit: true, result: 'stop' };
    }
    step.status = 'succeeded';
    step.detail = outcome.detail;
    change.note('step.succeeded', REWIND_ACTOR, { data: { step: name, durationMs: change.now - (step.startedAt ?? change.now) } });
    change.post(stepProgress(draft, name), { supersedes: `step:${name}` });
    if (name === 'verify') {
      change.note('verification.completed', REWIND_ACTOR, { data: { status: draft.verification?.status } });
      change.post(verificationChecklist(draft));
    }
    if (name === 'summarize') {
      draft.timings.finishedAt = change.now;
      change.transition('succeeded', REWIND_ACTOR);
      change.post(rollbackSummary(draft), { broadcast: true });
    }
    return { commit: true, result: 'run' };
  }

  /** The queue gave up on this run (repeated crashes or infrastructure errors): end it visibly instead of leaving it "running". */
  async abandon(id: string, run: number, reason: string): Promise<void> {
    await transact(this.deps, id, (current, change) => {
      if (current.run !== run || (current.state !== 'running' && current.state !== 'verifying' && current.state !== 'queued')) return { commit: false, result: undefined };
      const draft = change.record;
      const step = draft.steps.find((s) => s.status === 'running');
      const changed = providerTouched(draft);
      if (step) {
        step.status = 'failed';
        step.finishedAt = change.now;
        step.detail = 'worker gave up';
      }
      draft.outcome = {
        code: 'worker_gave_up',
        message: `Rewind could not finish this rollback: ${reason}`,
        ...(step ? { stoppedAt: step.name } : {}),
        providerChanged: changed,
        nextSteps: [
          changed ? `Check ${draft.service} ${draft.environment} directly: the provider may already serve \`${draft.to?.version ?? 'the target'}\`.` : 'Nothing was changed on the provider.',
          "Check Rewind's logs and Redis, then request the rollback again; it re-reads the provider first.",
        ],
      };
      draft.timings.finishedAt = change.now;
      if (draft.state === 'queued') change.transition('cancelled', REWIND_ACTOR, 'worker gave up');
      else change.transition('failed', REWIND_ACTOR, 'worker gave up');
      change.post(failureSummary(draft), { broadcast: true });
      return { commit: true, result: undefined };
    });
  }

  /** After an interrupted wait: end the rollback if it was aborted; if it was cancelled there is nothing left to do. */
  private async afterInterrupt(id: string, run: number, name: StepName): Promise<Flow> {
    const { result } = await transact<Flow>(this.deps, id, (current, change) => {
      if (!active(current, run) || !current.abort) return { commit: false, result: 'stop' };
      stopForAbort(change, name);
      return { commit: true, result: 'stop' };
    });
    return result;
  }
}
