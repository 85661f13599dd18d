/**
 * The built-in health monitor: a service that fails its health probe N times in a row after a
 * deploy is rolled back automatically; the thread carries the probe evidence; afterwards the
 * environment is locked, so the next failure only alerts.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

describe('health monitor', () => {
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
    h = await startHarness(
      bluegreenCatalog(
        target.url,
        `        verify:\n          - { type: http, name: health, url: ${target.url}/health }\n        auto:\n          health: { url: ${target.url}/health, interval: 100ms, failures: 3, timeout: 1s }`,
      ),
    );
  });
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  it('rolls back after N consecutive failed probes, with the probe evidence in the thread', async () => {
    // Healthy first: probes pass and nothing happens.
    await waitFor(() => target.requests.filter((r) => r.path === '/health').length, (n) => n >= 3, { what: 'healthy probes' });
    expect(await h.rewind.store.list({ limit: 5 })).toEqual([]);

    const deployedAt = Date.now();
    target.deploy('2.5.0', { bad: true });
    const record = await waitFor(async () => (await h.rewind.store.list({ limit: 5 }))[0], (r) => r !== undefined, { what: 'an automatic rollback' });
    expect(record!.trigger).toMatchObject({ kind: 'auto', source: 'health-monitor' });
    expect(record!.requester).toMatchObject({ platform: 'rewind' });
    expect(record!.severity).toBe('critical');
    expect(record!.from?.version).toBe('2.5.0');
    expect(record!.to?.version).toBe('2.4.0');
    const failures = record!.trigger.evidence.filter((line) => line.includes('FAILED'));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatch(/503/);

    // The deciding probe is the third failing /health after the deploy; the rollback started after it.
    const done = await h.waitForState(record!.id, 'succeeded');
    const afterDeploy = target.requests.filter((r) => r.path === '/health' && r.at >= deployedAt);
    expect(afterDeploy.length).toBeGreaterThanOrEqual(3);
    expect(done.timings.startedAt!).toBeGreaterThanOrEqual(afterDeploy[2]!.at);
    expect(target.rollbackRequests).toBe(1);

    const header = await waitFor(() => h.sink.forRollback(record!.id).filter((e) => e.kind === 'header').at(-1), (e) => e !== undefined && /succeeded/i.test(renderPlainText(e.message)), { what: 'the header' });
    expect(renderPlainText(header!.message)).toContain('FAILED');

    // Locked after the rollback: the next bad deploy is announced, not rolled back. (First the
    // monitor sees the recovery, which ends the streak it already acted on.)
    expect(await h.rewind.service.deps.automation.lock('checkout-api', 'production')).toMatchObject({ rollbackId: record!.id });
    await waitFor(() => h.rewind.service.deps.automation.monitorReport('checkout-api', 'production'), (r) => r.health?.failures === 0, { what: 'a healthy probe after the rollback' });
    target.deploy('2.6.0', { bad: true });
    const notice = await waitFor(
      () => h.sink.delivered.find((e) => e.rollbackId.startsWith('nt_')),
      (e) => e !== undefined,
      { what: 'the "not started" notice' },
    );
    expect(renderPlainText(notice!.message)).toMatch(/locked/);
    expect(target.rollbackRequests).toBe(1);
  });
});
