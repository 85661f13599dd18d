/**
 * A Kubernetes Deployment as a DeployProvider (PROVIDERS.md §6): releases are the ReplicaSets it
 * keeps, a rollback is what `kubectl rollout undo` does (a JSON patch putting an old pod template
 * back), and live is what `kubectl rollout status` says.
 */
import type { KubernetesProviderConfig } from '../../config/catalog-schema';
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import type { ChangePreview, Release } from '../../domain/release';
import { lookForEffect } from '../look-for-effect';
import { UnansweredCall } from '../../outbound/platform-api';
import { catalogPath, type ProviderDeps, type ProviderSite } from '../provider-site';
import { KubeApi, type Refusal } from './kube-api';
import {
  byRevision,
  images,
  labelSelector,
  liveReplicaSet,
  matchesRef,
  neverServed,
  ownedBy,
  replicaSetFor,
  revisionOf,
  sameTemplate,
  toRelease,
  versionOf,
} from './kubernetes-history';
import { FAILED_DEPLOYMENT_DOCS, gitOpsController, rolloutStatus, undoPatch } from './kubernetes-rollout';
import { Deployment, PodList, ReplicaSetList, TEMPLATE_HASH, type ReplicaSet } from './kubernetes-schemas';
import { templateChanges } from './template-changes';

/** kubectl's chunk size for lists. */
const PAGE = 500;
/** Patches refused because the Deployment changed (409) or the server was busy (429) before giving up for this step. */
const MAX_ATTEMPTS = 5;
const DEFAULT_HISTORY_LIMIT = 10;
const CODE_ONLY_NOTE =
  'Kubernetes rolled back the pod template only: the replica count and any HorizontalPodAutoscaler, ConfigMaps and Secrets referenced by name, and PersistentVolumeClaims are as they are now.';

/**
 * The resourceVersion test failed: the Deployment changed since it was read. The brief for this
 * provider expects 409 Conflict; the API server's JSON-patch handler may answer a failed `test` op
 * with 422 instead, so both read as "changed meanwhile".
 */
function changedMeanwhile(refused: Refusal): boolean {
  return refused.status === 409 || (refused.status === 422 && /test|resourceVersion/i.test(refused.said ?? ''));
}

interface Snapshot {
  deployment: Deployment;
  /** The ReplicaSets the Deployment controls, newest revision first. */
  history: ReplicaSet[];
  live: ReplicaSet | undefined;
}

export class KubernetesProvider implements DeployProvider {
  readonly type = 'kubernetes';
  private readonly api: KubeApi;
  private readonly namespace: string;
  private readonly name: string;

  constructor(
    private readonly config: KubernetesProviderConfig,
    private readonly deps: ProviderDeps,
    site: ProviderSite,
  ) {
    const { namespace, deployment, kubeconfig, context } = config.kubernetes;
    this.namespace = namespace;
    this.name = deployment;
    const kubeconfigPath = catalogPath(site, 'kubernetes.kubeconfig');
    const credentials = kubeconfig
      ? `the credentials of ${context ? `context ${context} in ` : ''}the kubeconfig ${kubeconfig} (${kubeconfigPath})`
      : `the pod's service account token (in-cluster; ${kubeconfigPath} is not set)`;
    this.api = new KubeApi({
      namespace,
      deployment,
      kubeconfig,
      context,
      timeoutMs: config.timeout,
      retries: config.retries,
      clock: deps.clock,
      credentials,
      access: `get, list, watch and patch deployments and list replicasets and pods in namespace ${namespace} (manifests/kubernetes/rewind-rollback-rbac.yaml)`,
      subject: `deployment ${namespace}/${deployment} (${catalogPath(site, 'kubernetes.deployment')})`,
      kubeconfigPath,
    });
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const snap = await this.snapshot(signal);
    return this.release(this.liveOf(snap), snap);
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    const snap = await this.snapshot(signal);
    return snap.history.slice(0, limit).map((rs) => this.release(rs, snap));
  }

