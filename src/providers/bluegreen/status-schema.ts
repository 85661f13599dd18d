/**
 * The blue/green API's answers (seed 004) as zod schemas. Lenient: unknown fields are ignored,
 * versions may be numbers, and a malformed history entry is dropped rather than blocking a rollback.
 */
import { z } from 'zod';

const Text = z.union([z.string().min(1), z.number()]).transform(String);

export const EnvironmentStatus = z.object({
  version: Text,
  deployedAt: z.string().optional(),
  health: z.string().optional(),
});
export type EnvironmentStatus = z.infer<typeof EnvironmentStatus>;

export const HistoryEntry = z.object({
  version: Text,
  environment: z.string().optional(),
  deployedAt: z.string().optional(),
  action: z.string().optional(),
  status: z.string().optional(),
  commit: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** History oldest first, as the service keeps it; entries that do not parse are left out. */
const History = z
  .array(z.unknown())
  .default([])
  .transform((entries) => entries.flatMap((entry) => {
    const parsed = HistoryEntry.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  }));

export const DeploymentStatus = z
  .object({
    currentEnvironment: z.string().min(1),
    currentVersion: Text,
    /** Absent on services that switch instantly; treated as `stable`. */
    state: z.string().default('stable'),
    environments: z.record(z.string(), EnvironmentStatus),
    deploymentHistory: History,
  })
  .superRefine((status, ctx) => {
    if (!status.environments[status.currentEnvironment]) {
      ctx.addIssue({ code: 'custom', path: ['environments'], message: `has no entry for the current environment "${status.currentEnvironment}"` });
    }
    if (Object.keys(status.environments).length !== 2) {
      ctx.addIssue({ code: 'custom', path: ['environments'], message: `expected exactly two environments, got ${Object.keys(status.environments).length}` });
    }
  });
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

export const RollbackAnswer = z.object({
  success: z.boolean().optional(),
  previousEnvironment: z.string().optional(),
  currentEnvironment: z.string().optional(),
  currentVersion: Text.optional(),
  state: z.string().optional(),
  error: z.string().optional(),
});
export type RollbackAnswer = z.infer<typeof RollbackAnswer>;

/** The first few problems of a failed parse, each with its path: `currentVersion: expected string`. */
export function describeIssues(error: z.ZodError, limit = 3): string {
  const parts = error.issues.slice(0, limit).map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  return parts.join('; ') + (error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '');
}
