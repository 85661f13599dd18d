/**
 * Polls the provider until the target serves traffic, backing off between looks. The deadline
 * counts from the step's first start, so a worker that resumes after a crash does not grant
 * itself a fresh timeout. A deploy the platform ends in failure ends the rollback at once, in the
 * platform's words; progress the provider reports (machine by machine) goes to the thread.
 */
import { describeError } from '../../domain/errors';
import type { LiveState } from '../../domain/ports';
import { releaseLabel, sameRelease, type Release } from '../../domain/release';
import { stepOf } from '../../domain/rollback-record';
import { StepFailure, type StepResult, type StepRunner } from './step';

/** Looks back off by half again each time, up to eight intervals and never past this. */
const BACKOFF_CAP_MS = 10_000;

/**
 * A target named by its slot, whose release nobody could tell before the switch, becomes the
 * release the provider reports live there, so verification and the summary name a real version.
 */
function learned(target: Release, state: LiveState, detail: string): StepResult {
  if (state.serving && !sameRelease(state.serving, target)) {
    // A revert commit serves the stable content: verification and the summary must name what is deployed.
    const serving = state.serving;
    return { detail: `${detail}; ${serving.version} serves the content of ${target.version}`, apply: (draft) => void (draft.to = serving) };
  }
  const current = state.current;
  if (!target.versionUnknown || !current || current.versionUnknown || !sameRelease(current, target)) return { detail };
  return {
    detail: `${detail}; ${target.slot} turns out to run \`${current.version}\``,
    apply: (draft) => {
      draft.to = current;
    },
  };
}

function deployFailed(release: Release, failed: NonNullable<LiveState['failed']>, platform: string): StepFailure {
  return new StepFailure('deploy_failed', `${platform} ended the rollback to \`${releaseLabel(release)}\` in failure: ${failed.reason}`, {
    providerChanged: true,
    nextSteps: [
      ...(failed.link ? [`See what ${platform} says: ${failed.link}`] : []),
      `${platform} keeps the previous deploy live when a deploy fails; check which release serves traffic now.`,
      'Fix the cause (build, release phase, capacity), then request the rollback again, or roll forward.',
    ],
  });
}

export const waitLive: StepRunner = async ({ record, provider, target, clock, signal, progress }) => {
  const release = record.to!;
  const handle = record.providerResult?.handle;
  const startedAt = stepOf(record, 'wait_live').startedAt ?? clock.now();
  const deadline = startedAt + target.waitLive.timeoutMs;
  const { intervalMs } = target.waitLive;
  let delay = intervalMs;
  let last: string;
  let posted: string | undefined;
  for (;;) {
    try {
      const state = await provider.liveState(release, { signal, ...(handle ? { handle } : {}) });
      last = state.detail;
      if (state.failed) throw deployFailed(release, state.failed, provider.type);
      if (state.progress && state.progress !== posted) {
        posted = state.progress;
        await progress(state.progress);
      }
      if (state.live) return learned(release, state, `${state.detail} (after ${Math.max(0, clock.now() - startedAt)} ms)`);
    } catch (error) {
      if (signal.aborted || error instanceof StepFailure) throw error;
      last = describeError(error);
    }
    if (clock.now() >= deadline) {
      throw new StepFailure('not_live', `\`${release.version}\` was not serving traffic within ${Math.round(target.waitLive.timeoutMs / 1000)} s; last seen: ${last}.`, {
        providerChanged: true,
        nextSteps: [
          `The rollback to \`${release.version}\` was requested; check ${provider.type} for what is stuck${record.providerResult?.link ? ` (${record.providerResult.link})` : ''}.`,
          'If it does not settle, roll back by hand on the platform or roll forward with a fix.',
        ],
      });
    }
    await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())), signal);
    delay = Math.min(Math.round(delay * 1.5), Math.max(intervalMs, Math.min(BACKOFF_CAP_MS, intervalMs * 8)));
  }
};
