/**
 * The demo blue/green service over plain HTTP: seed 004's API, idempotent switches, fault
 * injection, and the metrics a Prometheus would scrape. Other tests lean on it behaving exactly so.
 */
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { waitFor } from '../../support/wait-for';

async function call(service: BlueGreenService, method: string, path: string, options: { key?: string; body?: unknown } = {}) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(options.key ? { 'idempotency-key': options.key } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('BlueGreenService', () => {
  let service: BlueGreenService;
  afterEach(() => service.close());

  it('answers the status document of seed 004', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const status = (await call(service, 'GET', '/deployment/status')).json();
    expect(status).toMatchObject({
      currentEnvironment: 'green',
      currentVersion: '2.4.1',
      state: 'stable',
      environments: { blue: { version: '2.4.0', health: 'healthy' }, green: { version: '2.4.1', health: 'healthy' } },
    });
    expect((status['deploymentHistory'] as { version: string }[]).map((h) => h.version)).toEqual(['2.4.0', '2.4.1']);
  });

  it('answers with only the fields seed 004 documents in the seed shape', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape: 'seed' });
    const status = (await call(service, 'GET', '/deployment/status')).json();
    expect(Object.keys(status).sort()).toEqual(['currentEnvironment', 'currentVersion', 'deploymentHistory']);
    const history = status['deploymentHistory'] as Record<string, unknown>[];
    expect(history.map((h) => [h['environment'], h['version'], h['status']])).toEqual([
      ['blue', '2.4.0', 'succeeded'],
      ['green', '2.4.1', 'succeeded'],
    ]);
    expect(Object.keys(history[0]!).sort()).toEqual(['action', 'commit', 'deployedAt', 'environment', 'status', 'version']);
  });

  it('leaves the idle side out of the history on a first deploy', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape: 'seed', idleInHistory: false });
    const status = (await call(service, 'GET', '/deployment/status')).json();
    expect((status['deploymentHistory'] as { environment: string }[]).map((h) => h.environment)).toEqual(['green']);
  });

  it('accepts a switch at once and makes it later when asked to behave asynchronously', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', acceptDelayMs: 100 });
    const accepted = await call(service, 'POST', '/deployment/rollback', { key: 'later' });
    expect([accepted.status, accepted.json()]).toEqual([202, { accepted: true }]);
    expect((await call(service, 'GET', '/deployment/status')).json()).toMatchObject({ currentEnvironment: 'green' });
    await waitFor(async () => (await call(service, 'GET', '/deployment/status')).json(), (s) => s['currentEnvironment'] === 'blue', { what: 'the delayed switch' });
    expect(service.switches).toBe(1);
  });

  it('switches to the idle side once per idempotency key', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const first = await call(service, 'POST', '/deployment/rollback', { key: 'k1' });
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ success: true, previousEnvironment: 'green', currentEnvironment: 'blue', currentVersion: '2.4.0', state: 'stable' });
    const replay = await call(service, 'POST', '/deployment/rollback', { key: 'k1' });
    expect(replay.text).toBe(first.text);
    expect(service.switches).toBe(1);
    expect(service.rollbackRequests).toBe(2);
    // Without a key (the seed's curl), every POST is a switch.
    await call(service, 'POST', '/deployment/rollback');
    expect((await call(service, 'GET', '/deployment/status')).json()).toMatchObject({ currentEnvironment: 'green' });
  });

  it('shows a held switch at once as switching to the target, and refuses another meanwhile', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    service.holdSwitches();
    await call(service, 'POST', '/deployment/rollback', { key: 'a' });
    expect((await call(service, 'GET', '/deployment/status')).json()).toMatchObject({ currentEnvironment: 'blue', currentVersion: '2.4.0', state: 'switching' });
    const second = await call(service, 'POST', '/deployment/rollback', { key: 'b' });
    expect(second.status).toBe(409);
    expect(second.json()).toEqual({ success: false, error: 'a switch is already in progress' });
    service.releaseSwitches();
    expect((await call(service, 'GET', '/deployment/status')).json()).toMatchObject({ currentEnvironment: 'blue', state: 'stable' });
    expect(service.switches).toBe(1);
  });

  it('settles a switch after switchDelayMs', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', switchDelayMs: 20 });
    expect((await call(service, 'POST', '/deployment/rollback')).json()).toMatchObject({ state: 'switching' });
    await waitFor(async () => (await call(service, 'GET', '/deployment/status')).json()['state'], (s) => s === 'stable', { what: 'the switch to settle', intervalMs: 5 });
  });

  it('injects failures, before or after switching; a switched key then replays the success', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    service.failNextRollbacks({ status: 503 });
    expect((await call(service, 'POST', '/deployment/rollback', { key: 'x' })).status).toBe(503);
    expect(service.switches).toBe(0);
    service.failNextRollbacks({ status: 500, afterSwitch: true });
    expect((await call(service, 'POST', '/deployment/rollback', { key: 'x' })).status).toBe(500);
    expect(service.switches).toBe(1);
    const retry = await call(service, 'POST', '/deployment/rollback', { key: 'x' });
    expect(retry.json()).toMatchObject({ success: true, currentEnvironment: 'blue' });
    expect(service.switches).toBe(1);
  });

  it('a bad release fails health and traffic; a good one serves', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    expect((await call(service, 'GET', '/health')).json()).toEqual({ health: 'healthy', environment: 'green', version: '2.4.1' });
    expect((await call(service, 'GET', '/api/work')).status).toBe(200);
    service.deploy('2.5.0', { bad: true });
    const health = await call(service, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json()).toEqual({ health: 'unhealthy', environment: 'blue', version: '2.5.0' });
    expect((await call(service, 'GET', '/api/work')).status).toBe(500);
    const status = (await call(service, 'GET', '/deployment/status')).json();
    expect(status).toMatchObject({ currentEnvironment: 'blue', currentVersion: '2.5.0', environments: { green: { version: '2.4.1' } } });
    expect((status['deploymentHistory'] as { version: string; action: string }[]).at(-1)).toMatchObject({ version: '2.5.0', action: 'deploy' });
    // The rollback goes back to green, which still runs 2.4.1.
    await call(service, 'POST', '/deployment/rollback');
    expect((await call(service, 'GET', '/health')).status).toBe(200);
  });

  it('exposes Prometheus metrics: requests by code, latency histogram, live version', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    await call(service, 'GET', '/api/work');
    service.deploy('2.5.0', { bad: true });
    await call(service, 'GET', '/api/work');
    await call(service, 'GET', '/api/work');
    const metrics = (await call(service, 'GET', '/metrics')).text;
    expect(metrics).toContain('http_requests_total{code="200"} 1');
    expect(metrics).toContain('http_requests_total{code="500"} 2');
    expect(metrics).toContain('http_request_duration_seconds_count 3');
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{le="\+Inf"\} 3/);
    expect(metrics).toContain('app_version_info{version="2.5.0",environment="blue"} 1');
  });

  it('takes the same controls over HTTP for the demo', async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    await call(service, 'POST', '/control/deploy', { body: { version: '2.5.0', bad: true } });
    expect((await call(service, 'GET', '/health')).status).toBe(503);
    await call(service, 'POST', '/control/healthy', { body: { environment: 'blue', healthy: true } });
    expect((await call(service, 'GET', '/health')).status).toBe(200);
    await call(service, 'POST', '/control/fail-rollbacks', { body: { status: 502 } });
    expect((await call(service, 'POST', '/deployment/rollback')).status).toBe(502);
    expect((await call(service, 'GET', '/control/counters')).json()).toEqual({ rollbackRequests: 1, switches: 0 });
    expect((await call(service, 'POST', '/control/deploy', { body: {} })).status).toBe(400);
  });
});
