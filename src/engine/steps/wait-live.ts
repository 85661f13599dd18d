/**
 * Polls the provider until the target serves traffic. The deadline counts from the step's first
 * start, so a worker that resumes after a crash does not grant itself a fresh timeout.
 */
import { describeError } from '../../domain/errors';
import { sameRelease, type Release } from '../../domain/release';
import { stepOf } from '../../domain/rollback-record';
import { StepFailure, type StepResult, type StepRunner } from './step';

/**
 * A target named by its slot, whose release nobody could tell before the switch, becomes the
 * release the provider reports live there, so verification and the summary name a real version.
 */
function learned(target: Release, current: Release | undefined, detail: string): StepResult {
  if (!target.versionUnknown || !current || current.versionUnknown || !sameRelease(current, target)) return { detail };
  return {
    detail: `${detail}; ${target.slot} turns out to run \`${current.version}\``,
    apply: (draft) => {
      draft.to = current;
    },
  };
}

export const waitLive: StepRunner = async ({ record, provider, target, clock, signal }) => {
  const release = record.to!;
  const startedAt = stepOf(record, 'wait_live').startedAt ?? clock.now();
  const deadline = startedAt + target.waitLive.timeoutMs;
  let last: string;
  for (;;) {
    try {
      const state = await provider.liveState(release, signal);
      last = state.detail;
      if (state.live) return learned(release, state.current, `${state.detail} (after ${Math.max(0, clock.now() - startedAt)} ms)`);
    } catch (error) {
      if (signal.aborted) throw error;
      last = describeError(error);
    }
    if (clock.now() >= deadline) {
      throw new StepFailure('not_live', `\`${release.version}\` was not serving traffic within ${Math.round(target.waitLive.timeoutMs / 1000)} s; last seen: ${last}.`, {
        providerChanged: true,
        nextSteps: [
          `The switch to \`${release.version}\` was requested; check ${provider.type} for what is stuck.`,
          'If it does not settle, switch manually or roll forward with a fix.',
        ],
      });
    }
    await clock.sleep(target.waitLive.intervalMs, signal);
  }
};
