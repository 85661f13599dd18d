/** Releases as providers report them, and the preview of what a rollback changes. */
import { z } from 'zod';

export const Release = z.object({
  /** The provider's handle for the release (deploy id, image, version). */
  id: z.string().min(1),
  /** What people call it: a version, tag or short SHA. */
  version: z.string().min(1),
  deployedAt: z.string().optional(),
  description: z.string().optional(),
  /** Where it runs, for providers with slots (blue/green). */
  slot: z.string().optional(),
  status: z.string().optional(),
});
export type Release = z.infer<typeof Release>;

export const Migration = z.object({ id: z.string(), irreversible: z.boolean() });

/** What a rollback from one release to another undoes, as far as the provider can tell. */
export const ChangePreview = z.object({
  commits: z.array(z.string()).default([]),
  config: z.array(z.string()).default([]),
  migrations: z.array(Migration).default([]),
  notes: z.array(z.string()).default([]),
});
export type ChangePreview = z.infer<typeof ChangePreview>;

export function releaseLabel(release: Release): string {
  return release.slot ? `${release.version} (${release.slot})` : release.version;
}
