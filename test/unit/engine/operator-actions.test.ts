/**
 * What people can do to a rollback once asked, on in-memory ports: cancel (before the platform is
 * touched), abort (between steps), accept, fail or retry a verification, and write the postmortem.
 * Who may (the requester, or anyone who approves for the environment), and when it is too late.
 */
import type { Actor } from '../../../src/domain/actor';
import { ErrorCode, RewindError, TooLateError } from '../../../src/domain/errors';
import { stepOf, type RollbackRecord } from '../../../src/domain/rollback-record';
import type { RollbackState } from '../../../src/domain/rollback-state';
import { decideApproval } from '../../../src/engine/decide-approval';
import { abortRollback, acceptVerification, cancelRollback, failVerification, recordPostmortem, retryVerification } from '../../../src/engine/operator-actions';
import { InMemoryVerifier } from '../../fakes/in-memory-integrations';
import { auditLine, inMemoryEngine, PEOPLE, type EngineWorld } from '../../support/in-memory-engine';

/** The ways to bring a rollback of oncall's into each state a person can act on. */
type Situation = 'pending_approval' | 'queued' | 'running, platform untouched' | 'running, platform switched' | 'verifying, awaiting a decision' | 'succeeded' | 'failed at verify' | 'failed at rollback' | 'rejected' | 'cancelled';

async function bring(situation: Situation): Promise<{ w: EngineWorld; id: string }> {
  const checks =
    situation === 'verifying, awaiting a decision' ? [new InMemoryVerifier('error rate', 'inconclusive', 'pass')] : situation === 'failed at verify' ? [new InMemoryVerifier('health', 'fail', 'pass')] : [new InMemoryVerifier('health')];
  const w = inMemoryEngine({ checks });
  const severity = situation === 'pending_approval' || situation === 'rejected' ? 'high' : 'critical';
  const { id } = await w.request({ severity });
  switch (situation) {
    case 'pending_approval':
    case 'queued':
      break;
    case 'rejected':
      await decideApproval(w.deps, id, PEOPLE.lead, 'reject');
      break;
    case 'cancelled':
      await cancelRollback(w.deps, id, PEOPLE.oncall);
      break;
    case 'running, platform untouched': {
      const reached = w.provider.hang('captureState');
      void w.scheduler.runNext();
      await reached;
      break;
    }
    case 'running, platform switched': {
      const reached = w.provider.hang('liveState');
      void w.scheduler.runNext();
      await reached;
      break;
    }
    case 'failed at rollback':
      w.provider.rollbackFailures.push(new Error('HTTP 422'));
      await w.runQueued();
      break;
    default:
      await w.runQueued();
  }
  return { w, id };
}

const STATE_OF: Record<Situation, RollbackState> = {
  pending_approval: 'pending_approval',
  queued: 'queued',
  'running, platform untouched': 'running',
  'running, platform switched': 'running',
  'verifying, awaiting a decision': 'verifying',
  succeeded: 'succeeded',
  'failed at verify': 'failed',
  'failed at rollback': 'failed',
  rejected: 'rejected',
  cancelled: 'cancelled',
};

const ALL: Situation[] = Object.keys(STATE_OF) as Situation[];

async function expectUnchanged(w: EngineWorld, before: RollbackRecord): Promise<void> {
  const after = await w.get(before.id);
  expect(after.version).toBe(before.version);
  expect(after.state).toBe(before.state);
}

it.each(ALL)('the fixtures reach %s', async (situation) => {
  const { w, id } = await bring(situation);
  expect((await w.get(id)).state).toBe(STATE_OF[situation]);
});

