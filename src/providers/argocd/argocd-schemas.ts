/**
 * Argo CD's Application as its API server answers (PROVIDERS.md §5): history oldest first, the
 * operation being run, sync and health status, the auto-sync policy. Lenient about what Rewind does not use.
 */
import { z } from 'zod';

/** Go's encoding/json writes int64 ids as numbers; protojson would write strings. Either reads. */
const HistoryId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const Revisions = { revision: z.string().optional(), revisions: z.array(z.string()).optional() };

export const AppSource = z.looseObject({ repoURL: z.string().optional(), path: z.string().optional(), chart: z.string().optional(), targetRevision: z.string().optional() });
export type AppSource = z.infer<typeof AppSource>;

export const HistoryEntry = z.object({
  id: HistoryId,
  ...Revisions,
  deployedAt: z.string().optional(),
  deployStartedAt: z.string().nullish(),
  source: AppSource.optional(),
  sources: z.array(AppSource).optional(),
  initiatedBy: z.object({ username: z.string().optional(), automated: z.boolean().optional() }).nullish(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** Kept whole (unknown keys too), so unlock restores exactly what the team had. */
export const AutomatedSync = z.looseObject({ prune: z.boolean().optional(), selfHeal: z.boolean().optional(), enabled: z.boolean().optional() });
export type AutomatedSync = z.infer<typeof AutomatedSync>;

const SyncOperation = z.object({ sync: z.object({ ...Revisions }).nullish(), initiatedBy: z.object({ username: z.string().optional(), automated: z.boolean().optional() }).nullish() });

export const OperationState = z.object({
  phase: z.string().min(1),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().nullish(),
  operation: SyncOperation.nullish(),
  syncResult: z.object({ ...Revisions }).nullish(),
});
export type OperationState = z.infer<typeof OperationState>;

export const Application = z.object({
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).nullish(),
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string() })).nullish(),
  }),
  spec: z.object({
    project: z.string().optional(),
    source: AppSource.nullish(),
    sources: z.array(AppSource).nullish(),
    syncPolicy: z.object({ automated: AutomatedSync.nullish() }).nullish(),
    revisionHistoryLimit: z.number().int().nullish(),
  }),
  /** Requested and not finished yet (the controller clears it when the operation completes). */
  operation: SyncOperation.nullish(),
  status: z
    .object({
      sync: z.object({ status: z.string().optional(), ...Revisions }).nullish(),
      health: z.object({ status: z.string().optional(), message: z.string().optional() }).nullish(),
      history: z.array(HistoryEntry).nullish(),
      operationState: OperationState.nullish(),
    })
    .prefault({}),
});
export type Application = z.infer<typeof Application>;

/** `GET /api/v1/settings`: `url` is the address people open (argocd-cm `url`), for links. */
export const ArgoSettings = z.object({ url: z.string().optional() });
