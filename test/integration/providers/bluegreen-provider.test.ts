/**
 * The blue/green provider against the real demo service over HTTP, in both status shapes (the full
 * one, and only what seed 004 documents): what it reads, that a rollback switches exactly once
 * however the call goes wrong, and what its errors tell a person.
 */
import { systemClock } from '../../../src/app/system-clock';
import { BlueGreenProviderConfig } from '../../../src/config/catalog-schema';
import { BlueGreenService, STATUS_SHAPES } from '../../../src/demo/bluegreen-service';
import { OutcomeUnknownError, ProviderError, TargetUnavailableError } from '../../../src/domain/errors';
import type { Clock } from '../../../src/domain/ports';
import type { Release } from '../../../src/domain/release';
import { silentLogger } from '../../../src/observability/logger';
import { BlueGreenProvider } from '../../../src/providers/bluegreen/bluegreen-provider';
import { createProvider } from '../../../src/providers/create-provider';
import { HttpClient } from '../../../src/outbound/http-client';
import { HttpFakeServer } from '../../fakes/http-fake-base';
import { FastClock } from '../../support/fast-clock';

const TOKEN = 'bg-token-very-secret-4242';

function http(): HttpClient {
  return new HttpClient({ logger: silentLogger(), clock: systemClock, backoffBaseMs: 5, backoffCapMs: 20 });
}

/** On the system clock: the demo service's late switches happen in real time. */
function provider(baseUrl: string, extra: Record<string, unknown> = {}, clock: Clock = systemClock): BlueGreenProvider {
  const config = BlueGreenProviderConfig.parse({ type: 'bluegreen', baseUrl, timeout: '500ms', retries: 2, confirmWithin: '5s', ...extra });
  return new BlueGreenProvider(config, { http: http(), clock });
}

