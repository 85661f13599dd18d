/** Kubernetes against its fake: the provider conformance suite, then what only a Deployment does. */
import { ProviderError, TargetUnavailableError } from '../../src/domain/errors';
import { waitFor } from '../support/wait-for';
import { providerConformance } from './provider-conformance';
import { kubernetesSubject, startKubernetes } from './subjects/kubernetes';

providerConformance(kubernetesSubject);

describe('kubernetes provider (what only a Deployment does)', () => {
  const OPTIONS = { confirmWithinMs: 400, timeoutMs: 1_000, tokenVariable: 'REWIND_KUBECONFIG' };
  let f: Awaited<ReturnType<typeof startKubernetes>>;
  beforeEach(async () => {
    f = await startKubernetes(OPTIONS);
  });
  afterEach(() => f.close());

  const rollBack = async () => f.provider.rollbackTo((await f.provider.lastStable())!, { idempotencyKey: 'rb_k8s', startedAt: f.clock.now() });

  it('lists only the ReplicaSets the Deployment controls, by revision, with the revision-history of a reused one', async () => {
    const recent = await f.provider.recentReleases(50);
    expect(recent.map((r) => r.id)).toEqual(['12', '11', '10', '9', '8', '7', '6', '5', '4', '3', '2']);
    expect(recent.map((r) => r.version)).not.toContain('canary');
    const stable = (await f.provider.lastStable())!;
    await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_k8s' });
    await waitFor(() => f.provider.liveState(stable, { handle: stable.id }), (s) => s.live, { what: 'live' });
    const current = await f.provider.currentRelease();
    expect(current).toMatchObject({ id: '13', version: stable.version });
    expect(await f.provider.findRelease(`r${stable.id}`)).toMatchObject({ id: '13' });
  });

  it('patches like `kubectl rollout undo`: the template without pod-template-hash, annotations from the ReplicaSet, guarded by the resourceVersion', async () => {
    const stable = (await f.provider.lastStable())!;
    const resourceVersion = f.fake.deployment.metadata.resourceVersion;
    await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_k8s' });
    const patch = f.fake.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.contentType).toMatch(/^application\/json-patch\+json/);
    const ops = JSON.parse(patch.body) as { op: string; path: string; value: Record<string, unknown> }[];
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual(['test /metadata/resourceVersion', 'replace /spec/template', 'replace /metadata/annotations']);
    expect(ops[0]!.value).toBe(resourceVersion);
    expect(ops[1]!.value).toEqual({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: `ghcr.io/acme/web:${stable.version}` }] } });
    expect(ops[2]!.value).toEqual({ 'deployment.kubernetes.io/revision': '12', 'kubernetes.io/change-cause': `kubectl set image deployment/web web=ghcr.io/acme/web:${stable.version}` });
  });

  it('re-reads and patches again when the Deployment changed in between (409), never patching a template it did not just read', async () => {
    f.fake.touchBeforeNextPatch();
    const receipt = await rollBack();
    expect(receipt.alreadyAtTarget).toBe(false);
    expect(f.fake.patchCalls).toBe(2);
    expect(f.fake.rollbacksApplied).toBe(1);
  });

  it('refuses a paused Deployment and says how to resume it', async () => {
    f.fake.pause();
    const error = await rollBack().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).userMessage).toContain('kubectl rollout resume deployment/web -n web');
    expect(f.fake.patchCalls).toBe(0);
    const preview = await f.provider.describeChange(await f.provider.currentRelease(), (await f.provider.lastStable())!);
    expect(preview.notes.join('\n')).toMatch(/web is paused/);
  });

  it('a revision the cluster no longer keeps is unavailable, not a patch of something else', async () => {
    const error = await f.provider.rollbackTo({ id: '1', version: '001c0de' }, { idempotencyKey: 'rb_k8s' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).userMessage).toMatch(/revisionHistoryLimit/);
    expect(f.fake.patchCalls).toBe(0);
  });

  it('previews image and env changes, and reports per-pod progress while rolling out', async () => {
    const stable = (await f.provider.lastStable())!;
    const preview = await f.provider.describeChange(await f.provider.currentRelease(), stable);
    expect(preview.config).toEqual([`web: image ghcr.io/acme/web:00cc0de → ghcr.io/acme/web:${stable.version}`]);
    expect(preview.commits[0]).toMatch(/^00cc0de \(revision 12\)/);
    expect(preview.commits.some((c) => /never served/.test(c))).toBe(true);
    const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_k8s' });
    const states = [];
    for (let i = 0; i < 10; i++) {
      const state = await f.provider.liveState(stable, { handle: receipt.handle! });
      states.push(state);
      if (state.live) break;
    }
    expect(states.at(-1)).toMatchObject({ live: true });
    expect(states.map((s) => s.detail).join('\n')).toMatch(/old pods? still terminating/);
    expect(states.map((s) => s.progress).filter(Boolean)).toContain(`2/3 pods on ghcr.io/acme/web:${stable.version}`);
  });

  it('reads again after a 5xx from the API server, and names the credentials on a 401 (the kubeconfig path)', async () => {
    f.fake.failReads(2);
    await expect(f.provider.currentRelease()).resolves.toMatchObject({ id: '12' });
    const bad = await startKubernetes({ ...OPTIONS, badToken: true });
    try {
      const error = (await bad.provider.currentRelease().catch((e: unknown) => e)) as ProviderError;
      expect(error.userMessage).toContain(bad.kubeconfig);
      expect(error.userMessage).toContain('services.web.environments.production.provider.kubernetes.kubeconfig');
    } finally {
      await bad.close();
    }
  });
});
