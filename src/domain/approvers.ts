/**
 * Approver references from the catalog and how an actor is matched against them.
 * Slack: `U…`/`W…` users, `S…` user groups. Discord: user ids, `role:<id>`. Console: user names.
 */
import { z } from 'zod';
import { isPlatform, perPlatform, PLATFORMS, type Actor, type Platform } from './actor';

export const ApproverRefs = z.object(perPlatform(() => z.array(z.string().min(1)).optional())).strict();
export type ApproverRefs = z.infer<typeof ApproverRefs>;

export type ApproverRef =
  | { kind: 'user'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'role'; id: string };

/** A platform's own spelling of a group, beside the explicit `role:` and `group:` prefixes. */
const NATIVE_GROUP: Record<Platform, RegExp | undefined> = {
  // Slack user group ids start with S (users with U or W).
  slack: /^S[A-Z0-9]+$/,
  discord: undefined,
  console: undefined,
};

export function parseApproverRef(platform: Platform, raw: string): ApproverRef {
  if (raw.startsWith('role:')) return { kind: 'role', id: raw.slice('role:'.length) };
  if (raw.startsWith('group:')) return { kind: 'group', id: raw.slice('group:'.length) };
  if (NATIVE_GROUP[platform]?.test(raw)) return { kind: 'group', id: raw };
  return { kind: 'user', id: raw };
}

/** Resolves group membership (Slack user groups); implemented by chat adapters, cached there. */
export interface GroupDirectory {
  members(platform: Platform, groupId: string): Promise<readonly string[]>;
}

export const NO_GROUPS: GroupDirectory = { members: async () => [] };

/** Every reference of every list, once each, in order. */
export function mergeRefs(...lists: readonly (ApproverRefs | undefined)[]): ApproverRefs {
  const merged = perPlatform<string[]>(() => []);
  for (const refs of lists) {
    for (const platform of PLATFORMS) for (const ref of refs?.[platform] ?? []) if (!merged[platform].includes(ref)) merged[platform].push(ref);
  }
  return merged;
}

export function refsFor(refs: ApproverRefs | undefined, platform: string): readonly string[] {
  if (!refs || !isPlatform(platform)) return [];
  return refs[platform] ?? [];
}

export function countRefs(refs: ApproverRefs | undefined): number {
  return PLATFORMS.reduce((sum, platform) => sum + (refs?.[platform]?.length ?? 0), 0);
}

/** True when the actor is one of the refs for their platform, directly, by role or by group. */
export async function isListed(actor: Actor, refs: ApproverRefs | undefined, groups: GroupDirectory): Promise<boolean> {
  const platform = actor.platform;
  if (!isPlatform(platform)) return false;
  for (const raw of refsFor(refs, platform)) {
    const ref = parseApproverRef(platform, raw);
    if (ref.kind === 'user' && ref.id === actor.id) return true;
    if (ref.kind === 'role' && (actor.roles ?? []).includes(ref.id)) return true;
    if (ref.kind === 'group' && (await groups.members(platform, ref.id)).includes(actor.id)) return true;
  }
  return false;
}

/** Human-readable list for refusal messages, e.g. `<@U0LEAD>`-free plain ids. */
export function describeRefs(refs: ApproverRefs | undefined): string[] {
  const out: string[] = [];
  for (const platform of PLATFORMS) {
    for (const raw of refs?.[platform] ?? []) out.push(`${platform}:${raw}`);
  }
  return out;
}
