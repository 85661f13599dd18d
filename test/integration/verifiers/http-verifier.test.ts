/** The http check against real endpoints: what passes, what fails, and what the thread will read. */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/app/system-clock';
import { CheckConfig } from '../../../src/config/catalog-schema';
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import type { Clock } from '../../../src/domain/ports';
import type { Release } from '../../../src/domain/release';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient } from '../../../src/outbound/http-client';
import { createVerifier } from '../../../src/verifiers/create-verifier';

const TARGET: Release = { id: '2.4.0', version: '2.4.0', slot: 'blue' };

function verifier(check: Record<string, unknown>, clock: Clock = systemClock) {
  return createVerifier(CheckConfig.parse({ type: 'http', interval: '5ms', ...check }), {
    http: new HttpClient({ logger: silentLogger(), clock, backoffBaseMs: 5 }),
    clock,
  });
}

async function server(handler: (res: ServerResponse, hit: number) => void): Promise<{ url: string; close(): Promise<void> }> {
  let hits = 0;
  const s: Server = createServer((_req, res) => handler(res, ++hits));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: async () => {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

describe('http verifier', () => {
  let service: BlueGreenService;
  beforeEach(async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterEach(() => service.close());

  it('passes a healthy endpoint and says what it saw against what it needed', async () => {
    const check = verifier({ url: `${service.url}/health`, expect: { status: 200, json: { health: 'healthy' } } });
    expect(check.name).toBe('http /health');
    const result = await check.verify({ target: TARGET });
    expect(result.status).toBe('pass');
    expect(result.measured).toMatch(/^200 in \d+ ms, health = healthy$/);
    expect(result.threshold).toBe('status 200, health = healthy');
    expect(result.samples).toHaveLength(1);
  });

  it('fails on a 503 with the status and the field in the evidence', async () => {
    service.setHealthy('green', false);
    const result = await verifier({ name: 'health', url: `${service.url}/health`, expect: { json: { health: 'healthy' } } }).verify({ target: TARGET });
    expect(result).toMatchObject({ name: 'health', type: 'http', status: 'fail' });
    expect(result.measured).toMatch(/^503 in \d+ ms, health = unhealthy$/);
  });

  it('fails when a JSON field differs, showing the value found', async () => {
    const result = await verifier({ url: `${service.url}/health`, expect: { json: { version: '2.4.0', environment: 'green' } } }).verify({ target: TARGET });
    expect(result.status).toBe('fail');
    expect(result.measured).toContain('version = 2.4.1');
    expect(result.threshold).toBe('status 200, version = 2.4.0, environment = green');
    expect(result.samples[0]?.note).toBe('version is 2.4.1, not 2.4.0');
  });

  it('reads nested and array paths, and reports a missing one', async () => {
    const pass = await verifier({ url: `${service.url}/deployment/status`, expect: { json: { 'environments.blue.version': '2.4.0', 'deploymentHistory.-1.environment': 'green', 'deploymentHistory[0].version': '2.4.0' } } }).verify({ target: TARGET });
    expect(pass.status).toBe('pass');
    const missing = await verifier({ url: `${service.url}/deployment/status`, expect: { json: { 'environments.red.version': '1' } } }).verify({ target: TARGET });
    expect(missing.status).toBe('fail');
    expect(missing.measured).toContain('environments.red.version missing');
  });

  it('checks the body text of the traffic endpoint', async () => {
    const check = verifier({ url: `${service.url}/api/work`, expect: { bodyContains: '"ok":true' } });
    expect((await check.verify({ target: TARGET })).status).toBe('pass');
    service.deploy('2.5.0', { bad: true });
    const broken = await check.verify({ target: TARGET });
    expect(broken.status).toBe('fail');
    expect(broken.measured).toMatch(/^500 in \d+ ms, body lacks ""ok":true"$/);
    expect(broken.threshold).toBe('status 200, body contains ""ok":true"');
  });

  it('fails a response slower than the latency budget', async () => {
    const slow = await server((res) => setTimeout(() => res.end('ok'), 80));
    try {
      const result = await verifier({ url: `${slow.url}/slow`, latencyBudget: '20ms' }).verify({ target: TARGET });
      expect(result.status).toBe('fail');
      expect(result.threshold).toBe('status 200, within 20 ms');
      expect(result.samples[0]?.note).toMatch(/over the 20 ms budget/);
      const relaxed = await verifier({ url: `${slow.url}/slow`, latencyBudget: '5s' }).verify({ target: TARGET });
      expect(relaxed.status).toBe('pass');
    } finally {
      await slow.close();
    }
  });

  it('fails an unreachable endpoint, saying why', async () => {
    const url = `${service.url}/health`;
    await service.close();
    const result = await verifier({ url }).verify({ target: TARGET });
    expect(result.status).toBe('fail');
    expect(result.measured).toBe('connection refused');
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });

  it('fails a timeout as a failing sample', async () => {
    const hang = await server(() => undefined);
    try {
      const result = await verifier({ url: hang.url, timeout: '30ms' }).verify({ target: TARGET });
      expect(result.status).toBe('fail');
      expect(result.measured).toBe('timed out after 30 ms');
    } finally {
      await hang.close();
    }
  });

  it('must pass every repetition and stops at the first miss', async () => {
    const flaky = await server((res, hit) => {
      res.statusCode = hit === 2 ? 503 : 200;
      res.end();
    });
    try {
      const result = await verifier({ url: flaky.url, repeat: 4 }).verify({ target: TARGET });
      expect(result.status).toBe('fail');
      expect(result.measured).toMatch(/^attempt 2 of 4: 503 in \d+ ms$/);
      expect(result.threshold).toBe('status 200, 4 times in a row');
      expect(result.samples.map((s) => s.outcome)).toEqual(['pass', 'fail']);
      const steady = await verifier({ url: `${service.url}/health`, repeat: 3 }).verify({ target: TARGET });
      expect(steady.status).toBe('pass');
      expect(steady.measured).toMatch(/^3\/3 passed, last 200 in \d+ ms$/);
    } finally {
      await flaky.close();
    }
  });

  it('accepts any of several statuses', async () => {
    service.setHealthy('green', false);
    const result = await verifier({ url: `${service.url}/health`, expect: { status: [200, 503] } }).verify({ target: TARGET });
    expect(result.status).toBe('pass');
    expect(result.threshold).toBe('status 200 or 503');
  });

  it('waits the initial delay before the first request', async () => {
    const waits: number[] = [];
    const clock: Clock = { now: () => Date.now(), sleep: async (ms, signal) => (waits.push(ms), systemClock.sleep(0, signal)) };
    await verifier({ url: `${service.url}/health`, initialDelay: '45s' }, clock).verify({ target: TARGET });
    expect(waits).toEqual([45_000]);
    expect(service.requests.filter((r) => r.path === '/health')).toHaveLength(1);
  });

  it('stops when the rollback is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('aborted by operator'));
    await expect(verifier({ url: `${service.url}/health`, initialDelay: '1s' }).verify({ target: TARGET, signal: controller.signal })).rejects.toThrow('aborted by operator');
  });
});
