/**
 * The health monitor runs as one leader across worker processes. Kill the leader with SIGKILL:
 * the other process takes over probing once the dead one's lease (half an interval) runs out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bluegreenCatalog } from '../support/harness';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { spawnRewind, writeCatalog, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

describe('automation monitor leadership', () => {
  let probes: number[] = [];
  let server: Server;
  const workers: RewindProcess[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/health') probes.push(Date.now());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ health: 'healthy', currentVersion: '2.4.0' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await new Promise((r) => server.close(r));
  });

  it('probes from one process at a time and fails over when that process dies', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const catalog = bluegreenCatalog(url, `        auto:\n          health: { url: ${url}/health, interval: 1s, failures: 3, timeout: 500ms }`);
    const env = { REWIND_CONFIG: writeCatalog(catalog), REDIS_URL: testRedisUrl(), REWIND_REDIS_PREFIX: uniquePrefix('leader') };
    const a = await spawnRewind('worker', env);
    workers.push(a);
    await waitFor(() => a.output(), (o) => o.includes('became leader'), { what: 'the first worker to lead' });
    const b = await spawnRewind('worker', env);
    workers.push(b);

    // With both running, one leads: the other has not probed as leader.
    probes = [];
    await waitFor(() => probes.length, (n) => n >= 3, { what: 'a few probes with both running' });
    expect(b.output()).not.toContain('became leader');

    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => b.output(), (o) => o.includes('became leader'), { timeoutMs: 10_000, what: 'the second worker to take over' });
    await waitFor(() => probes.find((t) => t > killedAt), (t) => t !== undefined, { timeoutMs: 10_000, what: 'a probe from the new leader' });
  });
});