  /** The newest ReplicaSet older than the live one, with another pod template, whose pods could be created. */
  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const snap = await this.snapshot(signal);
    const live = this.liveOf(snap);
    const liveRevision = revisionOf(live) ?? Number.POSITIVE_INFINITY;
    const stable = snap.history.find((rs) => (revisionOf(rs) ?? 0) < liveRevision && !neverServed(rs) && !sameTemplate(rs.spec.template, live.spec.template));
    return stable ? this.release(stable, snap) : undefined;
  }

  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const snap = await this.snapshot(signal);
    const match = snap.history.find((rs) => !neverServed(rs) && matchesRef(rs, ref, snap.history));
    return match ? this.release(match, snap) : undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const snap = await this.snapshot(signal);
    const fromRs = replicaSetFor(from.id, snap.history) ?? snap.live;
    const toRs = replicaSetFor(to.id, snap.history);
    const toRevision = toRs ? (revisionOf(toRs) ?? 0) : 0;
    const fromRevision = fromRs ? (revisionOf(fromRs) ?? 0) : Number.POSITIVE_INFINITY;
    const undone = snap.history.filter((rs) => {
      const revision = revisionOf(rs) ?? 0;
      return revision > toRevision && revision <= fromRevision;
    });
    const commits = undone.map((rs) => this.undoneLine(rs, snap.history));
    const config = fromRs && toRs ? templateChanges(fromRs.spec.template, toRs.spec.template) : [];
    return { commits, config, migrations: [], notes: this.pitfalls(snap, to) };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { deployment, history } = await this.snapshot(signal);
    return {
      deployment: {
        namespace: this.namespace,
        name: this.name,
        revision: revisionOf(deployment),
        generation: deployment.metadata.generation,
        resourceVersion: deployment.metadata.resourceVersion,
        replicas: deployment.spec.replicas,
        paused: deployment.spec.paused ?? false,
        annotations: deployment.metadata.annotations ?? {},
        template: deployment.spec.template,
      },
      replicaSets: history.map((rs) => ({ name: rs.metadata.name, revision: revisionOf(rs), images: images(rs.spec.template) })),
    };
  }

  /**
   * Re-reads before every patch (a retry after a crash finds the template already put back and
   * adopts it), and patches only a template it just read: a 409 from the resourceVersion test means
   * the Deployment changed in between, so it reads again.
   */
  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { signal } = context;
    for (let attempt = 1; ; attempt++) {
      const snap = await this.snapshot(signal);
      const rs = this.targetOf(target, snap);
      if (sameTemplate(snap.deployment.spec.template, rs.spec.template)) return this.onTarget(target, rs, snap);
      if (snap.deployment.spec.paused) throw this.pausedError();
      const outcome = await this.patch(target, rs, snap, signal);
      if (outcome !== 'again') return outcome;
      if (attempt >= MAX_ATTEMPTS) {
        throw new ProviderError(`Deployment ${this.namespace}/${this.name} kept changing (or the API server kept asking to wait) over ${MAX_ATTEMPTS} tries; Rewind will read it again and retry.`, true);
      }
    }
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const { handle, signal } = context;
    const snap = await this.snapshot(signal);
    const current = snap.live ? this.release(snap.live, snap) : undefined;
    const withCurrent = current ? { current } : {};
    const rs = replicaSetFor(handle ?? target.id, snap.history);
    if (!rs || !sameTemplate(snap.deployment.spec.template, rs.spec.template)) {
      const now = `deployment ${this.name} runs ${images(snap.deployment.spec.template).join(', ')}`;
      if (!handle) return { live: false, detail: now, ...withCurrent };
      const reason = rs ? `the Deployment was changed again before the rollback to ${target.version} finished: ${now}` : `the ReplicaSet of revision ${handle} is gone, and ${now}`;
      return { live: false, detail: reason, ...withCurrent, failed: { reason, link: FAILED_DEPLOYMENT_DOCS } };
    }
    const rollout = rolloutStatus(snap.deployment);
    if (rollout.state === 'failed') return { live: false, detail: rollout.reason, ...withCurrent, failed: { reason: rollout.reason, link: FAILED_DEPLOYMENT_DOCS } };
    const release = this.release(rs, snap);
    if (rollout.state === 'done') return { live: true, detail: `${release.version} is rolled out: ${rollout.detail}`, current: release };
    const progress = await this.podProgress(snap.deployment, rs, signal);
    return { live: false, detail: `rolling out ${release.version}: ${rollout.detail}`, ...withCurrent, ...(progress ? { progress } : {}) };
  }

  // ---- internals ----

  private async snapshot(signal?: AbortSignal): Promise<Snapshot> {
    const deployment = await this.api.readDeployment(Deployment, signal);
    const history = byRevision((await this.replicaSets(deployment, signal)).filter((rs) => ownedBy(rs, deployment)));
    return { deployment, history, live: liveReplicaSet(deployment, history) };
  }

  /** Every ReplicaSet the Deployment's selector matches, following `continue` to the last page. */
  private async replicaSets(deployment: Deployment, signal?: AbortSignal): Promise<ReplicaSet[]> {
    const selector = labelSelector(deployment);
    const out: ReplicaSet[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.listReplicaSets(ReplicaSetList, selector, { limit: PAGE, continue: token }, signal);
      out.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  private liveOf(snap: Snapshot): ReplicaSet {
    if (snap.live) return snap.live;
    throw new ProviderError(
      `Deployment ${this.namespace}/${this.name} has no ReplicaSet for its current pod template yet (revision ${revisionOf(snap.deployment) ?? 'none'}); is the Deployment controller running?`,
      true,
    );
  }

  private release(rs: ReplicaSet, snap: Snapshot): Release {
    return toRelease(rs, snap.history, { live: rs === snap.live, server: this.api.server() });
  }

  private targetOf(target: Release, snap: Snapshot): ReplicaSet {
    const rs = replicaSetFor(target.id, snap.history);
    if (rs) return rs;
    const limit = snap.deployment.spec.revisionHistoryLimit ?? DEFAULT_HISTORY_LIMIT;
    throw new TargetUnavailableError(
      `Deployment ${this.namespace}/${this.name} no longer keeps revision ${target.id} (${target.version}): it keeps only ${limit} old ReplicaSets (revisionHistoryLimit). Pick a newer release, or redeploy that image.`,
      { revision: target.id },
    );
  }

  /**
   * The template is the target's already. Either a rollback since the target was read (this one,
   * before a crash, or someone's) moved it to a new revision or is still rolling out — adopt it — or
   * the Deployment was on the target all along.
   */
  private onTarget(target: Release, rs: ReplicaSet, snap: Snapshot): RollbackReceipt {
    const rolledBack = revisionOf(rs) !== Number(target.id) || rolloutStatus(snap.deployment).state !== 'done';
    if (!rolledBack) {
      return { alreadyAtTarget: true, detail: `deployment ${this.name} already runs revision ${target.id} (${target.version})`, handle: target.id, link: this.deploymentLink(), notes: this.receiptNotes(snap) };
    }
    return this.receipt(target, rs, snap, `A rollback to ${target.version} started earlier is under way:`);
  }

  private async patch(target: Release, rs: ReplicaSet, snap: Snapshot, signal?: AbortSignal): Promise<RollbackReceipt | 'again'> {
    const ops = undoPatch(snap.deployment, rs);
    let outcome;
    try {
      outcome = await this.api.patchDeployment(Deployment, ops, signal);
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      const found = await lookForEffect(() => this.lookFor(rs, signal), {
        clock: this.deps.clock,
        withinMs: this.config.confirmWithin,
        signal,
        platform: 'Kubernetes',
        call: `PATCH ${this.api.deploymentPath} (${error.reason})`,
        effect: `pod template of revision ${target.id} (${target.version}) on the Deployment`,
      });
      return this.receipt(target, rs, found, 'The patch got no answer, yet the Deployment now has the template of');
    }
    if ('patched' in outcome) return this.receipt(target, rs, { ...snap, deployment: outcome.patched }, 'Kubernetes put back the pod template of');
    const { refused } = outcome;
    if (changedMeanwhile(refused)) return 'again';
    if (refused.status === 429) {
      await this.deps.clock.sleep(refused.retryAfterMs ?? 1_000, signal);
      return 'again';
    }
    if (refused.status >= 500) {
      // A 5xx may come after the API server stored the patch: look once before the step tries again.
      const look = await this.lookFor(rs, signal).catch(() => undefined);
      if (look && 'found' in look) return this.receipt(target, rs, look.found, `Kubernetes answered ${refused.status}, yet the Deployment has the template of`);
    }
    throw refused.error;
  }

  private async lookFor(rs: ReplicaSet, signal?: AbortSignal): Promise<{ found: Snapshot } | { seen: string }> {
    const snap = await this.snapshot(signal);
    if (sameTemplate(snap.deployment.spec.template, rs.spec.template)) return { found: snap };
    return { seen: `deployment ${this.name} at revision ${revisionOf(snap.deployment) ?? '?'} running ${images(snap.deployment.spec.template).join(', ')}` };
  }

  private receipt(target: Release, rs: ReplicaSet, snap: Snapshot, prefix: string): RollbackReceipt {
    return {
      alreadyAtTarget: false,
      detail: `${prefix} revision ${target.id} (${target.version}, replicaset ${rs.metadata.name}) on deployment ${this.namespace}/${this.name}`,
      handle: target.id,
      link: this.deploymentLink(),
      notes: this.receiptNotes(snap),
    };
  }

  private receiptNotes(snap: Snapshot): string[] {
    const controller = gitOpsController(snap.deployment);
    return [CODE_ONLY_NOTE, ...(controller ? [`Warning: ${controller} manages this Deployment and will put the Git version back unless the rollback is made in Git or the controller is suspended.`] : [])];
  }

  private pitfalls(snap: Snapshot, to: Release): string[] {
    const { deployment, history } = snap;
    const limit = deployment.spec.revisionHistoryLimit ?? DEFAULT_HISTORY_LIMIT;
    const oldest = history.at(-1);
    const controller = gitOpsController(deployment);
    const next = (revisionOf(history[0] ?? deployment) ?? 0) + 1;
    return [
      `Kubernetes puts the pod template of revision ${to.id} (${to.version}) back on deployment ${this.namespace}/${this.name}, as \`kubectl rollout undo --to-revision=${to.id}\` does; the controller then replaces the pods and numbers it revision ${next}.`,
      'Not rolled back: the replica count and any HorizontalPodAutoscaler, ConfigMaps and Secrets referenced by name (new pods read their current contents), PersistentVolumeClaims and every other object.',
      `Only ${limit} old ReplicaSets are kept (revisionHistoryLimit${deployment.spec.revisionHistoryLimit === undefined ? ', the default' : ''})${oldest ? `: nothing older than revision ${revisionOf(oldest) ?? '?'} can be rolled back to` : ''}.`,
      deployment.spec.paused
        ? `Deployment ${this.name} is paused, and a paused Deployment is refused: resume it first with \`kubectl rollout resume deployment/${this.name} -n ${this.namespace}\`.`
        : `A paused Deployment is refused (kubectl refuses it too); ${this.name} is not paused now.`,
      controller
        ? `Warning: ${controller} manages this Deployment and will put the Git version back (self-heal, reconcile): roll back in Git, or suspend the controller first.`
        : 'No Argo CD or Flux labels on the Deployment; if a GitOps controller manages it anyway, it will undo this rollback.',
    ];
  }

  private undoneLine(rs: ReplicaSet, history: readonly ReplicaSet[]): string {
    const cause = rs.metadata.annotations?.['kubernetes.io/change-cause'];
    return `${versionOf(rs, history)} (revision ${revisionOf(rs) ?? '?'}${neverServed(rs) ? ', never served' : ''})${cause ? ` ${cause}` : ''}`;
  }

  /** "2/3 pods on ghcr.io/acme/web:9f1c2e0": the target ReplicaSet's pods that are ready; nothing when pods cannot be read. */
  private async podProgress(deployment: Deployment, rs: ReplicaSet, signal?: AbortSignal): Promise<string | undefined> {
    const hash = rs.metadata.labels?.[TEMPLATE_HASH];
    if (!hash) return undefined;
    const selector = [labelSelector(deployment), `${TEMPLATE_HASH}=${hash}`].filter(Boolean).join(',');
    const pods = await this.api.listPods(PodList, selector, signal).catch(() => undefined);
    if (!pods) return undefined;
    const ready = pods.items.filter((pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    return `${ready}/${deployment.spec.replicas ?? 1} pods on ${images(rs.spec.template).join(', ')}`;
  }

  private pausedError(): ProviderError {
    return new ProviderError(
      `Deployment ${this.namespace}/${this.name} is paused: resume it first with \`kubectl rollout resume deployment/${this.name} -n ${this.namespace}\` (kubectl refuses to roll back a paused Deployment too).`,
      false,
    );
  }

  private deploymentLink(): string {
    return `${this.api.server()}${this.api.deploymentPath}`;
  }
}
