/** The Kubernetes API fake, seeded for the conformance suite and the end-to-end tests, with the kubeconfig that points at it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KubernetesProviderConfig } from '../../../src/config/catalog-schema';
import { KubernetesProvider } from '../../../src/providers/kubernetes/kubernetes-provider';
import { KubernetesApiFake, type FakeReplicaSet } from '../../fakes/kubernetes-api';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const KUBERNETES_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.conformance-service-account-token';
export const KUBERNETES_NAMESPACE = 'web';
export const KUBERNETES_DEPLOYMENT = 'web';
const IMAGE = 'ghcr.io/acme/web';

/** A commit-SHA-like image tag per deploy: `001c0de`. */
export function kubernetesTag(i: number): string {
  return `${i.toString(16).padStart(3, '0')}c0de`;
}

/**
 * Twelve rollouts (one whose pods could not be created), of which the cluster keeps the live
 * ReplicaSet and revisionHistoryLimit (10) old ones; a ReplicaSet of another Deployment with the
 * same labels; and Argo CD's instance label on the Deployment.
 */
export function seedKubernetes(fake: KubernetesApiFake): PlatformFixture['seeded'] {
  fake.setLabel('argocd.argoproj.io/instance', 'web-production');
  for (let i = 1; i <= 10; i++) fake.deploy(`${IMAGE}:${kubernetesTag(i)}`);
  const failed = fake.deploy(`${IMAGE}:${kubernetesTag(11)}`, { failed: true });
  fake.deploy(`${IMAGE}:${kubernetesTag(12)}`);
  fake.foreignReplicaSet(`${IMAGE}:canary`);
  const seeded = (rs: FakeReplicaSet): SeededRelease => {
    const tag = /:([^:]+)$/.exec(rs.spec.template.spec.containers[0]!.image)![1]!;
    return { id: String(fake.revision(rs)), version: tag, commit: tag };
  };
  const all = fake.history().map(seeded);
  const neverLive = seeded(failed);
  return { live: all[0]!, stable: all.find((r) => r.id !== all[0]!.id && r.id !== neverLive.id)!, all, neverLive };
}

/** A kubeconfig for the fake, in a file named after `name` (so a refused credential's message names it). */
export function writeKubeconfig(server: string, token: string, name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rewind-k8s-')), `${name}.kubeconfig`);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `  - name: fake\n    cluster: { server: "${server}" }`,
      'users:',
      `  - name: rewind\n    user: { token: "${token}" }`,
      'contexts:',
      `  - name: fake\n    context: { cluster: fake, user: rewind, namespace: ${KUBERNETES_NAMESPACE} }`,
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return path;
}

async function closeAll(fake: KubernetesApiFake, kubeconfig: string): Promise<void> {
  rmSync(dirname(kubeconfig), { recursive: true, force: true });
  await fake.close();
}

async function seededFake(): Promise<{ fake: KubernetesApiFake; seeded: PlatformFixture['seeded'] }> {
  const fake = await KubernetesApiFake.start({ token: KUBERNETES_TOKEN, namespace: KUBERNETES_NAMESPACE, deployment: KUBERNETES_DEPLOYMENT });
  return { fake, seeded: seedKubernetes(fake) };
}

/** The provider against a seeded fake, and the fake itself for Kubernetes' own tests. */
export async function startKubernetes(options: StartOptions): Promise<PlatformFixture & { fake: KubernetesApiFake; kubeconfig: string }> {
  const { fake, seeded } = await seededFake();
  const kubeconfig = writeKubeconfig(fake.url, options.badToken ? 'wrong-token' : KUBERNETES_TOKEN, options.tokenVariable);
  const clock = new FastClock();
  const config = KubernetesProviderConfig.parse({
    type: 'kubernetes',
    kubernetes: { namespace: KUBERNETES_NAMESPACE, deployment: options.unknownId ? 'no-such-deployment' : KUBERNETES_DEPLOYMENT, kubeconfig, context: 'fake' },
    timeout: `${options.timeoutMs}ms`,
    retries: 2,
    confirmWithin: `${options.confirmWithinMs}ms`,
  });
  const http = fastHttp(clock);
  const provider = new KubernetesProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
  return {
    fake,
    kubeconfig,
    provider,
    clock,
    seeded,
    rollbackCalls: () => fake.patchCalls,
    rollbacksApplied: () => fake.rollbacksApplied,
    liveVersion: () => fake.liveVersion(),
    fault: (fault) => fake.failPatches(fault),
    failNextDeploy: () => fake.failNextDeploy(),
    breakNextRead: () => fake.breakNextRead(),
    lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/api')).at(-1)?.authorization,
    expectedAuthorization: `Bearer ${KUBERNETES_TOKEN}`,
    close: () => closeAll(fake, kubeconfig),
  };
}

export const kubernetesSubject: ProviderSubject = {
  name: 'kubernetes',
  pitfalls: [
    /puts the pod template of revision \d+ .* back on deployment web\/web, as `kubectl rollout undo --to-revision=\d+` does/,
    /Not rolled back: the replica count and any HorizontalPodAutoscaler, ConfigMaps and Secrets referenced by name/,
    /Only 10 old ReplicaSets are kept \(revisionHistoryLimit\)/,
    /paused Deployment is refused/,
    /Argo CD \(application web-production\) manages this Deployment and will put the Git version back/,
  ],
  notes: [/rolled back the pod template only/, /Argo CD .* will put the Git version back/],
  idField: 'kubernetes.deployment',
  start: startKubernetes,

  async startSite(): Promise<CatalogSite> {
    const { fake, seeded } = await seededFake();
    const kubeconfig = writeKubeconfig(fake.url, KUBERNETES_TOKEN, 'rewind');
    return {
      environmentYaml: [
        `        provider: { type: kubernetes, kubernetes: { namespace: ${KUBERNETES_NAMESPACE}, deployment: ${KUBERNETES_DEPLOYMENT}, kubeconfig: "\${REWIND_KUBECONFIG}" }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { REWIND_KUBECONFIG: kubeconfig },
      seeded,
      rollbacksApplied: () => fake.rollbacksApplied,
      liveVersion: () => fake.liveVersion(),
      failNextDeploy: () => fake.failNextDeploy(),
      close: () => closeAll(fake, kubeconfig),
    };
  },
};
