/**
 * Crash safety: a worker process is killed with SIGKILL while it waits for the switched release to
 * go live. A second worker finishes the rollback; the provider's rollback was called once in total;
 * the audit trail and the chat thread have no duplicate and no gap. The second worker then stops
 * cleanly on SIGTERM.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { startTarget } from '../support/bluegreen-target';
import { stepOf } from '../../src/domain/rollback-record';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../support/harness';
import { uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

describe('a worker killed while waiting for the release to go live', () => {
  let target: BlueGreenService;
  let ingress: Harness;
  const workers: RewindProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await ingress?.close();
    await target?.close();
  });

  it('is finished by another worker with one provider call and a clean audit trail', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    target.holdSwitches();
    const prefix = uniquePrefix('kill');
    const catalog = bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`);
    const env = workerEnv(catalog, prefix);
    ingress = await startHarness(catalog, { roles: { ingress: true, worker: false }, prefix });

    const first = await spawnRewind('worker', env);
    workers.push(first);
    const result = await ingress.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack', interactionId: 'int-kill' } });
    if (result.kind !== 'created') throw new Error('expected created');
    const id = result.record.id;

    await waitFor(() => ingress.rewind.store.get(id), (r) => r !== undefined && stepOf(r, 'wait_live').status === 'running', { what: 'the first worker to be waiting for the switch' });
    expect(target.rollbackRequests).toBe(1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnRewind('worker', env);
    workers.push(second);
    target.releaseSwitches();
    const done = await ingress.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.state).toBe('succeeded');

    // The provider switched once, whoever asked.
    expect(target.rollbackRequests).toBe(1);
    expect(target.switches).toBe(1);

    // Audit: numbered 1..n; each step started and succeeded exactly once; the interrupted one resumed once.
    const audit = await ingress.rewind.store.auditTrail(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    const count = (type: string, step: string) => audit.filter((e) => e.type === type && e.data?.['step'] === step).length;
    for (const step of ['precheck', 'capture', 'rollback', 'wait_live', 'verify', 'summarize']) {
      expect([step, count('step.started', step), count('step.succeeded', step)]).toEqual([step, 1, 1]);
    }
    expect(count('step.resumed', 'wait_live')).toBe(1);
    expect(stepOf(done, 'wait_live').attempts).toBe(2);
    expect(audit.filter((e) => e.type === 'transition').map((e) => e.to)).toEqual(['running', 'verifying', 'succeeded']);

    // Thread: numbered 1..n with no duplicate post; one "resumed" notice; the summary last.
    const events = await ingress.rewind.store.outboxEvents(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const threadPosts = events.filter((e) => e.kind === 'thread').map((e) => JSON.stringify(e.message));
    expect(new Set(threadPosts).size).toBe(threadPosts.length);
    expect(events.filter((e) => e.message.kind === 'notice' && /resumed/i.test(e.message.title))).toHaveLength(1);
    expect(events.at(-1)!.message.kind).toBe('summary');

    // The surviving worker drains and exits cleanly on SIGTERM.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
