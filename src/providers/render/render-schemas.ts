/**
 * Render's REST API v1 answers as Rewind reads them (PROVIDERS.md §1): deploys listed as
 * `[{deploy, cursor}]`, one deploy, the service. Lenient about fields Rewind does not use.
 */
import { z } from 'zod';

export const DEPLOY_STATUSES = [
  'created',
  'queued',
  'build_in_progress',
  'update_in_progress',
  'live',
  'deactivated',
  'build_failed',
  'update_failed',
  'canceled',
  'pre_deploy_in_progress',
  'pre_deploy_failed',
] as const;

/** Terminal failures: the deploy never went live and the previous one stays. */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['build_failed', 'update_failed', 'canceled', 'pre_deploy_failed']);
/** A deploy that served traffic at some point: the only kind worth rolling back to. */
export const WAS_LIVE_STATUSES: ReadonlySet<string> = new Set(['live', 'deactivated']);

export const RenderDeploy = z.object({
  id: z.string().min(1),
  /** A status outside the documented enum is kept as text, never fatal. */
  status: z.string().min(1),
  trigger: z.string().optional(),
  commit: z.object({ id: z.string().min(1), message: z.string().optional(), createdAt: z.string().optional() }).nullish(),
  image: z.object({ ref: z.string().optional(), sha: z.string().optional() }).nullish(),
  createdAt: z.string().optional(),
  startedAt: z.string().nullish(),
  finishedAt: z.string().nullish(),
  updatedAt: z.string().optional(),
});
export type RenderDeploy = z.infer<typeof RenderDeploy>;

export const DeployPage = z.array(z.object({ deploy: RenderDeploy, cursor: z.string().optional() }));

export const RenderService = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  /** The documented switch: the string "yes" or "no". */
  autoDeploy: z.enum(['yes', 'no']).optional(),
  /** The newer switch (`commit | checksPass | off`); where present it is the one to change. */
  autoDeployTrigger: z.string().optional(),
  branch: z.string().optional(),
  dashboardUrl: z.string().optional(),
});
export type RenderService = z.infer<typeof RenderService>;
