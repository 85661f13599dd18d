/**
 * Rewind on a Redis Cluster (three masters, three replicas, started by the test): a rollback end to
 * end, then the master holding Rewind's slot is killed mid-rollback; its replica takes over and the
 * rollback finishes with one switch and a gapless audit trail, and the next one runs as usual.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { stepOf } from '../../src/domain/rollback-record';
import { startTarget } from '../support/bluegreen-target';
import { bluegreenCatalog, LEAD, ONCALL, startHarness, type Harness } from '../support/harness';
import { uniquePrefix } from '../support/redis';
import { startRedisCluster, type RedisClusterUnderTest } from '../support/redis-cluster';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

describe('Redis Cluster', () => {
  let cluster: RedisClusterUnderTest;
  let target: BlueGreenService;
  let h: Harness;
  const prefix = uniquePrefix('cluster');

  beforeAll(async () => {
    cluster = await startRedisCluster();
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`), { redisUrl: cluster.url, redisCluster: true, prefix });
  });
  afterAll(async () => {
    await h?.close();
    await target?.close();
    await cluster?.stop();
  });

  it('runs a rollback with approval end to end', async () => {
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'high', reason: 'cluster', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    await h.rewind.service.approve(result.record.id, LEAD);
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed'], 30_000);
    expect(done.state).toBe('succeeded');
    expect(target.switches).toBe(1);
    await waitFor(() => h.sink.forRollback(done.id).some((e) => e.message.kind === 'summary'), Boolean, { what: 'the summary' });
  });

  it('finishes a rollback whose Redis master fails over in the middle of it', async () => {
    const master = cluster.masterOf(prefix);
    target.holdSwitches();
    // Back to green on purpose (it was rolled back from in the first test): --to names it.
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'failover', targetRelease: '2.4.1', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const id = result.record.id;
    await waitFor(() => h.rewind.store.get(id), (r) => r !== undefined && stepOf(r, 'wait_live').status === 'running', { what: 'the rollback to wait for the switch' });

    cluster.nodes.find((n) => n.port === master)!.process.kill('SIGKILL');
    const servedBy = () => {
      try {
        return cluster.masterOf(prefix);
      } catch {
        return undefined; // between the master's death and the replica's promotion nobody serves the slot
      }
    };
    await waitFor(async () => servedBy(), (port) => port !== undefined && port !== master, { what: 'a replica to take over Rewind’s slot', timeoutMs: 30_000 });
    target.releaseSwitches();

    const done = await h.waitForState(id, ['succeeded', 'failed'], 60_000);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(target.switches).toBe(2);
    const audit = await h.rewind.store.auditTrail(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));

    // The next rollback runs on the new master as usual.
    const next = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'after failover', targetRelease: '2.4.0', requester: ONCALL, origin: { platform: 'slack' } });
    if (next.kind !== 'created') throw new Error('expected a rollback');
    expect((await h.waitForState(next.record.id, ['succeeded', 'failed'], 30_000)).state).toBe('succeeded');
  });
});
