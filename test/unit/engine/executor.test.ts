/**
 * The executor on in-memory ports: each step is checkpointed, so a worker that dies mid-step is
 * replaced by one that skips what succeeded, resumes the interrupted step (watching for the effect
 * of a platform call instead of calling again), and a failing step stops the run with an outcome
 * that says where, why and whether the platform was changed. Time moves only through the clock.
 */
import { ProviderError } from '../../../src/domain/errors';
import type { PlatformHold } from '../../../src/domain/release';
import { stepOf, type RollbackRecord } from '../../../src/domain/rollback-record';
import type { Verifier } from '../../../src/domain/ports';
import { abortRollback } from '../../../src/engine/operator-actions';
import { ManualClock } from '../../fakes/in-memory-clock';
import { InMemoryVerifier } from '../../fakes/in-memory-integrations';
import { auditLine, inMemoryEngine, PEOPLE, START, targetOf, type EngineWorld } from '../../support/in-memory-engine';

const BUILTIN = ['precheck', 'capture', 'rollback', 'wait_live', 'verify', 'summarize'];

function statuses(record: RollbackRecord): Record<string, string> {
  return Object.fromEntries(record.steps.map((s) => [s.name, s.status]));
}

async function stepStarts(w: EngineWorld, id: string): Promise<string[]> {
  return (await w.trail(id)).filter((e) => e.type === 'step.started').map((e) => String(e.data?.['step']));
}

/** A critical request: it needs no approval, so it is queued for a worker at once. */
async function queued(w: EngineWorld): Promise<string> {
  const record = await w.request({ severity: 'critical' });
  expect(record.state).toBe('queued');
  expect(w.scheduler.pending()).toEqual([{ rollbackId: record.id, run: 1 }]);
  return record.id;
}

/** A second worker picks the job up after the first died (BullMQ's stalled-job recovery). */
function resume(w: EngineWorld, id: string, run = 1): Promise<void> {
  return w.executor.run(id, run, new AbortController().signal);
}

describe('executor: a run from queued to the end', () => {
  it('runs the six steps in order, once each, and succeeds on the target', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    await w.runQueued();

    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(done.steps.map((s) => [s.name, s.status, s.attempts])).toEqual(BUILTIN.map((name) => [name, 'succeeded', 1]));
    expect(done.timings).toMatchObject({ requestedAt: START, queuedAt: START, startedAt: START, finishedAt: expect.any(Number) });
    expect(done.outcome).toBeUndefined();
    expect(await stepStarts(w, id)).toEqual(BUILTIN);
    expect((await w.trail(id)).filter((e) => e.type === 'transition').map((e) => e.to)).toEqual(['running', 'verifying', 'succeeded']);
    expect(w.provider.switches).toBe(1);
    expect(w.provider.live.version).toBe('2.4.0');
    expect(await w.thread(id)).toContain('Rollback completed: checkout-api (production) is on 2.4.0');
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it('locks the environment against automatic rollbacks after a success, naming the rollback', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    await w.runQueued();
    expect(await w.automation.lock('checkout-api', 'production')).toMatchObject({ rollbackId: id, reason: expect.stringContaining('2.4.0') });
  });

  it('keeps what the rollback left held on the platform, for /rollback unlock, and says so in the audit trail', async () => {
    const w = inMemoryEngine();
    const hold: PlatformHold = { kind: 'auto-deploy', description: 'auto-deploy turned off', undo: 'turn auto-deploy back on', data: {} };
    w.provider.hold = hold;
    const id = await queued(w);
    await w.runQueued();
    expect((await w.get(id)).state).toBe('succeeded');
    expect(await w.automation.platformHold('checkout-api', 'production')).toMatchObject({ hold, rollbackId: id });
    expect((await w.trail(id)).some((e) => e.type === 'automation.changed' && e.reason?.includes('turn auto-deploy back on'))).toBe(true);
  });

  it('does nothing for a job whose rollback is not queued (still waiting for approval)', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    await resume(w, record.id);
    expect((await w.get(record.id)).state).toBe('pending_approval');
    expect(w.provider.rollbackCalls).toEqual([]);
  });
});

