/** The HTTP surface: health, readiness against a Redis that goes away, and the bearer-protected rollback API. */
import { createRewind } from '../../../src/app/create-rewind';
import { parseCatalog } from '../../../src/config/load-catalog';
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { silentLogger } from '../../../src/observability/logger';
import { SecretScrubber } from '../../../src/observability/secret-scrubber';
import { QueueSettings } from '../../../src/queue/queue-settings';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { uniquePrefix } from '../../support/redis';
import { startRedisServer } from '../../support/redis-server';

const TOKEN = 'api-token-0123456789abcdef';

describe('HTTP API and health', () => {
  let target: BlueGreenService;
  let h: Harness;
  let id: string;

  beforeAll(async () => {
    target = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url), { http: true, apiToken: TOKEN });
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'api test', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected created');
    id = result.record.id;
    await h.waitForState(id, 'succeeded');
  });
  afterAll(async () => {
    await h.close();
    await target.close();
  });

  const get = (path: string, token?: string) => fetch(`${h.rewind.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('answers /healthz and /readyz', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: [{ name: 'catalog', ok: true }, { name: 'redis', ok: true }] });
  });

  it('refuses the API without the right bearer token', async () => {
    const missing = await get('/api/rollbacks');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: expect.stringContaining('missing bearer token') });
    expect((await get('/api/rollbacks', 'wrong-token-wrong-token')).status).toBe(401);
  });

  it('lists rollbacks and shows one with its audit trail', async () => {
    const list = await get('/api/rollbacks?service=checkout-api', TOKEN);
    expect(list.status).toBe(200);
    const body = (await list.json()) as { rollbacks: Record<string, unknown>[] };
    expect(body.rollbacks[0]).toMatchObject({ id, service: 'checkout-api', environment: 'production', state: 'succeeded', severity: 'critical' });
    expect(body.rollbacks[0]).toHaveProperty('duration');
    expect(body.rollbacks[0]).toHaveProperty('trigger');

    const one = await get(`/api/rollbacks/${id}`, TOKEN);
    expect(one.status).toBe(200);
    const detail = (await one.json()) as { rollback: { id: string; state: string }; audit: { seq: number; type: string }[] };
    expect(detail.rollback).toMatchObject({ id, state: 'succeeded' });
    expect(detail.audit[0]).toMatchObject({ seq: 1, type: 'requested' });
  });

  it('explains bad queries and unknown ids', async () => {
    const bad = await get('/api/rollbacks?state=done&limit=0', TOKEN);
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { issues: string[] }).issues.join(' ');
    expect(issues).toContain('state: expected one of pending_approval, queued, running');
    expect(issues).toContain('limit: expected a whole number from 1 to 2000');
    expect((await get('/api/rollbacks/rb_NOPE', TOKEN)).status).toBe(404);
    expect((await get('/api/nothing-here', TOKEN)).status).toBe(404);
  });
});

describe('readiness follows Redis', () => {
  it('turns not ready when Redis stops', async () => {
    const redis = await startRedisServer();
    const loaded = parseCatalog(bluegreenCatalog('http://127.0.0.1:9'), {});
    const rewind = await createRewind({
      roles: { ingress: true, worker: false },
      loaded,
      redisUrl: redis.url,
      queue: QueueSettings.parse({ prefix: uniquePrefix() }),
      logger: silentLogger(),
      scrubber: new SecretScrubber(),
      http: { port: 0, host: '127.0.0.1' },
    });
    try {
      expect((await fetch(`${rewind.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const down = await fetch(`${rewind.url}/readyz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { checks: { name: string; ok: boolean }[] };
      expect(body.checks.find((c) => c.name === 'redis')?.ok).toBe(false);
      expect((await fetch(`${rewind.url}/healthz`)).status).toBe(200);
    } finally {
      await rewind.close();
    }
  });
});