describe.each(STATUS_SHAPES)('bluegreen provider (%s status)', (statusShape) => {
  let service: BlueGreenService;
  let bg: BlueGreenProvider;
  let blue: Release;

  beforeEach(async () => {
    service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape });
    bg = provider(service.url);
    blue = (await bg.lastStable())!;
  });
  afterEach(() => service.close());

  it('is what createProvider builds for type bluegreen', () => {
    const built = createProvider(BlueGreenProviderConfig.parse({ type: 'bluegreen', baseUrl: service.url }), { http: http(), clock: systemClock }, { service: 'checkout-api', environment: 'production', holdAfterRollback: true });
    expect(built).toBeInstanceOf(BlueGreenProvider);
    expect(built.type).toBe('bluegreen');
  });

  describe('reading', () => {
    it('reports the live release, the idle one as last stable, and history newest first', async () => {
      expect(await bg.currentRelease()).toMatchObject({ id: '2.4.1', version: '2.4.1', slot: 'green', status: 'live' });
      expect(blue).toMatchObject({ id: '2.4.0', version: '2.4.0', slot: 'blue', status: 'idle' });

      service.deploy('2.5.0');
      service.deploy('2.5.1');
      service.deploy('2.5.1');
      const recent = await bg.recentReleases(10);
      expect(recent.map((r) => r.version)).toEqual(['2.5.1', '2.5.0', '2.4.1', '2.4.0']);
      expect(await bg.recentReleases(2)).toHaveLength(2);
    });

    it('has no last stable release when both sides run the same version', async () => {
      service.deploy('2.4.1');
      expect(await bg.lastStable()).toBeUndefined();
    });

    it('finds the releases a switch can reach by version or environment name, and no others', async () => {
      expect(await bg.findRelease('2.4.0')).toMatchObject({ version: '2.4.0', slot: 'blue' });
      expect(await bg.findRelease('v2.4.0')).toMatchObject({ version: '2.4.0' });
      expect(await bg.findRelease('blue')).toMatchObject({ version: '2.4.0' });
      expect(await bg.findRelease('green')).toMatchObject({ version: '2.4.1' });
      expect(await bg.findRelease('2.3.9')).toBeUndefined();
    });

    it('previews a switch: traffic moves, nothing is redeployed, the commits it takes away', async () => {
      const preview = await bg.describeChange(await bg.currentRelease(), blue);
      expect(preview.notes).toContain('Switches traffic from green (2.4.1) to blue (2.4.0).');
      expect(preview.notes).toContain('Nothing is redeployed: blue keeps the release it already runs.');
      expect(preview.commits).toHaveLength(1);
      expect(preview.commits[0]).toMatch(/^[0-9a-f]{7} \(2\.4\.1\)$/);
    });

    it('dates the live release by its deploy, so automatic rollback can tie trouble to it', async () => {
      const before = Date.now();
      service.deploy('2.5.0');
      const live = await bg.currentRelease();
      expect(live).toMatchObject({ version: '2.5.0', slot: 'blue' });
      expect(Date.parse(live.deployedAt!)).toBeGreaterThanOrEqual(before - 1);
    });

    it('finds the idle release by a commit prefix from the history', async () => {
      const commit = (service.status()['deploymentHistory'] as { version: string; commit: string }[]).find((h) => h.version === '2.4.0')!.commit;
      expect(await bg.findRelease(commit.slice(0, 7))).toMatchObject({ version: '2.4.0', slot: 'blue' });
    });

    if (statusShape === 'full') {
      it('warns in the preview when the side it would switch to is unhealthy', async () => {
        service.setHealthy('blue', false);
        const preview = await bg.describeChange(await bg.currentRelease(), blue);
        expect(preview.notes.join(' ')).toMatch(/blue reports itself unhealthy/);
      });
    }

    it('captures the raw status document', async () => {
      const state = await bg.captureState();
      expect(state).toEqual(service.status());
      expect(state).toMatchObject({ currentEnvironment: 'green', currentVersion: '2.4.1' });
    });
  });

  describe('rollbackTo', () => {
    it('switches traffic once and reports it', async () => {
      const receipt = await bg.rollbackTo(blue, { idempotencyKey: 'rb-1' });
      expect(receipt.alreadyAtTarget).toBe(false);
      expect(receipt.detail).toContain('blue (2.4.0)');
      expect(service.switches).toBe(1);
      expect(await bg.currentRelease()).toMatchObject({ version: '2.4.0', slot: 'blue' });
      expect(service.requests.find((r) => r.method === 'POST')?.idempotencyKey).toBe('rb-1');
    });

    it('makes no call the second time: it re-reads and finds the target live', async () => {
      await bg.rollbackTo(blue, { idempotencyKey: 'rb-1' });
      const again = await bg.rollbackTo(blue, { idempotencyKey: 'rb-1' });
      expect(again.alreadyAtTarget).toBe(true);
      expect(service.rollbackRequests).toBe(1);
      expect(service.switches).toBe(1);
    });

    it('succeeds with one switch when the call errors after switching', async () => {
      service.failNextRollbacks({ status: 500, afterSwitch: true });
      const receipt = await bg.rollbackTo(blue, { idempotencyKey: 'rb-2' });
      expect(receipt.alreadyAtTarget).toBe(false);
      expect(receipt.detail).toMatch(/took effect/);
      expect(service.switches).toBe(1);
      expect(service.rollbackRequests).toBe(1);
    });

    it('succeeds with one switch when the answer is lost to a timeout after switching', async () => {
      service.failNextRollbacks({ status: 200, afterSwitch: true, delayMs: 5_000 });
      const impatient = provider(service.url, { timeout: '50ms' });
      const receipt = await impatient.rollbackTo(blue, { idempotencyKey: 'rb-3' });
      expect(receipt.detail).toMatch(/took effect/);
      expect(service.switches).toBe(1);
      expect(service.rollbackRequests).toBe(1);
    });

    it('says "outcome unknown" and never calls again when a 503 is followed by no switch', async () => {
      service.failNextRollbacks({ status: 503, count: 5 });
      const clock = new FastClock();
      const error = await provider(service.url, {}, clock).rollbackTo(blue, { idempotencyKey: 'rb-4' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutcomeUnknownError);
      expect((error as OutcomeUnknownError).userMessage).toBe(
        `bluegreen at ${service.url} gave no answer to POST /deployment/rollback (answered 503 ("injected failure (503)")), and for 5 s afterwards it showed no switch to 2.4.0 (last seen: green (2.4.1) serving traffic). Rewind does not call again: the rollback may still land.`,
      );
      // The status was watched for the grace period; the switch was sent once.
      expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(4_000);
      expect(service.rollbackRequests).toBe(1);
      expect(service.switches).toBe(0);
    });

    it('waits for a switch that lands late, after its call timed out, and never sends a second one', async () => {
      const late = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape, ignoreIdempotencyKey: true });
      try {
        // The new user's service of issue 13: it answers after the client gave up and switches 1.5 s in.
        late.failNextRollbacks({ status: 200, delayMs: 3_000, switchAfterMs: 1_500 });
        const impatient = provider(late.url, { timeout: '1s' });
        const target = (await impatient.lastStable())!;
        const receipt = await impatient.rollbackTo(target, { idempotencyKey: 'rb-late' });
        expect(receipt.detail).toBe('POST /deployment/rollback ended without a confirmation (no answer within 1 s), yet blue (2.4.0) is live: the switch took effect, once');
        expect(late.rollbackRequests).toBe(1);
        expect(late.switches).toBe(1);
        expect(await impatient.currentRelease()).toMatchObject({ version: '2.4.0' });
      } finally {
        await late.close();
      }
    });

    it('after a worker died having asked, watches for that switch instead of asking again', async () => {
      const calls: string[] = [];
      const clock = new FastClock();
      const error = await provider(service.url, {}, clock)
        .rollbackTo(blue, { idempotencyKey: 'rb-dead', calledAt: clock.now() - 1_000, beforeCall: async () => void calls.push('beforeCall') })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutcomeUnknownError);
      expect((error as OutcomeUnknownError).userMessage).toMatch(/sent by a worker that stopped before it saw the answer\), and for 4 s afterwards it showed no switch to 2\.4\.0/);
      expect(calls).toEqual([]);
      expect(service.rollbackRequests).toBe(0);

      // The same, once the earlier switch has landed: adopted, still no call.
      await bg.rollbackTo(blue, { idempotencyKey: 'rb-first' });
      const adopted = await bg.rollbackTo(blue, { idempotencyKey: 'rb-dead', calledAt: clock.now() });
      expect(adopted.alreadyAtTarget).toBe(true);
      expect(service.rollbackRequests).toBe(1);
    });

    it('marks the call durably before sending it', async () => {
      const order: string[] = [];
      const receipt = await bg.rollbackTo(blue, { idempotencyKey: 'rb-mark', beforeCall: async () => void order.push(`marked with ${service.rollbackRequests} POSTs sent`) });
      expect(receipt.alreadyAtTarget).toBe(false);
      expect(order).toEqual(['marked with 0 POSTs sent']);
      expect(service.rollbackRequests).toBe(1);
    });

    it('refuses a target the idle side does not hold, saying what it holds', async () => {
      const error = await bg.rollbackTo({ id: '2.3.9', version: '2.3.9' }, { idempotencyKey: 'rb-5' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetUnavailableError);
      expect((error as TargetUnavailableError).userMessage).toContain('blue holds 2.4.0, not 2.3.9');
      expect(service.rollbackRequests).toBe(0);
    });

    it('treats a 409 as success when the status shows the switch toward the target began', async () => {
      // Another worker's switch lands between this one's status read and its call.
      service.failNextRollbacks({ status: 409, afterSwitch: true });
      const receipt = await bg.rollbackTo(blue, { idempotencyKey: 'rb-8' });
      expect(receipt.detail).toMatch(/blue \(2\.4\.0\)/);
      expect(service.switches).toBe(1);
    });

    it('fails retryably on a 409 when traffic did not move toward the target', async () => {
      service.failNextRollbacks({ status: 409 });
      const error = await bg.rollbackTo(blue, { idempotencyKey: 'rb-9' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).retryable).toBe(true);
      expect((error as ProviderError).userMessage).toMatch(/another switch/);
      expect(service.switches).toBe(0);
    });

    it('a second worker that re-reads sees the held switch already begun and does not call again', async () => {
      service.holdSwitches();
      const other = new BlueGreenProvider(BlueGreenProviderConfig.parse({ type: 'bluegreen', baseUrl: service.url }), { http: http(), clock: systemClock });
      await other.rollbackTo(blue, { idempotencyKey: 'first' });
      // The status already names blue, so this sees it is there without asking again.
      const again = await bg.rollbackTo(blue, { idempotencyKey: 'second' });
      expect(again.alreadyAtTarget).toBe(true);
      expect(service.switches).toBe(1);
      service.releaseSwitches();
    });
  });

  describe('liveState', () => {
    it('is not live while the switch is held, and live once it is released', async () => {
      service.holdSwitches();
      await bg.rollbackTo(blue, { idempotencyKey: 'rb-6' });
      const switching = await bg.liveState(blue);
      expect(switching).toMatchObject({ live: false, detail: 'switching traffic to blue (2.4.0)' });
      service.releaseSwitches();
      const live = await bg.liveState(blue);
      expect(live).toMatchObject({ live: true, detail: 'blue (2.4.0) is serving traffic', current: { version: '2.4.0' } });
    });

    it('says which release serves instead when the target is not live', async () => {
      expect(await bg.liveState(blue)).toMatchObject({ live: false, detail: 'green (2.4.1) is serving traffic, not 2.4.0' });
    });
  });

  describe('credentials', () => {
    it('sends the token as a Bearer header and never shows it in an error', async () => {
      const withToken = provider(service.url, { token: TOKEN }, new FastClock());
      await withToken.currentRelease();
      expect(service.lastAuthorization).toBe(`Bearer ${TOKEN}`);

      service.failNextRollbacks({ status: 500, count: 3 });
      const error = await withToken.rollbackTo(blue, { idempotencyKey: 'rb-7' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutcomeUnknownError);
      expect(service.requests.filter((r) => r.method === 'POST').every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(JSON.stringify({ message: (error as Error).message, details: (error as OutcomeUnknownError).details })).not.toContain(TOKEN);
    });

    it('keeps user info in the base URL out of its messages', async () => {
      const url = new URL(service.url);
      const port = url.port;
      await service.close();
      const unreachable = provider(`http://deployer:pa55word-XYZ@127.0.0.1:${port}`, { token: TOKEN, retries: 0 });
      const error = await unreachable.currentRelease().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toBe(`bluegreen at http://127.0.0.1:${port} could not be reached for GET /deployment/status (connection refused)`);
      expect((error as ProviderError).retryable).toBe(true);
      service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape });
    });
  });
});