describe('executor: checkpoint and resume after a worker dies', () => {
  it('skips the steps that already succeeded and resumes the interrupted one as attempt 2', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    const reached = w.provider.hang('liveState');
    void w.scheduler.runNext();
    await reached;
    expect(statuses(await w.get(id))).toMatchObject({ precheck: 'succeeded', capture: 'succeeded', rollback: 'succeeded', wait_live: 'running' });

    await resume(w, id);

    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(stepOf(done, 'wait_live').attempts).toBe(2);
    expect(done.steps.filter((s) => s.name !== 'wait_live').every((s) => s.attempts === 1)).toBe(true);
    expect(await stepStarts(w, id)).toEqual(BUILTIN);
    expect((await w.trail(id)).filter((e) => e.type === 'step.resumed').map((e) => e.data)).toEqual([{ step: 'wait_live', attempt: 2 }]);
    expect(w.provider.captures).toBe(1);
    expect(w.provider.rollbackCalls).toHaveLength(1);
    expect(w.provider.switches).toBe(1);
    expect(await w.thread(id)).toContainEqual(expect.stringMatching(/^Resumed Wait until live.*attempt 2$/));
  });

  it('records durably that the platform is about to be called, before the call', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    const reached = w.provider.hang('rollbackTo');
    void w.scheduler.runNext();
    await reached;
    const step = stepOf(await w.get(id), 'rollback');
    expect(step).toMatchObject({ status: 'running', attempts: 1, calledAt: START });
  });

  it('after a call that took effect, watches for it instead of calling again: "already in effect"', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    const reached = w.provider.hang('rollbackTo', { switched: true });
    void w.scheduler.runNext();
    await reached;

    await resume(w, id);

    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(w.provider.switches).toBe(1);
    expect(w.provider.rollbackCalls.map((c) => c.calledAt)).toEqual([undefined, START]);
    expect(stepOf(done, 'rollback')).toMatchObject({ status: 'succeeded', attempts: 2, detail: expect.stringContaining('already in effect; no second call') });
  });

  it('after a call with no sign of its effect, does not call again and fails as "outcome unknown"', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    const reached = w.provider.hang('rollbackTo', { switched: false });
    void w.scheduler.runNext();
    await reached;

    await resume(w, id);

    const done = await w.get(id);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'outcome_unknown', stoppedAt: 'rollback', providerChanged: true });
    expect(done.outcome!.nextSteps.join(' ')).toMatch(/Look at fakeplatform before anything else/);
    expect(w.provider.switches).toBe(0);
    expect(w.provider.rollbackCalls.map((c) => c.calledAt)).toEqual([undefined, START]);
    expect(statuses(done)).toMatchObject({ rollback: 'failed', wait_live: 'pending', verify: 'pending', summarize: 'pending' });
    expect((await w.thread(id)).some((t) => /stopped at Roll back/.test(t))).toBe(true);
  });

  it("retries its own call after a retryable error without treating it as a dead worker's", async () => {
    const w = inMemoryEngine();
    w.provider.rollbackFailures.push(new ProviderError('fakeplatform answered 503', true));
    const id = await queued(w);
    await w.runQueued();

    expect((await w.get(id)).state).toBe('succeeded');
    expect(w.provider.rollbackCalls.map((c) => c.calledAt)).toEqual([undefined, undefined]);
    expect(w.provider.switches).toBe(1);
    expect(w.clock.sleeps[0]).toBe(500);
  });

  it('a run that the queue gives up on ends failed, saying the provider may have been changed', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    const reached = w.provider.hang('liveState');
    void w.scheduler.runNext();
    await reached;

    await w.executor.abandon(id, 1, 'the worker crashed 5 times');

    const done = await w.get(id);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'worker_gave_up', stoppedAt: 'wait_live', providerChanged: true });
    expect(stepOf(done, 'wait_live')).toMatchObject({ status: 'failed', detail: 'worker gave up' });
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it('a queued run the queue gives up on is cancelled, with nothing changed', async () => {
    const w = inMemoryEngine();
    const id = await queued(w);
    await w.executor.abandon(id, 1, 'Redis was unreachable');
    const done = await w.get(id);
    expect(done.state).toBe('cancelled');
    expect(done.outcome).toMatchObject({ code: 'worker_gave_up', providerChanged: false, nextSteps: expect.arrayContaining(['Nothing was changed on the provider.']) });
  });
});