describe('who may act on a rollback', () => {
  const table: [string, Actor, 'critical' | 'high', boolean][] = [
    ['the requester', PEOPLE.oncall, 'critical', true],
    ['an approver of the environment, though this rollback needed none', PEOPLE.lead, 'critical', true],
    ['an approver of another severity of the environment', PEOPLE.lead2, 'critical', true],
    ['an approver of this rollback', PEOPLE.lead2, 'high', true],
    ['someone else', PEOPLE.stranger, 'critical', false],
    ['an approver id on another platform', { platform: 'discord', id: 'U0LEAD' }, 'high', false],
    ['Rewind itself', { platform: 'rewind', id: 'rewind' }, 'critical', false],
  ];

  it.each(table)('%s: %s', async (_, actor, severity, allowed) => {
    const w = inMemoryEngine();
    const record = await w.request({ severity });
    const cancel = cancelRollback(w.deps, record.id, actor, 'not needed');
    if (allowed) {
      expect((await cancel).state).toBe('cancelled');
      return;
    }
    await expect(cancel).rejects.toThrow('Only the requester or an approver may cancel this rollback.');
    expect((await w.get(record.id)).state).toBe(record.state);
    expect((await w.trail(record.id)).at(-1)).toMatchObject({ type: 'approval.refused', actor, data: { action: 'cancel' } });
  });

  it("keeps the approvers recorded at request time when the service has left the catalog", async () => {
    const w = inMemoryEngine();
    const high = await w.request({ severity: 'high' });
    w.catalog.remove('checkout-api');
    expect((await cancelRollback(w.deps, high.id, PEOPLE.lead2)).state).toBe('cancelled');
  });

  it.each([
    ['abort', (w: EngineWorld, id: string, actor: Actor) => abortRollback(w.deps, id, actor)],
    ['accept the verification of', (w: EngineWorld, id: string, actor: Actor) => acceptVerification(w.deps, id, actor)],
    ['fail the verification of', (w: EngineWorld, id: string, actor: Actor) => failVerification(w.deps, id, actor)],
    ['retry the verification of', (w: EngineWorld, id: string, actor: Actor) => retryVerification(w.deps, id, actor)],
    ['add a root cause to', (w: EngineWorld, id: string, actor: Actor) => recordPostmortem(w.deps, id, actor, { rootCause: 'guess' })],
  ])('refuses a stranger who tries to %s it, and audits the refusal', async (what, act) => {
    const { w, id } = await bring('verifying, awaiting a decision');
    const before = await w.get(id);
    await expect(act(w, id, PEOPLE.stranger)).rejects.toThrow(`Only the requester or an approver may ${what} this rollback.`);
    const after = await w.get(id);
    expect(after.state).toBe(before.state);
    expect(after.verification).toEqual(before.verification);
    expect((await w.trail(id)).at(-1)).toMatchObject({ type: 'approval.refused', actor: PEOPLE.stranger, data: { action: what } });
  });
});

describe('cancel', () => {
  const allowed: Situation[] = ['pending_approval', 'queued', 'running, platform untouched'];

  it.each(allowed)('cancels a rollback that is %s: nothing changed on the platform, the environment freed', async (situation) => {
    const { w, id } = await bring(situation);
    const after = await cancelRollback(w.deps, id, PEOPLE.oncall, 'false alarm');
    expect(after).toMatchObject({ state: 'cancelled', cancellation: { actor: PEOPLE.oncall, reason: 'false alarm' }, timings: { finishedAt: w.clock.now() } });
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
    expect(w.scheduler.abortsRequested).toEqual([id]);
    expect((await w.said(id)).at(-1)).toMatch(/Cancelled by oncall[\s\S]*Nothing was changed on the provider\./);
    // A worker that picks the job up afterwards starts nothing.
    await w.runQueued();
    expect(w.provider.rollbackCalls).toEqual([]);
    expect((await w.get(id)).state).toBe('cancelled');
  });

  it('cancels the expiry timer of a request waiting for approval', async () => {
    const { w, id } = await bring('pending_approval');
    await cancelRollback(w.deps, id, PEOPLE.oncall);
    expect(w.scheduler.pendingExpiries()).toEqual([]);
  });

  const tooLate = ALL.filter((s) => !allowed.includes(s));

  it.each(tooLate)('is too late once a rollback is %s, and changes nothing', async (situation) => {
    const { w, id } = await bring(situation);
    const before = await w.get(id);
    const cancel = cancelRollback(w.deps, id, PEOPLE.oncall);
    await expect(cancel).rejects.toThrow(TooLateError);
    const finished = ['succeeded', 'failed', 'rejected', 'cancelled'].includes(before.state);
    await expect(cancel).rejects.toThrow(finished ? /^Too late to cancel: this rollback is/ : /use Abort to stop between steps/);
    await expectUnchanged(w, before);
  });
});

