/** Vercel against its fake: the provider conformance suite, then what only Vercel does. */
import { ProviderError, TargetUnavailableError } from '../../src/domain/errors';
import type { Release } from '../../src/domain/release';
import { providerConformance } from './provider-conformance';
import { startVercel, vercelSubject, VERCEL_TEAM, type VercelFixture } from './subjects/vercel';

providerConformance(vercelSubject);

describe('vercel provider (what only Vercel does)', () => {
  const OPTIONS = { confirmWithinMs: 400, timeoutMs: 300, tokenVariable: 'VERCEL_TOKEN' };
  let f: VercelFixture;
  let stable: Release;

  beforeEach(async () => {
    f = await startVercel(OPTIONS);
    stable = (await f.provider.lastStable())!;
  });
  afterEach(() => f.close());

  const rollBack = async (): Promise<Awaited<ReturnType<VercelFixture['provider']['rollbackTo']>>> =>
    f.provider.rollbackTo(stable, { idempotencyKey: 'rb_vercel', startedAt: f.clock.now(), captured: await f.provider.captureState() });

  const settle = async (handle: string) => {
    for (let i = 0; i < 20; i++) {
      const state = await f.provider.liveState(stable, { handle });
      if (state.live || state.failed) return state;
    }
    throw new Error('did not settle');
  };

  it('sends teamId on every call and pages the production list with until=pagination.next', async () => {
    await f.provider.recentReleases(f.seeded.all.length);
    await rollBack();
    const calls = f.fake.requests.filter((r) => /^\/v\d+\//.test(r.path));
    expect(calls.every((r) => new URLSearchParams(r.query).get('teamId') === VERCEL_TEAM)).toBe(true);
    const lists = calls.filter((r) => r.path === '/v6/deployments').map((r) => new URLSearchParams(r.query));
    expect(lists.every((q) => q.get('target') === 'production' && q.get('projectId') === f.fake.project.id)).toBe(true);
    expect(lists.some((q) => q.get('until') !== null)).toBe(true);
    expect(f.fake.requests.some((r) => r.method === 'POST' && r.path.startsWith('/v1/projects/') && r.path.includes('/rollback/'))).toBe(true);
  });

  it('a team project without teamId is refused with a message naming the access the token needs', async () => {
    const bad = await startVercel({ ...OPTIONS, noTeamId: true });
    try {
      const error = await bad.provider.currentRelease().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toMatch(/403 on GET .*VERCEL_TOKEN.*needs a Vercel access token with access to the project/);
    } finally {
      await bad.close();
    }
  });

  it("Vercel's own answer to a wrong token (403 invalidToken) reads as a refused token, naming its variable", async () => {
    const bad = await startVercel({ ...OPTIONS, badToken: true, badTokenStatus: 403 });
    try {
      const error = await bad.provider.currentRelease().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toMatch(/refused the token \(403 on GET .*VERCEL_TOKEN.*expired or revoked/);
    } finally {
      await bad.close();
    }
  });

  it('never offers a preview, a failed build or a deployment that was never promoted as a target', async () => {
    expect(await f.provider.findRelease(f.seed.preview)).toBeUndefined();
    expect(await f.provider.findRelease(f.seed.staged.id)).toBeUndefined();
    expect(await f.provider.findRelease(f.seed.staged.version)).toBeUndefined();
    const url = f.fake.deployments.find((d) => d.uid === f.seeded.all.at(-1)!.id)!.url;
    expect(await f.provider.findRelease(`https://${url}/`)).toMatchObject({ id: f.seeded.all.at(-1)!.id });
    const staged: Release = { id: f.seed.staged.id, version: f.seed.staged.version };
    const error = await f.provider.rollbackTo(staged, { idempotencyKey: 'rb_staged' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect(f.fake.rollbackCalls).toBe(0);
  });

  it('reports releases with commit, author, time, status and the inspector link', async () => {
    const [live] = await f.provider.recentReleases(1);
    expect(live).toMatchObject({ id: f.seeded.live.id, version: f.seeded.live.version, commit: f.seeded.live.commit, author: 'dev', status: 'READY (PROMOTED)' });
    expect(live!.link).toMatch(/^https:\/\/vercel\.com\//);
    expect(live!.deployedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const preview = await f.provider.describeChange(live!, stable);
    expect(preview.commits[0]).toMatch(new RegExp(`^${f.seeded.live.version} the bad release`));
  });

  it('follows the alias job through its states and reports failed aliases in its words', async () => {
    f.fake.failNextDeploy();
    const receipt = await rollBack();
    const first = await f.provider.liveState(stable, { handle: receipt.handle! });
    expect(first).toMatchObject({ live: false, detail: expect.stringMatching(/is (pending|in-progress)$/) });
    const state = await settle(receipt.handle!);
    expect(state.failed?.reason).toMatch(/rollback to .* failed: .*failed aliases: web\.example\.com/);
    expect(state.failed?.link).toMatch(/^https:\/\/vercel\.com\//);
  });

  it('unlock promotes what serves production, whatever the rollback pinned, and never moves traffic', async () => {
    const receipt = await rollBack();
    await settle(receipt.handle!);
    // Someone rolled back further in Vercel meanwhile: production serves another deployment, still pinned.
    const other = f.seeded.all[4]!;
    f.fake.project.productionId = other.id;
    const said = await f.provider.releaseHold(receipt.hold!);
    expect(said).toMatch(new RegExp(`promoted ${other.id} .*back on.*moved on from ${stable.id}`));
    expect(f.fake.pinned()).toBe(false);
    expect(f.fake.production()!.uid).toBe(other.id);
  });

  it('a 409 on promote counts as done when production is no longer pinned', async () => {
    const receipt = await rollBack();
    await settle(receipt.handle!);
    f.fake.failPromotes({ status: 409, unpin: true });
    expect(await f.provider.releaseHold(receipt.hold!)).toMatch(/back on/);
    expect(f.fake.pinned()).toBe(false);
  });

  it('a 409 on promote while production stays pinned says what to do in Vercel', async () => {
    const receipt = await rollBack();
    await settle(receipt.handle!);
    f.fake.failPromotes({ status: 409 });
    const error = await f.provider.releaseHold(receipt.hold!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).userMessage).toMatch(/still pinned.*Promote it/);
    expect(f.fake.pinned()).toBe(true);
  });

  it('unlock with nothing pinned any more changes nothing', async () => {
    const receipt = await rollBack();
    await settle(receipt.handle!);
    f.fake.project.autoAssignCustomDomains = true;
    expect(await f.provider.releaseHold(receipt.hold!)).toMatch(/no longer pinned/);
    expect(f.fake.promoteCalls).toBe(0);
  });

  it('a production already pinned before the rollback is left for whoever pinned it', async () => {
    f.fake.project.autoAssignCustomDomains = false;
    const receipt = await rollBack();
    expect(receipt.hold).toBeUndefined();
    expect((receipt.notes ?? []).join('\n')).toMatch(/already pinned before this rollback/);
  });

  it('a target production already serves is not called again, and a pin found then is held', async () => {
    const captured = await f.provider.captureState();
    f.fake.project.productionId = stable.id;
    const free = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_free', startedAt: f.clock.now(), captured });
    expect(free).toMatchObject({ alreadyAtTarget: true, handle: stable.id, notes: [] });
    expect(free.hold).toBeUndefined();
    f.fake.project.autoAssignCustomDomains = false;
    const pinned = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_pinned', startedAt: f.clock.now(), captured });
    expect(pinned).toMatchObject({ alreadyAtTarget: true, hold: { kind: 'vercel-pinned', data: { deploymentId: stable.id } } });
    expect(f.fake.rollbackCalls).toBe(0);
    expect(await f.provider.liveState(stable, { handle: stable.id })).toMatchObject({ live: true });
  });

  it('the CLI twin of the rollback call (/v9, body {}) is accepted by the fake', async () => {
    const response = await fetch(`${f.fake.url}/v9/projects/${f.fake.project.id}/rollback/${stable.id}?teamId=${VERCEL_TEAM}`, {
      method: 'POST',
      headers: { authorization: f.expectedAuthorization, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(201);
    expect(f.fake.rollbacksApplied).toBe(1);
  });
});
