/** Argo CD against its fake: the provider conformance suite, then what only Argo CD does. */
import type { Actor } from '../../src/domain/actor';
import { ProviderError, TargetUnavailableError } from '../../src/domain/errors';
import type { Release } from '../../src/domain/release';
import { waitFor } from '../support/wait-for';
import { providerConformance } from './provider-conformance';
import { argocdSubject, startArgoCd, type ArgoCdFixture } from './subjects/argocd';

providerConformance(argocdSubject);

describe('argocd provider (what only Argo CD does)', () => {
  const OPTIONS = { confirmWithinMs: 400, timeoutMs: 300, tokenVariable: 'ARGOCD_TOKEN' };
  const APPROVER: Actor = { platform: 'slack', id: 'U0APPROVER', name: 'ana' };
  const AUTOMATED = { prune: true, selfHeal: true };
  let f: ArgoCdFixture;
  let stable: Release;

  beforeEach(async () => {
    f = await startArgoCd(OPTIONS);
    stable = (await f.provider.lastStable())!;
  });
  afterEach(() => f.close());

  const settle = (handle?: string) =>
    waitFor(() => f.provider.liveState(stable, handle ? { handle } : {}), (s) => s.live || s.failed !== undefined, { what: 'argocd to settle' });

  it('with auto-sync on, the preview asks for an approval and says auto-sync stays off until unlock', async () => {
    f.fake.autoSync(AUTOMATED);
    const preview = await f.provider.describeChange(await f.provider.currentRelease(), stable);
    expect(preview.approvalRequired).toMatch(/refuses a rollback while auto-sync is on.*stays off until `\/rollback unlock`/);
    expect(preview.notes.join('\n')).toMatch(/Auto-sync is on for guestbook/);
    f.fake.autoSync(null);
    expect((await f.provider.describeChange(await f.provider.currentRelease(), stable)).approvalRequired).toBeUndefined();
  });

  it('with auto-sync on and no approval, refuses and calls nothing', async () => {
    f.fake.autoSync(AUTOMATED);
    const error = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now(), captured: await f.provider.captureState() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).userMessage).toMatch(/auto-sync was turned on .*request the rollback again/i);
    expect(f.fake.rollbackCalls).toBe(0);
    expect(f.fake.patches).toHaveLength(0);
    expect(f.fake.autoSyncOn()).toBe(true);
  });

  it('with an approval, turns auto-sync off (merge patch as a string), rolls back, and unlock restores the captured settings', async () => {
    f.fake.autoSync(AUTOMATED);
    const captured = await f.provider.captureState();
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now(), captured, approvedBy: [APPROVER] });
    const [patch] = f.fake.patches;
    expect(patch).toMatchObject({ name: 'guestbook', patchType: 'merge', project: 'web' });
    expect(typeof patch!['patch']).toBe('string');
    expect(JSON.parse(patch!['patch'] as string)).toEqual({ spec: { syncPolicy: { automated: null } } });
    expect(receipt.hold).toMatchObject({ kind: 'argocd-autosync', description: 'auto-sync is off for guestbook in Argo CD', undo: 'turn auto-sync back on', data: { automated: AUTOMATED } });
    expect((receipt.notes ?? []).join('\n')).toMatch(/Auto-sync stays off for guestbook until `\/rollback unlock`/);
    expect(await settle(receipt.handle)).toMatchObject({ live: true });
    expect(f.fake.liveVersion()).toBe(stable.version);
    expect(f.fake.autoSyncOn()).toBe(false);
    expect(await f.provider.releaseHold(receipt.hold!)).toMatch(/turned auto-sync back on for guestbook .*prune: true, selfHeal: true/);
    expect(f.fake.app.spec.syncPolicy.automated).toEqual(AUTOMATED);
  });

  it('a worker resuming after auto-sync was turned off holds the captured setting, not "off"', async () => {
    f.fake.autoSync({ ...AUTOMATED, allowEmpty: true });
    const captured = await f.provider.captureState();
    f.fake.autoSync(null);
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now(), captured });
    expect(receipt.hold?.data).toEqual({ automated: { ...AUTOMATED, allowEmpty: true } });
    expect(f.fake.patches).toHaveLength(0);
  });

  it("Argo 3.x's automated.enabled: false counts as off", async () => {
    f.fake.autoSync({ ...AUTOMATED, enabled: false });
    const preview = await f.provider.describeChange(await f.provider.currentRelease(), stable);
    expect(preview.approvalRequired).toBeUndefined();
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now(), captured: await f.provider.captureState() });
    expect(receipt.hold).toBeUndefined();
    expect(f.fake.rollbacksApplied).toBe(1);
  });

  it('warns that an ApplicationSet or a parent app turns auto-sync back on', async () => {
    f.fake.ownedBy('ApplicationSet', 'shop-apps');
    const preview = await f.provider.describeChange(await f.provider.currentRelease(), stable);
    expect(preview.notes.join('\n')).toMatch(/managed by ApplicationSet shop-apps, which turns auto-sync back on and can undo the rollback/);
    f.fake.app.metadata.ownerReferences = [];
    f.fake.app.metadata.labels['argocd.argoproj.io/instance'] = 'root';
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now() });
    expect((receipt.notes ?? []).join('\n')).toMatch(/managed by parent application root/);
  });

  it('follows Running, then health Progressing to Healthy; OutOfSync afterwards is expected', async () => {
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now() });
    expect(receipt.link).toBe('https://argocd.example.com/applications/guestbook');
    const seen: string[] = [];
    const state = await waitFor(
      async () => {
        const s = await f.provider.liveState(stable, { handle: receipt.handle! });
        if (s.progress) seen.push(s.progress);
        return s;
      },
      (s) => s.live,
    );
    expect(seen).toEqual(expect.arrayContaining(['sync Running, health Healthy', 'sync Succeeded, health Progressing']));
    expect(state.detail).toMatch(/Healthy \(OutOfSync against Git, as expected after a rollback\)/);
    expect(f.fake.app.status.sync.status).toBe('OutOfSync');
    expect(state.current).toMatchObject({ version: stable.version, author: 'rewind' });
    expect(Number(state.current!.id)).toBeGreaterThan(Number(f.seeded.live.id));
  });

  it('a sync that succeeds but leaves the app Degraded ends as failed', async () => {
    f.fake.failNextDeploy('degraded');
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now() });
    const state = await settle(receipt.handle);
    expect(state.failed?.reason).toMatch(/is Degraded: Deployment "guestbook" exceeded its progress deadline/);
    expect(state.failed?.link).toMatch(/^https:\/\/argocd\.example\.com\//);
  });

  it('sends project as a query parameter, and in the body of the rollback call', async () => {
    await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_argo', startedAt: f.clock.now() });
    const calls = f.fake.requests.filter((r) => r.path.startsWith('/api/v1/applications/'));
    expect(calls.every((r) => new URLSearchParams(r.query).get('project') === 'web')).toBe(true);
    const post = calls.find((r) => r.method === 'POST')!;
    expect(JSON.parse(post.body)).toEqual({ id: Number(stable.id), dryRun: false, prune: false, project: 'web' });
  });

  it('a deployment Argo CD no longer keeps is refused before any call', async () => {
    const gone: Release = { id: '1', version: '0001c0f', commit: `0001c0ffee${'0'.repeat(30)}` };
    expect(await f.provider.findRelease('1')).toBeUndefined();
    const error = await f.provider.rollbackTo(gone, { idempotencyKey: 'rb_argo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).userMessage).toMatch(/no longer keeps deployment 1 .*last 10 deployments/);
    expect(f.fake.rollbackCalls).toBe(0);
  });

  it('without a project, an unknown app is a 403 that names both possibilities', async () => {
    const bad = await startArgoCd({ ...OPTIONS, unknownId: true, noProject: true });
    try {
      const error = await bad.provider.currentRelease().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).userMessage).toMatch(/403, "permission denied".*no application no-such-app .*provider\.argocd\.app.*ARGOCD_TOKEN.*`applications, sync`/);
    } finally {
      await bad.close();
    }
  });
});
