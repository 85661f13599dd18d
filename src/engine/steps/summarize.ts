/**
 * The last step: read the live release from the provider once more, after verification, and only
 * then call the rollback a success (the executor posts the summary). A release that changed while
 * the checks ran (an auto-deploy, a second switch) fails the rollback with both readings.
 */
import { describeError } from '../../domain/errors';
import type { LiveState } from '../../domain/ports';
import { stepOf } from '../../domain/rollback-record';
import { StepFailure, type StepRunner } from './step';

export const summarize: StepRunner = async ({ record, provider, signal }) => {
  const target = record.to!;
  const handle = record.providerResult?.handle;
  const earlier = stepOf(record, 'wait_live').detail ?? 'live';
  let now: LiveState;
  try {
    now = await provider.liveState(target, { ...(handle ? { handle } : {}), signal });
  } catch (error) {
    throw new StepFailure('final_read_failed', `Verification finished, but ${provider.type} could not be read again to confirm \`${target.version}\` is still live: ${describeError(error)}`, {
      providerChanged: true,
      nextSteps: [`When the switch was confirmed: ${earlier}.`, `Check ${provider.type} directly; Rewind does not report a success it could not confirm.`],
    });
  }
  if (!now.live) {
    throw new StepFailure('not_live_after_verification', `Verification finished, but ${provider.type} now reports ${now.detail}: \`${target.version}\` is no longer live, so this rollback did not succeed.`, {
      providerChanged: true,
      nextSteps: [
        `When the switch was confirmed: ${earlier}. Read again after verification: ${now.detail}.`,
        'Something changed the live release meanwhile (an auto-deploy, another switch, a person): find what before rolling back again.',
      ],
    });
  }
  return { detail: `rolled back to ${target.version}; ${provider.type} confirms it after verification (${now.detail})` };
};