describe('abort', () => {
  it.each(['running, platform switched', 'verifying, awaiting a decision'] as Situation[])('is recorded for a rollback that is %s', async (situation) => {
    const { w, id } = await bring(situation);
    const after = await abortRollback(w.deps, id, PEOPLE.lead);
    expect(after.abort).toMatchObject({ actor: PEOPLE.lead });
    expect((await w.trail(id)).map(auditLine)).toContain('abort.requested');
    expect(await w.thread(id)).toContain('Abort requested by lead');
    expect(w.scheduler.abortsRequested).toContain(id);
  });

  it('finishes at once for a rollback parked on an inconclusive verification (no worker is running it)', async () => {
    const { w, id } = await bring('verifying, awaiting a decision');
    await abortRollback(w.deps, id, PEOPLE.oncall);
    await w.runQueued();
    const done = await w.get(id);
    expect(done.state).toBe('cancelled');
    expect(done.outcome).toMatchObject({ code: 'aborted', stoppedAt: 'verify', providerChanged: true });
    expect(done.outcome!.nextSteps[0]).toMatch(/already switched to `2.4.0`/);
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it('a second abort is refused: already requested, by whom', async () => {
    const { w, id } = await bring('verifying, awaiting a decision');
    await abortRollback(w.deps, id, PEOPLE.oncall);
    const before = await w.get(id);
    const again = abortRollback(w.deps, id, PEOPLE.lead);
    await expect(again).rejects.toThrow('Abort was already requested by oncall.');
    await expect(again).rejects.toMatchObject({ code: ErrorCode.AlreadyDecided });
    expect((await w.get(id)).version).toBe(before.version);
  });

  it.each(ALL.filter((s) => STATE_OF[s] !== 'running' && STATE_OF[s] !== 'verifying'))('is too late for a rollback that is %s', async (situation) => {
    const { w, id } = await bring(situation);
    const before = await w.get(id);
    await expect(abortRollback(w.deps, id, PEOPLE.oncall)).rejects.toThrow(`Too late to abort: this rollback is ${before.state.replace('_', ' ')}. Nothing changed.`);
    await expectUnchanged(w, before);
  });
});

describe('deciding an inconclusive verification', () => {
  it('accept: the verify step passes on that person’s word, and the run finishes as a success', async () => {
    const { w, id } = await bring('verifying, awaiting a decision');
    const accepted = await acceptVerification(w.deps, id, PEOPLE.lead);
    expect(accepted.verification).toMatchObject({ status: 'inconclusive', awaitingDecision: false, acceptedBy: { actor: PEOPLE.lead } });
    expect(stepOf(accepted, 'verify')).toMatchObject({ status: 'succeeded', detail: 'inconclusive result accepted by lead' });
    expect(w.scheduler.pending()).toEqual([{ rollbackId: id, run: 1 }]);

    await w.runQueued();
    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(stepOf(done, 'summarize').status).toBe('succeeded');
    expect(await w.thread(id)).toContain('Inconclusive verification accepted by lead');
  });

  it('fail: the rollback fails as "verification rejected", with the platform switched', async () => {
    const { w, id } = await bring('verifying, awaiting a decision');
    const failed = await failVerification(w.deps, id, PEOPLE.oncall);
    expect(failed.state).toBe('failed');
    expect(failed.outcome).toMatchObject({ code: 'verification_rejected', stoppedAt: 'verify', providerChanged: true, message: 'oncall judged the inconclusive verification a failure.' });
    expect(stepOf(failed, 'verify')).toMatchObject({ status: 'failed', detail: 'inconclusive result rejected by oncall' });
    expect((await w.events(id)).at(-1)).toMatchObject({ kind: 'thread', broadcast: true, message: { kind: 'failure' } });
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it.each([
    ['accept', acceptVerification, 'accept the verification'],
    ['fail', failVerification, 'mark the verification failed'],
  ] as const)('%s is too late unless a decision is awaited', async (_, act, what) => {
    for (const situation of ['running, platform switched', 'succeeded', 'failed at verify'] as Situation[]) {
      const { w, id } = await bring(situation);
      const before = await w.get(id);
      await expect(act(w.deps, id, PEOPLE.oncall)).rejects.toThrow(`Too late to ${what}`);
      await expectUnchanged(w, before);
    }
  });
});

describe('retry verification', () => {
  it.each(['failed at verify', 'verifying, awaiting a decision'] as Situation[])('re-runs only the checks of a rollback %s, as a new run, without switching again', async (situation) => {
    const { w, id } = await bring(situation);
    const before = await w.get(id);
    const retried = await retryVerification(w.deps, id, PEOPLE.oncall);
    expect(retried).toMatchObject({ state: 'verifying', run: 2 });
    expect(retried.outcome).toBeUndefined();
    expect(retried.verification).toBeUndefined();
    expect(stepOf(retried, 'verify').status).toBe('pending');
    expect(w.scheduler.pending()).toContainEqual({ rollbackId: id, run: 2 });
    expect(await w.thread(id)).toContain('Verification retried by oncall');

    await w.runQueued();
    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(done.verification?.status).toBe('pass');
    expect(w.provider.switches).toBe(1);
    expect(w.provider.rollbackCalls).toHaveLength(1);
    expect(before.run).toBe(1);
  });

  it('a job left over from the earlier run changes nothing', async () => {
    const { w, id } = await bring('failed at verify');
    await retryVerification(w.deps, id, PEOPLE.oncall);
    const retried = await w.get(id);
    await w.executor.run(id, 1, new AbortController().signal);
    expect((await w.get(id)).version).toBe(retried.version);
  });

  it.each(['pending_approval', 'queued', 'running, platform switched', 'succeeded', 'failed at rollback', 'rejected', 'cancelled'] as Situation[])(
    'is refused for a rollback that is %s',
    async (situation) => {
      const { w, id } = await bring(situation);
      const before = await w.get(id);
      await expect(retryVerification(w.deps, id, PEOPLE.oncall)).rejects.toThrow(/^Too late to retry verification \(only a finished rollback step with failed or inconclusive checks can be re-verified\)/);
      await expectUnchanged(w, before);
    },
  );
});

describe('postmortem', () => {
  it('records impact, root cause and prevention with who and when, and reposts the summary', async () => {
    const { w, id } = await bring('succeeded');
    w.clock.advance(3_600_000);
    const after = await recordPostmortem(w.deps, id, PEOPLE.oncall, { rootCause: '  pricing cache keyed by region only ', impact: '' });
    expect(after.postmortem).toEqual({ rootCause: 'pricing cache keyed by region only', by: PEOPLE.oncall, at: w.clock.now() });
    expect(after.state).toBe('succeeded');
    expect((await w.trail(id)).at(-1)).toMatchObject({ type: 'postmortem.updated', actor: PEOPLE.oncall });
    const thread = await w.thread(id);
    expect(thread.at(-2)).toBe('Root cause updated by oncall');
    expect(thread.at(-1)).toMatch(/^Rollback completed/);
  });

  it('keeps earlier fields when a later edit adds others', async () => {
    const { w, id } = await bring('failed at verify');
    await recordPostmortem(w.deps, id, PEOPLE.oncall, { rootCause: 'bad config' });
    const after = await recordPostmortem(w.deps, id, PEOPLE.lead, { prevention: 'validate config in CI' });
    expect(after.postmortem).toMatchObject({ rootCause: 'bad config', prevention: 'validate config in CI', by: PEOPLE.lead });
  });

  it('is refused with a typed error for someone else', async () => {
    const { w, id } = await bring('succeeded');
    await expect(recordPostmortem(w.deps, id, PEOPLE.stranger, { rootCause: 'x' })).rejects.toBeInstanceOf(RewindError);
  });
});
