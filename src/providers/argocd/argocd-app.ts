/**
 * What an Argo CD Application says, read without calling anything: its history newest first, the
 * revision each entry or operation is about, whether auto-sync is on, who owns the app.
 */
import type { Application, AutomatedSync, HistoryEntry, OperationState } from './argocd-schemas';

/** A single-source revision, or a multi-source app's revisions joined: what two readings compare by. */
export function revisionKey(holder: { revision?: string | undefined; revisions?: string[] | undefined } | null | undefined): string | undefined {
  if (holder?.revision) return holder.revision;
  return holder?.revisions?.length ? holder.revisions.join(',') : undefined;
}

export function shortRevision(revision: string): string {
  return revision
    .split(',')
    .map((r) => (/^[0-9a-f]{8,}$/i.test(r) ? r.slice(0, 7) : r))
    .join('+');
}

export function isSha(revision: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(revision);
}

/** Newest first; Argo CD keeps them oldest first. */
export function historyNewestFirst(app: Application): HistoryEntry[] {
  return [...(app.status.history ?? [])].reverse();
}

/** The last deployment Argo CD completed: what runs now (a rollback appends one with a new id). */
export function latestEntry(app: Application): HistoryEntry | undefined {
  return app.status.history?.at(-1);
}

/** Argo CD refuses a rollback while `automated` is set, unless Argo 3.x's `enabled: false` says it is off. */
export function autoSyncOn(automated: AutomatedSync | null | undefined): automated is AutomatedSync {
  return automated !== null && automated !== undefined && automated.enabled !== false;
}

export function operationRevision(state: OperationState): string | undefined {
  return revisionKey(state.syncResult) ?? revisionKey(state.operation?.sync);
}

export function isRunning(state: OperationState | null | undefined): boolean {
  return state?.phase === 'Running' || state?.phase === 'Terminating';
}

/** The ApplicationSet or parent application that manages this app (and re-enables its auto-sync), if any. */
export function managedBy(app: Application): string | undefined {
  const owner = app.metadata.ownerReferences?.find((o) => o.kind === 'ApplicationSet' || o.kind === 'Application');
  if (owner) return owner.kind === 'ApplicationSet' ? `ApplicationSet ${owner.name}` : `parent application ${owner.name}`;
  const parent = app.metadata.labels?.['argocd.argoproj.io/instance'];
  return parent && parent !== app.metadata.name ? `parent application ${parent} (app of apps)` : undefined;
}

/** Where Git points the app: `HEAD of https://github.com/acme/deploy`. */
export function gitTarget(app: Application): string {
  const source = app.spec.source ?? app.spec.sources?.[0];
  if (!source) return 'Git';
  return `${source.targetRevision ?? 'HEAD'} of ${source.repoURL ?? 'its repository'}${source.path ? ` (${source.path})` : ''}`;
}

export function describeOperation(app: Application): string {
  const state = app.status.operationState;
  const pending = revisionKey(app.operation?.sync);
  const parts = [pending ? `a sync to ${shortRevision(pending)} is requested` : undefined];
  if (state) {
    const revision = operationRevision(state);
    parts.push(`last operation: ${state.phase}${revision ? ` sync to ${shortRevision(revision)}` : ''}${state.startedAt ? ` started ${state.startedAt}` : ''}`);
  }
  const latest = latestEntry(app);
  const latestRevision = revisionKey(latest);
  parts.push(latest && latestRevision ? `deployment ${latest.id} (${shortRevision(latestRevision)}) runs` : 'no deployment history');
  return parts.filter(Boolean).join('; ');
}
