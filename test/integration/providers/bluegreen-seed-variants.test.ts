/**
 * Blue/green services that tell less than the demo's full status, over HTTP: one whose history has
 * no entry for the idle side (a first deploy), one whose status names no version at all (GET /health
 * does), and one that names every field and endpoint differently (the catalog's field map).
 */
import { systemClock } from '../../../src/app/system-clock';
import { BlueGreenProviderConfig } from '../../../src/config/catalog-schema';
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { TargetUnavailableError } from '../../../src/domain/errors';
import { silentLogger } from '../../../src/observability/logger';
import { BlueGreenProvider } from '../../../src/providers/bluegreen/bluegreen-provider';
import { HttpClient } from '../../../src/outbound/http-client';
import { HttpFakeServer } from '../../fakes/http-fake-base';
import { RENAMED_PROVIDER, startRenamedBlueGreen } from '../../fakes/renamed-bluegreen';
import { waitFor } from '../../support/wait-for';

function provider(baseUrl: string, extra: Record<string, unknown> = {}): BlueGreenProvider {
  const config = BlueGreenProviderConfig.parse({ type: 'bluegreen', baseUrl, timeout: '500ms', retries: 1, ...extra });
  return new BlueGreenProvider(config, { http: new HttpClient({ logger: silentLogger(), clock: systemClock, backoffBaseMs: 5, backoffCapMs: 20 }), clock: systemClock });
}

describe('bluegreen provider, idle release unknown (seed 004 status, first deploy)', () => {
  let service: BlueGreenService;
  let bg: BlueGreenProvider;

  beforeEach(async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape: 'seed', idleInHistory: false });
    bg = provider(service.url);
  });
  afterEach(() => service.close());

  it('refuses to pick a last stable release and says what is missing and what to type', async () => {
    const error = await bg.lastStable().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).userMessage).toBe(
      'The release on blue, the idle environment, is unknown: the status has no deploymentHistory entry for blue. Rewind never switches traffic to an ' +
        'environment whose release it cannot tell. If you know blue runs a good release, name it: --to blue.',
    );
    expect(service.rollbackRequests).toBe(0);
  });

  it('lists the idle side as unknown among the releases', async () => {
    const releases = await bg.recentReleases(10);
    expect(releases.map((r) => [r.version, r.status])).toEqual([
      ['2.4.1', 'live'],
      ['blue (release unknown)', 'idle'],
    ]);
  });

  it('switches once to the environment a person named, then reads what it runs', async () => {
    const target = (await bg.findRelease('blue'))!;
    expect(target).toMatchObject({ id: 'blue', slot: 'blue', versionUnknown: true, version: 'blue (release unknown)' });
    const preview = await bg.describeChange(await bg.currentRelease(), target);
    expect(preview.notes.join(' ')).toContain('Warning: the release on blue is unknown (the status has no deploymentHistory entry for blue). It was named explicitly');

    const receipt = await bg.rollbackTo(target, { idempotencyKey: 'rb-unknown' });
    expect(receipt).toEqual({ alreadyAtTarget: false, detail: 'Switched traffic from green (2.4.1) to blue (release unknown)' });
    expect(await bg.liveState(target)).toMatchObject({ live: true, detail: 'blue (2.4.0) is serving traffic', current: { version: '2.4.0', slot: 'blue' } });
    expect(await bg.rollbackTo(target, { idempotencyKey: 'rb-unknown' })).toMatchObject({ alreadyAtTarget: true });
    expect(service.switches).toBe(1);
  });

  it('will not switch to a known release the idle side is not known to hold', async () => {
    const error = await bg.rollbackTo({ id: '2.4.0', version: '2.4.0' }, { idempotencyKey: 'rb-guess' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).userMessage).toContain('blue holds a release Rewind cannot tell (the status has no deploymentHistory entry for blue), not 2.4.0');
    expect(service.rollbackRequests).toBe(0);
  });
});

describe('bluegreen provider, live version only in GET /health', () => {
  const serve = (health: unknown) =>
    HttpFakeServer.listen('status without versions', ({ url }) => ({
      status: 200,
      body: url.pathname === '/health' ? health : { currentEnvironment: 'green', deploymentHistory: [{ environment: 'blue', version: '1.0.0' }] },
    }));

  it('takes the live version from /health when the status names none', async () => {
    const svc = await serve({ health: 'healthy', build: { version: '1.1.0' } });
    try {
      const bg = provider(svc.base, { health: { version: 'build.version' } });
      expect(await bg.currentRelease()).toMatchObject({ version: '1.1.0', slot: 'green', status: 'live' });
      expect(await bg.lastStable()).toMatchObject({ version: '1.0.0', slot: 'blue' });
    } finally {
      await svc.close();
    }
  });

  it('reports the live release as unknown, with every place it looked, when /health names none either', async () => {
    const svc = await serve({ health: 'healthy' });
    try {
      expect(await provider(svc.base).currentRelease()).toMatchObject({
        version: 'green (release unknown)',
        versionUnknown: true,
        description: 'the status has no currentVersion, and no deploymentHistory entry for green, and GET /health names no version',
      });
    } finally {
      await svc.close();
    }
  });
});

describe('bluegreen provider through a field map (a service that names everything differently)', () => {
  let service: BlueGreenService;
  let renamed: HttpFakeServer;
  let bg: BlueGreenProvider;

  beforeEach(async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    renamed = await startRenamedBlueGreen(service);
    bg = provider(renamed.base, RENAMED_PROVIDER);
  });
  afterEach(async () => {
    await renamed.close();
    await service.close();
  });

  it('reads, rolls back once and sees the switch live', async () => {
    expect(await bg.currentRelease()).toMatchObject({ version: '2.4.1', slot: 'green' });
    const blue = (await bg.lastStable())!;
    expect(blue).toMatchObject({ version: '2.4.0', slot: 'blue' });
    // The service answers only { accepted: true }: the status, read afterwards, confirms the switch.
    const receipt = await bg.rollbackTo(blue, { idempotencyKey: 'rb-renamed' });
    expect(receipt).toEqual({ alreadyAtTarget: false, detail: 'Switched traffic from green (2.4.1) to blue (2.4.0) (the status confirms it)' });
    expect(await bg.liveState(blue)).toMatchObject({ live: true });
    expect(service.switches).toBe(1);
  });

  it('never repeats an accepted switch that the status does not show yet; it waits for it', async () => {
    await renamed.close();
    await service.close();
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', acceptDelayMs: 300 });
    renamed = await startRenamedBlueGreen(service);
    bg = provider(renamed.base, RENAMED_PROVIDER);
    const blue = (await bg.lastStable())!;
    const receipt = await bg.rollbackTo(blue, { idempotencyKey: 'rb-later' });
    expect(receipt.detail).toBe(`bluegreen at ${renamed.base} accepted POST /api/v2/bg/flip (202) without confirming the switch to blue (2.4.0); waiting for the status to show it`);
    expect(await bg.liveState(blue)).toMatchObject({ live: false, detail: 'green (2.4.1) is serving traffic, not 2.4.0' });
    await waitFor(() => bg.liveState(blue), (state) => state.live, { what: 'the accepted switch to take effect' });
    expect(service.rollbackRequests).toBe(1);
    expect(service.switches).toBe(1);
  });
});