describe('executor: a failing step stops the run with the right outcome', () => {
  const cases: {
    name: string;
    arrange: (w: EngineWorld) => void;
    code: string;
    stoppedAt: string;
    providerChanged: boolean;
    message: RegExp;
  }[] = [
    {
      name: 'the live release changed since the request (precheck)',
      arrange: (w) => w.provider.deploy({ id: 'green-2.4.2', version: '2.4.2' }),
      code: 'live_release_changed',
      stoppedAt: 'precheck',
      providerChanged: false,
      message: /changed from `2.4.1` to `2.4.2`/,
    },
    {
      name: 'the platform state cannot be captured',
      arrange: (w) => w.provider.captureFailures.push(new Error('connection reset')),
      code: 'capture_failed',
      stoppedAt: 'capture',
      providerChanged: false,
      message: /Could not capture the current state: connection reset/,
    },
    {
      name: 'the platform refuses the rollback',
      arrange: (w) => w.provider.rollbackFailures.push(new ProviderError('release blue-2.4.0 is archived', false)),
      code: 'rollback_failed',
      stoppedAt: 'rollback',
      providerChanged: false,
      message: /archived/,
    },
    {
      name: 'the platform ends the deploy in failure',
      arrange: (w) => {
        w.provider.deployFailure = { reason: 'release phase exited with 1' };
      },
      code: 'deploy_failed',
      stoppedAt: 'wait_live',
      providerChanged: true,
      message: /ended the rollback to `2.4.0 \(blue\)` in failure: release phase exited with 1/,
    },
    {
      name: 'the target never goes live within the timeout',
      arrange: (w) => {
        w.provider.pollsUntilLive = 1_000;
      },
      code: 'not_live',
      stoppedAt: 'wait_live',
      providerChanged: true,
      message: /`2.4.0` was not serving traffic within 20 s; last seen: switching/,
    },
    {
      name: 'a check fails after the switch',
      arrange: (w) => {
        w.integrations.checks = [new InMemoryVerifier('health', 'fail'), new InMemoryVerifier('error rate', 'pass')];
      },
      code: 'verification_failed',
      stoppedAt: 'verify',
      providerChanged: true,
      message: /1 of 2 checks failed after switching to `2.4.0`: health \(503 errors\)/,
    },
    {
      name: 'the live release changed while the checks ran (summarize)',
      arrange: (w) => {
        const deployDuringChecks: Verifier = {
          name: 'smoke',
          type: 'fakecheck',
          verify: async () => {
            w.provider.deploy({ id: 'green-2.4.2', version: '2.4.2' });
            return { name: 'smoke', type: 'fakecheck', status: 'pass', measured: 'ok', threshold: 'ok', durationMs: 0, samples: [] };
          },
        };
        w.integrations.checks = [deployDuringChecks];
      },
      code: 'not_live_after_verification',
      stoppedAt: 'summarize',
      providerChanged: true,
      message: /`2.4.0` is no longer live/,
    },
  ];

  it.each(cases)('$name: $code at $stoppedAt', async ({ arrange, code, stoppedAt, providerChanged, message }) => {
    const w = inMemoryEngine();
    const id = await queued(w);
    arrange(w);
    await w.runQueued();

    const done = await w.get(id);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code, stoppedAt, providerChanged });
    expect(done.outcome!.message).toMatch(message);
    expect(done.outcome!.nextSteps.length).toBeGreaterThan(0);
    // The failing step is marked failed; nothing after it ran.
    const at = BUILTIN.indexOf(stoppedAt);
    expect(statuses(done)).toEqual(Object.fromEntries(BUILTIN.map((name, i) => [name, i < at ? 'succeeded' : i === at ? 'failed' : 'pending'])));
    expect(await stepStarts(w, id)).toEqual(BUILTIN.slice(0, at + 1));
    const trail = (await w.trail(id)).map(auditLine);
    expect(trail).toContain(`step.failed:${stoppedAt}`);
    // The failure ends the rollback; a critical one that ran without approval then asks for its review.
    expect(trail.slice(-2)).toEqual(['transition:failed', 'review.requested']);
    expect(w.provider.switches).toBe(providerChanged ? 1 : 0);
    // The broadcast failure summary says where it stopped.
    const summary = (await w.events(id)).find((e) => e.message.kind === 'failure');
    expect(summary).toMatchObject({ kind: 'thread', broadcast: true });
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it('waits for the target by the clock: the timeout counts from the step start, with no real waiting', async () => {
    const w = inMemoryEngine({ target: targetOf({ waitLive: { timeoutMs: 45_000, intervalMs: 2_000 } }) });
    w.provider.pollsUntilLive = 1_000;
    const id = await queued(w);
    await w.runQueued();
    const step = stepOf(await w.get(id), 'wait_live');
    expect(step.finishedAt! - step.startedAt!).toBe(45_000);
    expect(w.clock.sleeps.reduce((a, b) => a + b, 0)).toBe(45_000);
  });

  it('goes live after a few looks, sleeping by the clock between them', async () => {
    const w = inMemoryEngine();
    w.provider.pollsUntilLive = 3;
    const id = await queued(w);
    await w.runQueued();
    expect((await w.get(id)).state).toBe('succeeded');
    expect(w.clock.sleeps).toHaveLength(3);
  });
});

