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
  /** The source commit, where the platform knows it (full or short SHA). */
  commit: z.string().optional(),
  /** Who deployed it: an email, a user name or id, as the platform reports. */
  author: z.string().optional(),
  /** The platform's page for this release. */
  link: z.string().optional(),
  /**
   * The provider cannot tell which release runs in `slot` (a first deploy, a history without that
   * side). `version` then only names the slot for people; it is never compared as a version.
   */
  versionUnknown: z.literal(true).optional(),
});
export type Release = z.infer<typeof Release>;

/**
 * Something a rollback leaves changed on the platform until a person undoes it with
 * `/rollback unlock`: auto-deploy paused (Render), production pinned (Vercel).
 */
export const PlatformHold = z.object({
  kind: z.string().min(1),
  /** What is held, for the thread: "auto-deploy turned off". */
  description: z.string().min(1),
  /** What unlock will do: "turn auto-deploy back on". */
  undo: z.string().min(1),
  /** What the provider needs to undo it (the previous setting, the deployment to promote). */
  data: z.record(z.string(), z.unknown()).default({}),
});
export type PlatformHold = z.infer<typeof PlatformHold>;

/** What the rollback step learned from the platform, kept in the record for later steps and the summary. */
export const ProviderResult = z.object({
  /** The platform's id for what the rollback started (a new deploy or release), followed until live. */
  handle: z.string().optional(),
  /** The platform's page for it. */
  link: z.string().optional(),
  hold: PlatformHold.optional(),
  /** Facts about what the rollback did not undo or left behind. */
  notes: z.array(z.string()).default([]),
});
export type ProviderResult = z.infer<typeof ProviderResult>;

export const Migration = z.object({ id: z.string(), irreversible: z.boolean() });
export type Migration = z.infer<typeof Migration>;

/** What a rollback from one release to another undoes, as far as the provider can tell. */
export const ChangePreview = z.object({
  commits: z.array(z.string()).default([]),
  config: z.array(z.string()).default([]),
  migrations: z.array(Migration).default([]),
  /** Where `migrations` came from when the catalog names a way to list them (Supabase's history table, a command). */
  migrationCheck: z
    .object({
      source: z.string(),
      /** Supabase migrations have no down: rolling back the code leaves them applied. */
      upOnly: z.boolean(),
      /** The listing failed: the preview says so instead of "no migrations". */
      error: z.string().optional(),
    })
    .optional(),
  notes: z.array(z.string()).default([]),
  /**
   * Why a person must approve this rollback even where policy runs it at once: the provider would
   * rewrite history (a force-push) or change the platform's own settings (Argo CD auto-sync).
   */
  approvalRequired: z.string().optional(),
});
export type ChangePreview = z.infer<typeof ChangePreview>;

export function releaseLabel(release: Release): string {
  if (release.versionUnknown) return release.version;
  return release.slot ? `${release.version} (${release.slot})` : release.version;
}

/**
 * Whether a listed release is the one live now. Only known versions compare: a release of unknown
 * version is the live one only when it is that very entry, never every release once in its slot.
 */
export function isCurrentRelease(release: Release, current: Release): boolean {
  if (release.id === current.id) return true;
  return !release.versionUnknown && !current.versionUnknown && sameVersion(release.version, current.version);
}

/** What a person types after `--to` to name this release: its version, or its slot when the version is unknown. */
export function releaseRef(release: Release): string {
  return release.versionUnknown && release.slot ? release.slot : release.version;
}

/** How people name a commit: its first 7 characters (anything that is not a long hex SHA stays as it is). */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{8,}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

/** `v2.4.0` and `2.4.0` name the same release. */
export function normalizeVersion(version: string): string {
  return version.trim().replace(/^v(?=\d)/i, '');
}

export function sameVersion(a: string, b: string): boolean {
  return normalizeVersion(a) === normalizeVersion(b);
}

/** The release whose version nobody can tell, named by where it runs: `green (release unknown)`. */
export function unknownRelease(slot: string, why: string, status?: string): Release {
  return { id: slot, version: `${slot} (release unknown)`, slot, versionUnknown: true, description: why, ...(status ? { status } : {}) };
}

/**
 * Whether two readings name the same release. A release of unknown version is known only by its
 * slot, so it matches whatever that slot runs.
 */
export function sameRelease(a: Release, b: Release): boolean {
  if (a.versionUnknown || b.versionUnknown) return a.slot !== undefined && a.slot === b.slot;
  return sameVersion(a.version, b.version);
}
