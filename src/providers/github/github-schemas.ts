/**
 * GitHub's REST answers as Rewind reads them (PROVIDERS.md §7): deployments and their statuses,
 * workflow runs, and the dispatch answer. Lenient about fields Rewind does not use.
 */
import { z } from 'zod';

/** Deployment status states; one outside this list is kept as text, never fatal. */
export const FAILED_DEPLOYMENT_STATES: ReadonlySet<string> = new Set(['failure', 'error']);

export const GithubDeployment = z.object({
  id: z.number().int(),
  sha: z.string().min(1),
  ref: z.string().optional(),
  task: z.string().optional(),
  environment: z.string().optional(),
  description: z.string().nullish(),
  creator: z.object({ login: z.string() }).nullish(),
  created_at: z.string().min(1),
  updated_at: z.string().optional(),
});
export type GithubDeployment = z.infer<typeof GithubDeployment>;
export const DeploymentList = z.array(GithubDeployment);

export const DeploymentStatus = z.object({
  id: z.number().int(),
  state: z.string().min(1),
  description: z.string().nullish(),
  environment_url: z.string().nullish(),
  log_url: z.string().nullish(),
  target_url: z.string().nullish(),
  created_at: z.string().min(1),
});
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;
export const StatusList = z.array(DeploymentStatus);

export const WorkflowRun = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  display_title: z.string().optional(),
  event: z.string().optional(),
  /** queued, in_progress, completed, waiting, requested, pending. */
  status: z.string().nullish(),
  /** success, failure, cancelled, skipped, timed_out, action_required, neutral, stale, startup_failure, or null. */
  conclusion: z.string().nullish(),
  head_branch: z.string().nullish(),
  head_sha: z.string().optional(),
  html_url: z.string().min(1),
  created_at: z.string().min(1),
});
export type WorkflowRun = z.infer<typeof WorkflowRun>;
export const RunList = z.object({ total_count: z.number().int().optional(), workflow_runs: z.array(WorkflowRun) });

/** The 200 answer of a dispatch with `return_run_details: true` (GitHub changelog, 2026-02-19). */
export const DispatchDetails = z.object({
  workflow_run_id: z.number().int(),
  run_url: z.string().optional(),
  html_url: z.string().optional(),
});
export type DispatchDetails = z.infer<typeof DispatchDetails>;
