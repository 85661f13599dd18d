/** The version check: the live version equals the target, possibly after a few tries. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/app/system-clock';
import { CheckConfig } from '../../../src/config/catalog-schema';
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import type { Release } from '../../../src/domain/release';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient } from '../../../src/outbound/http-client';
import { createVerifier } from '../../../src/verifiers/create-verifier';

const TARGET: Release = { id: '2.4.0', version: '2.4.0', slot: 'blue' };

function verifier(check: Record<string, unknown>) {
  return createVerifier(CheckConfig.parse({ type: 'version', interval: '5ms', ...check }), {
    http: new HttpClient({ logger: silentLogger(), clock: systemClock, backoffBaseMs: 5 }),
    clock: systemClock,
  });
}

/** Answers `{ build: { version } }` with the versions given, one per request, the last repeating. */
async function versionServer(...versions: string[]) {
  let hits = 0;
  const server = createServer((_req, res) => {
    const version = versions[Math.min(hits++, versions.length - 1)];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ build: { version } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/version`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('version verifier', () => {
  let service: BlueGreenService;
  beforeEach(async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterEach(() => service.close());

  it('passes when the live version is the rollback target', async () => {
    service.deploy('2.4.0');
    const check = verifier({ url: `${service.url}/deployment/status`, path: 'currentVersion' });
    expect(check.name).toBe('version');
    const result = await check.verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: 'live 2.4.0', threshold: '2.4.0' });
  });

  it('fails with both versions when another one is live', async () => {
    const result = await verifier({ url: `${service.url}/deployment/status`, path: 'currentVersion' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: 'live 2.4.1', threshold: '2.4.0' });
  });

  it('leaves a target whose release was never known to a person, showing what is live', async () => {
    const unknown: Release = { id: 'blue', version: 'blue (release unknown)', slot: 'blue', versionUnknown: true };
    const result = await verifier({ url: `${service.url}/deployment/status`, path: 'currentVersion', attempts: 3 }).verify({ target: unknown });
    expect(result).toMatchObject({
      status: 'inconclusive',
      measured: 'live 2.4.1; the target (blue (release unknown)) had no known version to compare with',
      threshold: 'the target release (unknown)',
    });
  });

  it('checks `expect` instead of the target when it is set', async () => {
    const result = await verifier({ url: `${service.url}/health`, expect: '2.4.1' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', threshold: '2.4.1' });
  });

  it('passes once a lagging endpoint catches up within the attempts', async () => {
    const lagging = await versionServer('2.4.1', '2.4.1', '2.4.0');
    try {
      const result = await verifier({ url: lagging.url, path: 'build.version', attempts: 5 }).verify({ target: TARGET });
      expect(result).toMatchObject({ status: 'pass', measured: 'live 2.4.0 after 3 attempts' });
      expect(lagging.hits()).toBe(3);
    } finally {
      await lagging.close();
    }
  });

  it('fails when the endpoint never catches up', async () => {
    const stuck = await versionServer('2.4.1');
    try {
      const result = await verifier({ url: stuck.url, path: 'build.version', attempts: 3 }).verify({ target: TARGET });
      expect(result).toMatchObject({ status: 'fail', measured: 'live 2.4.1 after 3 attempts', threshold: '2.4.0' });
      expect(result.samples.map((s) => s.value)).toEqual(['2.4.1', '2.4.1', '2.4.1']);
    } finally {
      await stuck.close();
    }
  });

  it('treats v2.4.0 and 2.4.0 as the same release', async () => {
    const tagged = await versionServer('v2.4.0');
    try {
      expect((await verifier({ url: tagged.url, path: 'build.version' }).verify({ target: TARGET })).status).toBe('pass');
    } finally {
      await tagged.close();
    }
  });

  it('fails when the path is not in the answer', async () => {
    const result = await verifier({ url: `${service.url}/deployment/status`, path: 'build.version' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: 'no build.version in the answer' });
  });

  it('fails when the endpoint is unreachable', async () => {
    const url = `${service.url}/deployment/status`;
    await service.close();
    const result = await verifier({ url, path: 'currentVersion' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: 'unreachable: connection refused' });
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
});
