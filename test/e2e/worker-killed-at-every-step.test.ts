/**
 * The fault suite's SIGKILL table (issue 13): for every step of a plan with a step of the catalog's
 * before and after the provider's rollback, the worker running it is killed with SIGKILL inside that
 * step. Another worker finishes the rollback; the platform switched once; every step started and
 * succeeded once and only the killed one resumed; the audit trail and the thread are numbered 1..n
 * with no duplicate post. Slow answers keep each step running long enough to be caught in.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import type { StepName } from '../../src/domain/plan';
import { stepOf } from '../../src/domain/rollback-record';
import { startTarget } from '../support/bluegreen-target';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../support/harness';
import { uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const PLAN: StepName[] = ['precheck', 'capture', 'before.0', 'rollback', 'wait_live', 'after.0', 'verify', 'summarize'];
/** A second of work, as a catalog command: long enough to be killed in, never long enough to matter. */
const SLOW = '[node, -e, "setTimeout(() => {}, 1000)"]';

/** Kept for the published figures in docs/RELIABILITY.md. */
const figures = { faults: 0, completed: 0, duplicateSwitches: 0, falseSuccesses: 0 };

describe('a worker killed inside each step of the plan', () => {
  let target: BlueGreenService;
  let ingress: Harness;
  const workers: RewindProcess[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await ingress?.close();
    await target?.close();
  });
  afterAll(() => {
    console.info(`SIGKILL table: ${figures.faults} workers killed, ${figures.completed} rollbacks completed, ${figures.duplicateSwitches} duplicate switches, ${figures.falseSuccesses} false successes`);
  });

  it.each(PLAN)('killed inside %s: another worker finishes it with one switch and a clean record', async (killedIn) => {
    // Every status read takes 700 ms: precheck, capture, rollback, wait_live and summarize each read it.
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusDelayMs: 700 });
    const extra = [
      '        steps:',
      `          before: [ { type: command, name: snapshot, run: ${SLOW} } ]`,
      `          after: [ { type: command, name: flush cache, run: ${SLOW} } ]`,
      '        verify:',
      `          - { type: command, name: smoke, run: ${SLOW}, timeout: 10s }`,
    ].join('\n');
    const catalog = bluegreenCatalog(target.url, extra).replace('timeout: 2s, retries: 1 }', 'timeout: 5s, retries: 1 }');
    const prefix = uniquePrefix(`killstep`);
    const env = workerEnv(catalog, prefix);
    ingress = await startHarness(catalog, { roles: { ingress: true, worker: false }, prefix });
    const first = await spawnRewind('worker', env);
    workers.push(first);

    const result = await ingress.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack', interactionId: `int-${killedIn}` } });
    if (result.kind !== 'created') throw new Error('expected created');
    const id = result.record.id;
    expect(result.record.steps.map((s) => s.name)).toEqual(PLAN);

    await waitFor(() => ingress.rewind.store.get(id), (r) => r !== undefined && stepOf(r, killedIn).status === 'running', { what: `the first worker to be inside ${killedIn}`, intervalMs: 10 });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    figures.faults++;

    const second = await spawnRewind('worker', env);
    workers.push(second);
    const done = await ingress.waitForState(id, ['succeeded', 'failed'], 60_000);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    figures.completed++;

    // The platform switched once, and the release that is live is the target.
    expect(target.switches).toBe(1);
    expect(target.status()).toMatchObject({ currentEnvironment: 'blue' });
    if (target.switches !== 1) figures.duplicateSwitches++;

    // Audit: numbered 1..n; every step started and succeeded once; only the killed one resumed, once.
    const audit = await ingress.rewind.store.auditTrail(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    const count = (type: string, step: string) => audit.filter((e) => e.type === type && e.data?.['step'] === step).length;
    expect(PLAN.map((step) => [step, count('step.started', step), count('step.succeeded', step), count('step.resumed', step)])).toEqual(
      PLAN.map((step) => [step, 1, 1, step === killedIn ? 1 : 0]),
    );
    expect(stepOf(done, killedIn).attempts).toBe(2);
    expect(audit.filter((e) => e.type === 'transition').map((e) => e.to)).toEqual(['running', 'verifying', 'succeeded']);

    // Thread: numbered 1..n, no post twice, one "resumed" notice, the summary last.
    const events = await ingress.rewind.store.outboxEvents(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const posts = events.filter((e) => e.kind === 'thread').map((e) => JSON.stringify(e.message));
    expect(new Set(posts).size).toBe(posts.length);
    expect(events.filter((e) => e.message.kind === 'notice' && /resumed/i.test(e.message.title))).toHaveLength(1);
    expect(events.at(-1)!.message.kind).toBe('summary');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