describe('executor: verification', () => {
  it('parks an inconclusive result for a person: verifying, verify pending, no summary; a repeated job does not re-run the checks', async () => {
    const check = new InMemoryVerifier('error rate', 'inconclusive');
    const w = inMemoryEngine({ checks: [check] });
    const id = await queued(w);
    await w.runQueued();

    const parked = await w.get(id);
    expect(parked.state).toBe('verifying');
    expect(parked.verification).toMatchObject({ status: 'inconclusive', awaitingDecision: true });
    expect(statuses(parked)).toMatchObject({ wait_live: 'succeeded', verify: 'pending', summarize: 'pending' });
    expect(stepOf(parked, 'verify').detail).toBe('inconclusive (0/1 passed); waiting for a decision');
    expect(parked.outcome).toBeUndefined();

    await resume(w, id);
    expect(check.runs).toBe(1);
    expect((await w.get(id)).version).toBe(parked.version);
  });

  it('with no checks configured, succeeds as unverified', async () => {
    const w = inMemoryEngine({ checks: [] });
    const id = await queued(w);
    await w.runQueued();
    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(done.verification?.status).toBe('unverified');
    expect(stepOf(done, 'verify').detail).toBe('no checks configured');
  });

  it('a check that throws counts as inconclusive, never as a pass', async () => {
    const broken: Verifier = { name: 'prometheus', type: 'fakecheck', verify: async () => Promise.reject(new Error('ECONNREFUSED')) };
    const w = inMemoryEngine();
    w.integrations.checks = [new InMemoryVerifier('health', 'pass'), broken];
    const id = await queued(w);
    await w.runQueued();
    const parked = await w.get(id);
    expect(parked.state).toBe('verifying');
    expect(parked.verification?.results.find((r) => r.name === 'prometheus')).toMatchObject({ status: 'inconclusive', measured: 'could not run: ECONNREFUSED' });
  });
});

describe("executor: the catalog's plan steps", () => {
  const backup = { title: 'PostgreSQL backup of app', optional: false, kind: 'postgres-backup' as const };

  it('a failing step before the rollback stops it with the platform untouched', async () => {
    const w = inMemoryEngine({ target: targetOf({ planSteps: { before: [backup], after: [] } }) });
    w.integrations.planSteps.set('before.0', { run: async () => Promise.reject(new Error('pg_dump: connection refused')) });
    const id = await queued(w);
    await w.runQueued();
    const done = await w.get(id);
    expect(done.outcome).toMatchObject({ code: 'plan_step_failed', stoppedAt: 'before.0', providerChanged: false, message: 'PostgreSQL backup of app failed: pg_dump: connection refused' });
    expect(w.provider.rollbackCalls).toEqual([]);
  });

  it('an optional step that fails is reported and passed over', async () => {
    const w = inMemoryEngine({ target: targetOf({ planSteps: { before: [{ ...backup, optional: true }], after: [] } }) });
    w.integrations.planSteps.set('before.0', { run: async () => Promise.reject(new Error('disk full')) });
    const id = await queued(w);
    await w.runQueued();
    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(stepOf(done, 'before.0')).toMatchObject({ status: 'succeeded', detail: 'failed, and is optional, so the rollback goes on: disk full' });
  });

  it('runs the steps in the plan order around the provider rollback', async () => {
    const ran: string[] = [];
    const w = inMemoryEngine({ target: targetOf({ planSteps: { before: [backup], after: [{ title: 'Migrate down', optional: false, kind: 'command' }] } }) });
    w.integrations.planSteps.set('before.0', { run: async () => (ran.push(`backup with live ${w.provider.live.version}`), { detail: 'dumped' }) });
    w.integrations.planSteps.set('after.0', { run: async () => (ran.push(`migrate with live ${w.provider.live.version}`), { detail: 'migrated' }) });
    const id = await queued(w);
    await w.runQueued();
    expect((await w.get(id)).state).toBe('succeeded');
    expect(ran).toEqual(['backup with live 2.4.1', 'migrate with live 2.4.0']);
    expect(await stepStarts(w, id)).toEqual(['precheck', 'capture', 'before.0', 'rollback', 'wait_live', 'after.0', 'verify', 'summarize']);
  });
});

describe('executor: abort', () => {
  it('stops a run waiting for the target at once: cancelled, where it stopped, and that the provider was switched', async () => {
    const clock = new ManualClock(START, 'manual');
    const w = inMemoryEngine({ clock });
    w.provider.pollsUntilLive = 5;
    const id = await queued(w);
    const running = w.scheduler.runNext()!;
    await clock.whenSleeping();

    await abortRollback(w.deps, id, PEOPLE.oncall);
    await running;

    const done = await w.get(id);
    expect(done.state).toBe('cancelled');
    expect(done.abort?.actor).toEqual(PEOPLE.oncall);
    expect(done.outcome).toMatchObject({ code: 'aborted', stoppedAt: 'wait_live', providerChanged: true, message: 'Aborted by oncall before wait live.' });
    expect((await w.trail(id)).map(auditLine).slice(-2)).toEqual(['abort.requested', 'transition:cancelled']);
    expect(await w.thread(id)).toContain('Abort requested by oncall');
    expect(clock.sleeping).toBe(0);
    expect(w.scheduler.pending()).toEqual([]);
  });
});
