/** Heroku against its fake: the provider conformance suite, then what only Heroku does. */
import { ProviderError } from '../../src/domain/errors';
import { providerConformance, type PlatformFixture } from './provider-conformance';
import type { HerokuApiFake } from '../fakes/heroku-api';
import { herokuSha, herokuSubject, startHeroku } from './subjects/heroku';
import { waitFor } from '../support/wait-for';

providerConformance(herokuSubject);

describe('heroku provider (what only Heroku does)', () => {
  let f: PlatformFixture;
  let fake: HerokuApiFake;

  beforeEach(async () => {
    ({ fake, ...f } = await startHeroku({ confirmWithinMs: 400, timeoutMs: 300, tokenVariable: 'HEROKU_API_KEY' }));
  });
  afterEach(() => f.close());

  const byVersion = (version: number) => fake.releases.find((r) => r.version === version)!;
  const release = async (version: number) => (await f.provider.findRelease(`v${version}`))!;
  const settle = async (handle: string | undefined, target: Awaited<ReturnType<typeof release>>) =>
    waitFor(() => f.provider.liveState(target, handle ? { handle } : {}), (s) => s.live || s.failed !== undefined, { what: 'heroku to settle' });

  it('asks for releases newest first with Range and follows Next-Range, asking only for what is still needed', async () => {
    fake.requests.length = 0;
    const all = await f.provider.recentReleases(120);
    expect(all.map((r) => r.version)).toEqual(fake.releases.map((r) => `v${r.version}`).reverse());
    const ranges = fake.requests.filter((r) => r.path.endsWith('/releases')).map((r) => r.range);
    expect(ranges).toEqual(['version ..; max=100, order=desc', 'version ]21..; max=20, order=desc']);
    expect(fake.requests.every((r) => r.accept === 'application/vnd.heroku+json; version=3')).toBe(true);
  });

  it('maps a release: v<version>, the commit from "Deploy <sha>", the author, the activity page', async () => {
    const current = await f.provider.currentRelease();
    expect(current).toMatchObject({
      version: 'v120',
      commit: herokuSha(120),
      author: 'dev@example.com',
      status: 'succeeded',
      description: `Deploy ${herokuSha(120)}`,
      link: 'https://dashboard.heroku.com/apps/rewind-web-prod/activity',
    });
  });

  it('finds a release by `v118`, `118` and a full SHA; a config-change release by version; never a failed one', async () => {
    const id = byVersion(118).id;
    expect(await f.provider.findRelease('118')).toMatchObject({ id });
    expect(await f.provider.findRelease('V118')).toMatchObject({ id });
    expect(await f.provider.findRelease(`${herokuSha(118)}${'0'.repeat(33)}`)).toMatchObject({ id });
    expect(await f.provider.findRelease('v115')).toMatchObject({ id: byVersion(115).id, description: 'Set FEATURE_115 config vars' });
    expect(await f.provider.findRelease('v119')).toBeUndefined();
    expect(await f.provider.findRelease('0badbad')).toBeUndefined();
  });

  it('previews the commits and config changes undone, and warns when add-ons differ', async () => {
    const current = await f.provider.currentRelease();
    const preview = await f.provider.describeChange(current, await release(108));
    expect(preview.commits).toEqual([120, 118, 117, 116, 114, 113, 112, 111, 110, 109].map((v) => `${herokuSha(v)} (v${v}, dev@example.com)`));
    expect(preview.config).toEqual(['v115: Set FEATURE_115 config vars']);
    expect(preview.notes.join('\n')).toMatch(/1 config change undone/);
    const acrossAddons = await f.provider.describeChange(current, await release(1));
    expect(acrossAddons.notes.join('\n')).toMatch(/add-on plans differ \(now: heroku-postgresql:essential-0; at v1: none\), so Heroku may refuse this one/);
  });

  it("rolls back by the target's uuid, never its version", async () => {
    const stable = (await f.provider.lastStable())!;
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_1', startedAt: f.clock.now() });
    expect(receipt).toMatchObject({ alreadyAtTarget: false, link: 'https://dashboard.heroku.com/apps/rewind-web-prod/activity' });
    expect(receipt.detail).toMatch(/Heroku created release v121 \(Rollback to v118\), pending/);
    const created = fake.releases.at(-1)!;
    expect(created).toMatchObject({ id: receipt.handle, description: 'Rollback to v118', slug: byVersion(118).slug });
  });

  it('after a rollback, what runs is the target: the next last stable goes further back, and a later call finds it already there', async () => {
    const stable = (await f.provider.lastStable())!;
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_1', startedAt: f.clock.now() });
    expect(await settle(receipt.handle, stable)).toMatchObject({ live: true, current: { version: 'v121', description: 'Rollback to v118' } });
    expect(fake.liveVersion()).toBe('v118');

    expect(await f.provider.lastStable()).toMatchObject({ version: 'v117' });
    expect(await f.provider.liveState(stable)).toMatchObject({ live: true });

    await f.clock.sleep(5 * 60_000);
    const again = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_2', startedAt: f.clock.now() });
    expect(again).toMatchObject({ alreadyAtTarget: true });
    expect(fake.rollbackCalls).toBe(1);
  });

  it("a release whose release phase fails links to its output and leaves the bad release current", async () => {
    fake.failNextRelease();
    const stable = (await f.provider.lastStable())!;
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_1', startedAt: f.clock.now() });
    const state = await settle(receipt.handle, stable);
    expect(state.failed).toEqual({ reason: 'release v121 failed: the release phase did not succeed', link: expect.stringMatching(/^https:\/\/busl\.heroku\.com\/streams\//) });
    expect(fake.liveVersion()).toBe('v120');
  });

  it("a rollback across add-on changes is refused in Heroku's words, with what to do", async () => {
    const error = await f.provider.rollbackTo(await release(1), { idempotencyKey: 'rb_1', startedAt: f.clock.now() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as ProviderError).userMessage).toMatch(/Heroku answered 422 .*add-ons installed have changed.*Heroku does not roll back across add-on changes/);
    expect(fake.rollbacksApplied).toBe(0);
  });

  it('a token without the write scope is told what access it needs', async () => {
    fake.forbidChanges();
    const error = await f.provider.rollbackTo((await f.provider.lastStable())!, { idempotencyKey: 'rb_1', startedAt: f.clock.now() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as ProviderError).userMessage).toMatch(/\(403 on POST .*the token in HEROKU_API_KEY .* needs an API key or OAuth token with the write scope/);
  });
});