describe('bluegreen provider against a service that misbehaves', () => {
  const answering = (status: number, body: string) =>
    HttpFakeServer.listen('misbehaving bluegreen', () => ({ status, body, headers: { 'content-type': 'application/json' } }));

  it.each([
    [503, '{"error":"maintenance"}', 'answered 503 to GET /deployment/status ("maintenance")', true],
    [401, '{"error":"bad token"}', 'answered 401 to GET /deployment/status ("bad token"); check the provider token in the catalog', false],
    [200, '<html>login</html>', 'answered GET /deployment/status with a body that is not JSON.', true],
    [200, '{"currentVersion":"2.4.1","environments":{}}', 'answered GET /deployment/status with something that is not a deployment status: it has no currentEnvironment (the environment serving traffic). If the service names its fields differently, map them under `provider.status` in the catalog.', false],
    [200, '["green"]', 'answered GET /deployment/status with something that is not a deployment status: the answer is not a JSON object.', false],
  ])('turns a %i %s into a ProviderError a person can act on', async (status, body, message, retryable) => {
    const bad = await answering(status, body);
    try {
      const error = await provider(bad.base, { retries: 1 }).currentRelease().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toContain(`bluegreen at ${bad.base} ${message}`);
      expect((error as ProviderError).retryable).toBe(retryable);
    } finally {
      await bad.close();
    }
  });
});
