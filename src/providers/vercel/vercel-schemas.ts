/**
 * Vercel's REST API answers as Rewind reads them (PROVIDERS.md §4): production deployments paged by
 * `until`, the project with its production target, pin and last alias request, and the aliases a
 * failed rollback left behind. Lenient about fields Rewind does not use, and about enum values.
 */
import { z } from 'zod';

/** A deployment Vercel has built and can serve; the only state worth rolling back to. */
export const READY = 'READY';
/** Build or alias states that end without the deployment ever serving. */
export const NEVER_SERVED_STATES: ReadonlySet<string> = new Set(['ERROR', 'CANCELED', 'DELETED', 'BLOCKED']);

/** Git facts Vercel keeps per deployment; the provider-prefixed keys depend on where the repo lives. */
export const DeploymentMeta = z.object({
  githubCommitSha: z.string().optional(),
  githubCommitRef: z.string().optional(),
  githubCommitMessage: z.string().optional(),
  gitlabCommitSha: z.string().optional(),
  gitlabCommitRef: z.string().optional(),
  gitlabCommitMessage: z.string().optional(),
  bitbucketCommitSha: z.string().optional(),
  bitbucketCommitRef: z.string().optional(),
  bitbucketCommitMessage: z.string().optional(),
});
export type DeploymentMeta = z.infer<typeof DeploymentMeta>;

export const Creator = z.object({ uid: z.string().min(1), username: z.string().nullish(), email: z.string().nullish() });

export const VercelDeployment = z.object({
  uid: z.string().min(1),
  name: z.string().optional(),
  url: z.string().nullish(),
  /** Milliseconds since the epoch; also what `until` pages by. */
  created: z.number(),
  createdAt: z.number().optional(),
  /** A state outside the documented enum is kept as text, never fatal. */
  state: z.string().optional(),
  readyState: z.string().optional(),
  readySubstate: z.string().nullish(),
  target: z.string().nullish(),
  meta: DeploymentMeta.nullish(),
  isRollbackCandidate: z.boolean().nullish(),
  creator: Creator.nullish(),
  inspectorUrl: z.string().nullish(),
  errorMessage: z.string().nullish(),
});
export type VercelDeployment = z.infer<typeof VercelDeployment>;

export const DeploymentPage = z.object({
  deployments: z.array(VercelDeployment),
  /** `next` is the `until` of the following page; null (or no pagination) on the last one. */
  pagination: z.object({ count: z.number().optional(), next: z.number().nullish(), prev: z.number().nullish() }).nullish(),
});

/** `targets.production`: the deployment serving production, in a shape close to a listed one. */
export const ProductionTarget = z.object({
  id: z.string().min(1),
  url: z.string().nullish(),
  createdAt: z.number().optional(),
  readyState: z.string().optional(),
  readySubstate: z.string().nullish(),
  meta: DeploymentMeta.nullish(),
  creator: Creator.nullish(),
  inspectorUrl: z.string().nullish(),
});
export type ProductionTarget = z.infer<typeof ProductionTarget>;

export const AliasRequest = z.object({
  fromDeploymentId: z.string().nullish(),
  toDeploymentId: z.string().min(1),
  /** `pending | in-progress | succeeded | failed | skipped`, kept as text. */
  jobStatus: z.string().min(1),
  /** Milliseconds since the epoch as the CLI reads it; an ISO string is taken too. */
  requestedAt: z.union([z.number(), z.string()]).nullish(),
  /** `rollback | promote`. */
  type: z.string().min(1),
});
export type AliasRequest = z.infer<typeof AliasRequest>;

export const VercelProject = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  accountId: z.string().optional(),
  /** False while production is pinned by a rollback: new production builds are not promoted. */
  autoAssignCustomDomains: z.boolean().optional(),
  targets: z.object({ production: ProductionTarget.nullish() }).nullish(),
  lastAliasRequest: AliasRequest.nullish(),
});
export type VercelProject = z.infer<typeof VercelProject>;

export const RollbackAliases = z.object({
  aliases: z.array(
    z.object({
      id: z.string().optional(),
      status: z.string().optional(),
      alias: z.object({ alias: z.string().min(1), deploymentId: z.string().optional() }).nullish(),
    }),
  ),
});

export function requestedAtMs(request: AliasRequest): number | undefined {
  const at = request.requestedAt;
  if (typeof at === 'number') return at;
  if (typeof at !== 'string') return undefined;
  const parsed = /^\d+$/.test(at) ? Number(at) : Date.parse(at);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The full commit SHA, whichever git provider the project is linked to. */
export function commitSha(meta: DeploymentMeta | null | undefined): string | undefined {
  return meta?.githubCommitSha ?? meta?.gitlabCommitSha ?? meta?.bitbucketCommitSha;
}

export function commitMessage(meta: DeploymentMeta | null | undefined): string | undefined {
  return meta?.githubCommitMessage ?? meta?.gitlabCommitMessage ?? meta?.bitbucketCommitMessage;
}
