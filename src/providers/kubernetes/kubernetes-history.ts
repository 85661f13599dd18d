/**
 * A Deployment's history as kubectl reads it: the ReplicaSets it controls, one per pod template,
 * numbered by the `deployment.kubernetes.io/revision` annotation (a reused ReplicaSet gets a new
 * number and keeps its old ones in `revision-history`).
 */
import type { Release } from '../../domain/release';
import { sameVersion } from '../../domain/release';
import { CHANGE_CAUSE, REVISION, REVISION_HISTORY, TEMPLATE_HASH, type Deployment, type PodTemplate, type ReplicaSet } from './kubernetes-schemas';

export function revisionOf(object: { metadata: { annotations?: Record<string, string> | undefined } }): number | undefined {
  const value = Number(object.metadata.annotations?.[REVISION]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Every revision number this ReplicaSet has had, its current one first. */
export function revisionsOf(rs: ReplicaSet): string[] {
  const current = revisionOf(rs);
  const earlier = (rs.metadata.annotations?.[REVISION_HISTORY] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  return [...(current ? [String(current)] : []), ...earlier];
}

/** kubectl's `listReplicaSets`: only those the Deployment controls (its uid in their controller ownerReference). */
export function ownedBy(rs: ReplicaSet, deployment: Deployment): boolean {
  return (rs.metadata.ownerReferences ?? []).some(
    (ref) => ref.controller === true && ref.kind === 'Deployment' && (deployment.metadata.uid ? ref.uid === deployment.metadata.uid : ref.name === deployment.metadata.name),
  );
}

/** `spec.selector.matchLabels` as a label selector: `app=web,tier=api`. */
export function labelSelector(deployment: Deployment): string {
  return Object.entries(deployment.spec.selector.matchLabels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** Canonical JSON of a value: object keys sorted, so equal templates compare equal as text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The template without the `pod-template-hash` label the controller adds to each ReplicaSet's copy. */
export function withoutHash(template: PodTemplate): PodTemplate {
  const labels = { ...template.metadata?.labels };
  delete labels[TEMPLATE_HASH];
  const metadata = { ...template.metadata, labels };
  if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
  return { ...template, metadata };
}

/** kubectl's `EqualIgnoreHash`. */
export function sameTemplate(a: PodTemplate, b: PodTemplate): boolean {
  return canonical(withoutHash(a)) === canonical(withoutHash(b));
}

export function images(template: PodTemplate): string[] {
  return template.spec.containers.map((c) => c.image ?? '(no image)');
}

/** `ghcr.io/acme/web:9f1c2e0` → `9f1c2e0`; a digest → its first 12 hex digits; no tag → undefined. */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const digest = /@sha256:([0-9a-f]{12})/.exec(image)?.[1];
  const tag = /:([^:/@]+)(?:@|$)/.exec(image)?.[1];
  return tag ?? (digest ? `sha256:${digest}` : undefined);
}

/** Never served traffic: its pods could not even be created (the ReplicaSet's `ReplicaFailure` condition). */
export function neverServed(rs: ReplicaSet): boolean {
  return (rs.status?.conditions ?? []).some((c) => c.type === 'ReplicaFailure' && c.status === 'True');
}

/** Newest first; those without a revision (not yet seen by the controller) last. */
export function byRevision(items: readonly ReplicaSet[]): ReplicaSet[] {
  return [...items].sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0));
}

/** The ReplicaSet of the Deployment's current template (kubectl's `FindNewReplicaSet`), else of its revision. */
export function liveReplicaSet(deployment: Deployment, history: readonly ReplicaSet[]): ReplicaSet | undefined {
  const revision = revisionOf(deployment);
  return history.find((rs) => sameTemplate(rs.spec.template, deployment.spec.template)) ?? history.find((rs) => revision !== undefined && revisionOf(rs) === revision);
}

/** The ReplicaSet a release or handle names: by revision, now or before it was reused. */
export function replicaSetFor(id: string, history: readonly ReplicaSet[]): ReplicaSet | undefined {
  return history.find((rs) => revisionOf(rs) === Number(id)) ?? history.find((rs) => revisionsOf(rs).includes(id));
}

/**
 * What people call a release: the main container's image tag. When another kept ReplicaSet runs the
 * same tag (a change of env or resources only), its pod-template-hash tells them apart.
 */
export function versionOf(rs: ReplicaSet, history: readonly ReplicaSet[]): string {
  const tag = imageTag(rs.spec.template.spec.containers[0]?.image);
  if (!tag) return `r${revisionOf(rs) ?? '?'}`;
  const shared = history.some((other) => other !== rs && imageTag(other.spec.template.spec.containers[0]?.image) === tag);
  const hash = rs.metadata.labels?.[TEMPLATE_HASH];
  return shared && hash ? `${tag}+${hash}` : tag;
}

/** A tag that is a commit SHA (7 to 40 hex digits) names the commit too. */
function commitOf(version: string): string | undefined {
  const tag = version.split('+')[0] ?? version;
  return /^[0-9a-f]{7,40}$/i.test(tag) ? tag : undefined;
}

export function toRelease(rs: ReplicaSet, history: readonly ReplicaSet[], options: { live: boolean; server: string }): Release {
  const version = versionOf(rs, history);
  const commit = commitOf(version);
  const cause = rs.metadata.annotations?.[CHANGE_CAUSE];
  const description = [`replicaset ${rs.metadata.name}: ${images(rs.spec.template).join(', ')}`, cause ? `(${cause})` : undefined].filter(Boolean).join(' ');
  const status = options.live ? 'live' : neverServed(rs) ? 'failed' : 'superseded';
  return {
    id: String(revisionOf(rs) ?? rs.metadata.name),
    version,
    ...(commit ? { commit } : {}),
    ...(rs.metadata.creationTimestamp ? { deployedAt: rs.metadata.creationTimestamp } : {}),
    description,
    status,
    link: `${options.server}/apis/apps/v1/namespaces/${rs.metadata.namespace ?? ''}/replicasets/${rs.metadata.name}`,
  };
}

/** A ReplicaSet by revision (`7`, `r7`, `revision 7`), version, image tag, name or commit prefix. */
export function matchesRef(rs: ReplicaSet, ref: string, history: readonly ReplicaSet[]): boolean {
  const wanted = ref.trim().toLowerCase();
  const revision = /^(?:r|rev|revision\s*)?(\d+)$/.exec(wanted)?.[1];
  if (revision !== undefined && revisionsOf(rs).includes(revision)) return true;
  const version = versionOf(rs, history);
  if (sameVersion(version.toLowerCase(), wanted) || rs.metadata.name.toLowerCase() === wanted) return true;
  if (imageTag(rs.spec.template.spec.containers[0]?.image)?.toLowerCase() === wanted) return true;
  const commit = commitOf(version)?.toLowerCase();
  return commit !== undefined && wanted.length >= 4 && /^[0-9a-f]+$/.test(wanted) && commit.startsWith(wanted);
}
