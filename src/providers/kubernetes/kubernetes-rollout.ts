/**
 * `kubectl rollout undo` and `kubectl rollout status` as pure functions of what was read: the JSON
 * patch that puts a ReplicaSet's template back, and whether the Deployment finished rolling out.
 */
import { REVISION, REVISION_HISTORY, type Deployment, type ReplicaSet } from './kubernetes-schemas';
import { withoutHash } from './kubernetes-history';

/** Annotations that stay the Deployment's own on undo; the rest come from the ReplicaSet (kubectl `annotationsToSkip`). */
const KEPT_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

export const FAILED_DEPLOYMENT_DOCS = 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment';

/** kubectl `getDeploymentPatch`, guarded by a test of the resourceVersion read, so a Deployment changed meanwhile answers 409. */
export function undoPatch(deployment: Deployment, target: ReplicaSet): object[] {
  const annotations: Record<string, string> = {};
  const own = deployment.metadata.annotations ?? {};
  for (const key of KEPT_ANNOTATIONS) if (own[key] !== undefined) annotations[key] = own[key];
  for (const [key, value] of Object.entries(target.metadata.annotations ?? {})) if (!KEPT_ANNOTATIONS.includes(key)) annotations[key] = value;
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: deployment.metadata.resourceVersion },
    { op: 'replace', path: '/spec/template', value: withoutHash(target.spec.template) },
    // `replace` needs the member to exist; a Deployment the controller never annotated has none.
    { op: deployment.metadata.annotations ? 'replace' : 'add', path: '/metadata/annotations', value: annotations },
  ];
}

export type Rollout = { state: 'waiting'; detail: string } | { state: 'failed'; reason: string } | { state: 'done'; detail: string };

/** kubectl's `DeploymentStatusViewer`. */
export function rolloutStatus(deployment: Deployment): Rollout {
  const name = deployment.metadata.name;
  const status = deployment.status ?? {};
  const generation = deployment.metadata.generation ?? 0;
  if (generation > (status.observedGeneration ?? 0)) return { state: 'waiting', detail: `waiting for the Deployment controller to see the change of ${name}` };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', reason: `deployment "${name}" exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}` };
  }
  const wanted = deployment.spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < wanted) return { state: 'waiting', detail: `${updated} of ${wanted} pods updated` };
  if (total > updated) return { state: 'waiting', detail: `${total - updated} old pod${total - updated === 1 ? '' : 's'} still terminating` };
  if (available < updated) return { state: 'waiting', detail: `${available} of ${updated} new pods available` };
  return { state: 'done', detail: `${updated} of ${wanted} pods updated and available` };
}

/** Who would put the Git version back: Argo CD, Flux or Helm-through-Argo, from the Deployment's labels and annotations. */
export function gitOpsController(deployment: Deployment): string | undefined {
  const marks = { ...deployment.metadata.annotations, ...deployment.metadata.labels };
  if (marks['argocd.argoproj.io/instance'] || marks['argocd.argoproj.io/tracking-id']) return `Argo CD (application ${marks['argocd.argoproj.io/instance'] ?? marks['argocd.argoproj.io/tracking-id']})`;
  const flux = marks['kustomize.toolkit.fluxcd.io/name'] ?? marks['helm.toolkit.fluxcd.io/name'];
  if (flux) return `Flux (${flux})`;
  const managedBy = marks['app.kubernetes.io/managed-by']?.toLowerCase();
  if (marks['app.kubernetes.io/instance'] && (managedBy === 'argocd' || managedBy === 'helm')) {
    return `${managedBy === 'helm' ? 'Helm (perhaps through Argo CD or Flux)' : 'Argo CD'} (instance ${marks['app.kubernetes.io/instance']})`;
  }
  return undefined;
}
