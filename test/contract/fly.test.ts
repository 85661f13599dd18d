/** Fly.io against its fake: the provider conformance suite, then what only Fly does. */
import { OutcomeUnknownError, ProviderError } from '../../src/domain/errors';
import type { Release } from '../../src/domain/release';
import { flyAuthorization } from '../../src/providers/fly/fly-provider';
import { waitFor } from '../support/wait-for';
import { providerConformance } from './provider-conformance';
import { flyImage, flySubject, startFly, type FlyStartOptions } from './subjects/fly';

providerConformance(flySubject);

const OPTIONS: FlyStartOptions = { confirmWithinMs: 400, timeoutMs: 300, tokenVariable: 'FLY_API_TOKEN' };

it('sends macaroons as FlyV1, other tokens as Bearer, and a token written "FlyV1 …" as it is', () => {
  expect(flyAuthorization('fm2_abc')).toBe('FlyV1 fm2_abc');
  expect(flyAuthorization('fm1r_abc,fm2_def')).toBe('FlyV1 fm1r_abc,fm2_def');
  expect(flyAuthorization('FlyV1 fm2_abc')).toBe('FlyV1 fm2_abc');
  expect(flyAuthorization('personal-token-0123')).toBe('Bearer personal-token-0123');
});

describe('fly provider (what only Fly does)', () => {
  type Fly = Awaited<ReturnType<typeof startFly>>;
  let f: Fly;
  let stable: Release;
  afterEach(() => f?.close());

  const start = async (options: Partial<FlyStartOptions> = {}) => {
    f = await startFly({ ...OPTIONS, ...options });
    stable = (await f.provider.lastStable())!;
    return f;
  };
  const rollBack = (lines: string[] = []) =>
    f.provider.rollbackTo(stable, { idempotencyKey: 'rb_fly', startedAt: f.clock.now(), progress: async (line) => void lines.push(line) });
  const settle = (handle: string | undefined) =>
    waitFor(() => f.provider.liveState(stable, handle ? { handle } : {}), (s) => s.live || s.failed !== undefined, { what: 'fly to settle' });

  it('works with a personal token sent as Bearer', async () => {
    await start({ token: 'personal-token-0123456789' });
    expect(await f.provider.currentRelease()).toMatchObject({ id: f.seeded.live.id });
    expect(f.fake.requests.at(-1)?.authorization).toBe('Bearer personal-token-0123456789');
  });

  it('skips a release that kept the image (a secrets change) when looking for the last stable one', async () => {
    await start();
    expect(stable.version).toBe('v28');
    const receipt = await rollBack();
    await settle(receipt.handle);
    // Live is now v28 (image of v27); the next stable one back has another image: v26, not v27.
    expect(await f.provider.currentRelease()).toMatchObject({ version: 'v28' });
    expect(await f.provider.lastStable()).toMatchObject({ version: 'v26' });
  });

  it('sends each machine its whole config with only the image and release metadata changed, and leaves other machines alone', async () => {
    await start();
    const before = new Map(f.fake.machines.map((m) => [m.id, structuredClone(m.config)]));
    const lines: string[] = [];
    const receipt = await rollBack(lines);
    expect(receipt.handle).toBe(flyImage(27));
    expect(receipt.link).toBe('https://fly.io/apps/checkout-api/machines');
    expect(receipt.notes!.join('\n')).toMatch(/Not part of the rollback, so left on their image: \w+ \(ord\)/);
    const adHoc = f.fake.machines.find((m) => m.config.image === 'redis:7.2')!;
    expect(f.fake.updates.map((u) => u.machineId).sort()).toEqual(f.fake.machines.filter((m) => m !== adHoc).map((m) => m.id).sort());
    for (const update of f.fake.updates) {
      const { image, metadata, ...rest } = update.config;
      const { image: _old, metadata: oldMetadata, ...oldRest } = before.get(update.machineId)!;
      expect(image).toBe(flyImage(27));
      expect(rest).toEqual(oldRest);
      expect(metadata).toEqual({ ...oldMetadata, fly_release_id: f.seeded.stable.id, fly_release_version: '28' });
      expect(update.skipLaunch).toBe(false);
    }
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^machine \w+ \(ord\) now runs checkout-api:deployment-01J5Z027\w+ \(started, checks passing\)$/);
    expect(lines.slice(1).every((l) => /^machine \w+ \((ord|ams)\) now runs checkout-api:deployment-/.test(l))).toBe(true);
    expect(f.fake.machines.every((m) => f.fake.leaseOf(m.id) === undefined)).toBe(true);
  });

  it('reports progress machine by machine until every machine is up, then live', async () => {
    await start();
    const receipt = await rollBack();
    const seen: string[] = [];
    const state = await waitFor(
      async () => {
        const s = await f.provider.liveState(stable, { handle: receipt.handle! });
        if (s.progress) seen.push(s.progress);
        return s;
      },
      (s) => s.live,
    );
    expect(state.detail).toMatch(/^all 3 machines of checkout-api run checkout-api:deployment-01J5Z027\w+ with checks passing$/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => /^\d\/3 machines on checkout-api:deployment-01J5Z027/.test(p))).toBe(true);
    expect(f.liveVersion()).toBe('v28');
  });

  it('rolls back only the configured process groups', async () => {
    await start({ processGroups: ['app'] });
    const receipt = await rollBack();
    expect(await settle(receipt.handle)).toMatchObject({ live: true });
    const worker = f.fake.machines.find((m) => m.config.metadata['fly_process_group'] === 'worker')!;
    expect(worker.config.image).toBe(flyImage(30));
    expect(f.fake.updates).toHaveLength(2);
  });

  it("stops after the first machine when it fails on the target, leaving the others on what they ran", async () => {
    await start();
    f.fake.failNextDeploy('failed');
    const receipt = await rollBack();
    expect(receipt.detail).toMatch(/is failed on checkout-api:deployment-01J5Z027\w+ \(last event: exit failed, exit code 1\); Rewind left the other 2 machines/);
    expect(f.fake.updates).toHaveLength(1);
    const state = await settle(receipt.handle);
    expect(state.failed).toEqual({ reason: expect.stringMatching(/is failed on/), link: 'https://fly.io/apps/checkout-api/monitoring' });
  });

  it('takes a check that turns critical after the start as a failure, quoting its output', async () => {
    await start();
    f.fake.failNextDeploy('critical');
    const receipt = await rollBack();
    const state = await settle(receipt.handle);
    expect(state.failed?.reason).toMatch(/check health of machine \w+ \(ord\) is critical on checkout-api:deployment-01J5Z027\w+: Get .*connection refused/);
  });

  it('refuses clearly, without updating anything, while someone else holds a machine lease', async () => {
    await start();
    const busy = f.fake.machines[0]!;
    f.fake.holdLease(busy.id, { owner: 'dev@example.com', description: 'fly deploy' });
    const error = await rollBack().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as ProviderError).userMessage).toMatch(/machine \w+ \(ord\) of app checkout-api is leased by dev@example.com \("fly deploy"\) until .*`fly deploy`.*request the rollback again/);
    expect(f.fake.updates).toHaveLength(0);
  });

  it('waits out a lease its own unanswered lease call took, then rolls back once', async () => {
    await start();
    f.fake.failLeases({ noAnswer: 'hang', effect: true });
    const receipt = await rollBack();
    expect(await settle(receipt.handle)).toMatchObject({ live: true });
    expect(f.clock.sleeps.some((ms) => ms > 30_000)).toBe(true);
    expect(f.rollbackCalls()).toBe(1);
    expect(f.rollbacksApplied()).toBe(1);
  });

  it('a lease call with no answer and no effect is simply taken again', async () => {
    await start();
    f.fake.failLeases({ noAnswer: 'reset', effect: false });
    const receipt = await rollBack();
    expect(await settle(receipt.handle)).toMatchObject({ live: true });
    expect(f.rollbacksApplied()).toBe(1);
  });

  it('an unanswered update of a later machine fails as outcome unknown; the retry finishes the rest', async () => {
    await start();
    const [first, second] = f.fake.machines;
    f.fake.failUpdates({ noAnswer: 'hang', effect: false }, second!.id);
    const error = await rollBack().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).userMessage).toMatch(new RegExp(`showed no sign of machine ${second!.id} \\(ams\\) on checkout-api:deployment-01J5Z027`));
    expect(f.fake.machines.map((m) => m.config.image === flyImage(27))).toEqual([true, false, false, false]);
    expect(f.fake.leaseOf(second!.id)).toBeUndefined();
    const receipt = await rollBack();
    expect(receipt.detail).toMatch(/Rewind moved 2 machines .*an earlier attempt of this rollback had already moved 1 machine/);
    expect(await settle(receipt.handle)).toMatchObject({ live: true });
    expect(f.fake.updateCalls.get(first!.id)).toBe(1);
    expect(f.rollbacksApplied()).toBe(1);
  });

  it('rides out a 429 without Retry-After and with a body that is not JSON', async () => {
    await start();
    f.fake.failUpdates({ status: 429, textBody: true });
    const receipt = await rollBack();
    expect(await settle(receipt.handle)).toMatchObject({ live: true });
    expect(f.rollbackCalls()).toBe(2);
    expect(f.rollbacksApplied()).toBe(1);
  });

  it('finds a release by image ref, tag and a tag prefix that names one image; not by a prefix every tag shares', async () => {
    await start();
    const v12 = f.fake.releases.find((r) => r.version === 12)!;
    expect(await f.provider.findRelease(flyImage(12))).toMatchObject({ id: v12.id });
    expect(await f.provider.findRelease('deployment-01J5Z012K8QX4V2M7N9P3R6T')).toMatchObject({ id: v12.id });
    expect(await f.provider.findRelease('12')).toMatchObject({ id: v12.id });
    expect(await f.provider.findRelease('deployment-01J5Z012')).toMatchObject({ id: v12.id });
    expect(await f.provider.findRelease('deployment-01J5Z')).toBeUndefined();
  });

  it('previews the releases undone and the config changes kept', async () => {
    await start();
    const v26 = (await f.provider.findRelease('v26'))!;
    const preview = await f.provider.describeChange(await f.provider.currentRelease(), v26);
    expect(preview.commits).toEqual([expect.stringMatching(/^v30 checkout-api:deployment-01J5Z030\w+ — Deploy image by dev@example.com$/), expect.stringMatching(/^v27 /)]);
    expect(preview.notes.join('\n')).toMatch(/Config changes since v26 stay: v28 \(Update secrets\)/);
  });

  it('reads past a field error GraphQL sends beside usable data', async () => {
    await start();
    f.fake.fieldErrorOnNextRead();
    expect((await f.provider.recentReleases(3)).map((r) => r.version)).toEqual(['v30', 'v29', 'v28']);
  });

  describe.each(['with-codes', 'message-only', 'http-status'] as const)('GraphQL errors (%s)', (graphqlErrors) => {
    it('an unknown app names where the catalog sets it', async () => {
      f = await startFly({ ...OPTIONS, graphqlErrors, unknownId: true });
      const error = await f.provider.recentReleases(5).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toMatch(/^Fly.io knows no app no-such-app \(services\.web\.environments\.production\.provider\.fly\.app\)/);
      expect((error as ProviderError).retryable).toBe(false);
    });

    it('a refused token names the variable that holds it', async () => {
      f = await startFly({ ...OPTIONS, graphqlErrors, badToken: true });
      const error = await f.provider.recentReleases(5).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toContain('FLY_API_TOKEN');
      expect((error as ProviderError).retryable).toBe(false);
    });
  });
});
