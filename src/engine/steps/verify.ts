/**
 * Runs every configured check at once. Any failure fails the rollback with the evidence; an
 * inconclusive result parks it for a person to accept, retry or fail; no checks is "unverified".
 */
import { describeError } from '../../domain/errors';
import { overallStatus, type CheckResult } from '../../domain/verification';
import { stepOf } from '../../domain/rollback-record';
import { StepFailure, type StepRunner } from './step';

export const verify: StepRunner = async ({ record, verifiers, clock, signal }) => {
  const target = record.to!;
  const startedAt = clock.now();
  const liveAt = stepOf(record, 'wait_live').finishedAt;
  const results: CheckResult[] = await Promise.all(
    verifiers().map((verifier) =>
      verifier.verify({ target, signal, ...(liveAt !== undefined ? { since: liveAt } : {}) }).catch(
        (error): CheckResult => ({
          name: verifier.name,
          type: verifier.type,
          status: 'inconclusive',
          measured: `could not run: ${describeError(error)}`,
          threshold: 'a measurement',
          durationMs: clock.now() - startedAt,
          samples: [],
        }),
      ),
    ),
  );
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
  const status = overallStatus(results);
  const finishedAt = clock.now();
  const apply = (draft: typeof record) => {
    draft.verification = { status, results, startedAt, finishedAt, awaitingDecision: status === 'inconclusive' };
    draft.timings.verifiedAt = finishedAt;
  };
  const failed = results.filter((r) => r.status === 'fail');
  if (status === 'fail') {
    throw new StepFailure('verification_failed', `${failed.length} of ${results.length} checks failed after switching to \`${target.version}\`: ${failed.map((r) => `${r.name} (${r.measured})`).join('; ')}.`, {
      providerChanged: true,
      apply,
      nextSteps: [
        `Traffic is on \`${target.version}\`, yet checks fail: the cause may not be the release (a dependency, data, configuration).`,
        'Retry verification once things settle, or escalate.',
      ],
    });
  }
  const counts = `${results.filter((r) => r.status === 'pass').length}/${results.length} passed`;
  if (status === 'inconclusive') return { detail: `inconclusive (${counts}); waiting for a decision`, apply, awaitDecision: true };
  return { detail: status === 'unverified' ? 'no checks configured' : counts, apply };
};
