/**
 * Crash safety where the platform promises no idempotency (seed 004's blue/green switch): a worker is
 * killed with SIGKILL after it sent the switch and before the answer (the service switches 3 s later
 * and ignores Idempotency-Key). The worker that resumes the step knows a call may have gone out, so
 * it watches for the switch instead of sending another, which would switch traffic back.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { stepOf } from '../../src/domain/rollback-record';
import { startTarget } from '../support/bluegreen-target';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../support/harness';
import { uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

describe('a worker killed after sending a switch that is not idempotent', () => {
  let target: BlueGreenService;
  let ingress: Harness;
  const workers: RewindProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await ingress?.close();
    await target?.close();
  });

  it('is finished by another worker that waits for that switch and never sends a second', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', ignoreIdempotencyKey: true });
    target.failNextRollbacks({ status: 200, delayMs: 30_000, switchAfterMs: 3_000 });
    const catalog = bluegreenCatalog(target.url).replace('timeout: 2s, retries: 1 }', 'timeout: 60s, retries: 1, confirmWithin: 20s }');
    expect(catalog).toContain('confirmWithin: 20s');
    const prefix = uniquePrefix('killswitch');
    const env = workerEnv(catalog, prefix);
    ingress = await startHarness(catalog, { roles: { ingress: true, worker: false }, prefix });
    const first = await spawnRewind('worker', env);
    workers.push(first);

    const result = await ingress.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack', interactionId: 'int-kill-switch' } });
    if (result.kind !== 'created') throw new Error('expected created');
    const id = result.record.id;
    await waitFor(() => target.rollbackRequests, (n) => n === 1, { what: 'the switch to reach the service' });
    expect(stepOf((await ingress.rewind.store.get(id))!, 'rollback').calledAt).toBeDefined();
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(target.switches).toBe(0);

    const second = await spawnRewind('worker', env);
    workers.push(second);
    const done = await ingress.waitForState(id, ['succeeded', 'failed'], 40_000);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(stepOf(done, 'rollback').detail).toContain('The switch an earlier attempt sent took effect: blue (2.4.0) is live (no second call)');
    expect([target.rollbackRequests, target.switches]).toEqual([1, 1]);

    const audit = await ingress.rewind.store.auditTrail(id);
    const count = (type: string) => audit.filter((e) => e.type === type && e.data?.['step'] === 'rollback').length;
    expect([count('step.started'), count('step.resumed'), count('step.succeeded')]).toEqual([1, 1, 1]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
