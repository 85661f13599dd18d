/**
 * A blue/green service that names everything differently from seed 004, for the catalog's field
 * map: it fronts a real demo service and renames its status (`GET /api/v2/bg`), its switch
 * (`POST /api/v2/bg/flip`, answering only `{ "accepted": true }`) and its health (`GET /healthz`).
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { HttpFakeServer, type FakeAnswer, type FakeRequest } from './http-fake-base';

interface DemoEntry {
  version: string;
  environment: string;
  deployedAt: string;
  action: string;
  status: string;
}

/** The provider fields that read this service, as a catalog would write them. */
export const RENAMED_PROVIDER = {
  endpoints: { status: '/api/v2/bg', rollback: '/api/v2/bg/flip', health: '/healthz' },
  status: {
    currentEnvironment: 'traffic.color',
    currentVersion: 'traffic.release',
    history: 'log',
    entry: { version: 'release', environment: 'slot', deployedAt: 'at', status: 'result', action: 'kind' },
  },
};

export function startRenamedBlueGreen(behind: BlueGreenService): Promise<HttpFakeServer> {
  return HttpFakeServer.listen('renamed bluegreen', (request) => answer(behind, request));
}

async function answer(behind: BlueGreenService, { method, url, headers }: FakeRequest): Promise<FakeAnswer> {
  const route = `${method} ${url.pathname}`;
  if (route === 'GET /api/v2/bg') {
    const status = behind.status();
    const log = (status['deploymentHistory'] as DemoEntry[]).map((h) => ({ slot: h.environment, release: h.version, at: h.deployedAt, result: h.status, kind: h.action }));
    return { status: 200, body: { traffic: { color: status['currentEnvironment'], release: status['currentVersion'] }, log } };
  }
  if (route === 'POST /api/v2/bg/flip') {
    const key = headers['idempotency-key'];
    const switched = await fetch(`${behind.url}/deployment/rollback`, { method: 'POST', headers: typeof key === 'string' ? { 'idempotency-key': key } : {} });
    return { status: switched.ok ? 202 : switched.status, body: { accepted: switched.ok } };
  }
  if (route === 'GET /healthz') {
    const health = await fetch(`${behind.url}/health`);
    return { status: health.status, body: await health.json() };
  }
  return { status: 404, body: { error: `no route ${route}` } };
}
