/**
 * Approver references from the catalog and how an actor is matched against them.
 * Slack: `U…`/`W…` users, `S…` user groups. Discord: user ids, `role:<id>`. Console: user names.
 */
import { z } from 'zod';
import { PLATFORMS, type Actor, type Platform } from './actor';

export const ApproverRefs = z
  .object({
    slack: z.array(z.string().min(1)).optional(),
    discord: z.array(z.string().min(1)).optional(),
    console: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type ApproverRefs = z.infer<typeof ApproverRefs>;

export type ApproverRef =
  | { kind: 'user'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'role'; id: string };

export function parseApproverRef(platform: Platform, raw: string): ApproverRef {
  if (raw.startsWith('role:')) return { kind: 'role', id: raw.slice('role:'.length) };
  if (raw.startsWith('group:')) return { kind: 'group', id: raw.slice('group:'.length) };
  if (platform === 'slack' && /^S[A-Z0-9]+$/.test(raw)) return { kind: 'group', id: raw };
  return { kind: 'user', id: raw };
}

/** Resolves group membership (Slack user groups); implemented by chat adapters, cached there. */
export interface GroupDirectory {
  members(platform: Platform, groupId: string): Promise<readonly string[]>;
}

export const NO_GROUPS: GroupDirectory = { members: async () => [] };

/** Every reference of every list, once each, in order. */
export function mergeRefs(...lists: readonly (ApproverRefs | undefined)[]): ApproverRefs {
  const merged: Record<Platform, string[]> = { slack: [], discord: [], console: [] };
  for (const refs of lists) {
    for (const platform of PLATFORMS) for (const ref of refs?.[platform] ?? []) if (!merged[platform].includes(ref)) merged[platform].push(ref);
  }
  return merged;
}

export function refsFor(refs: ApproverRefs | undefined, platform: string): readonly string[] {
  if (!refs || !(platform === 'slack' || platform === 'discord' || platform === 'console')) return [];
  return refs[platform] ?? [];
}

export function countRefs(refs: ApproverRefs | undefined): number {
  return (refs?.slack?.length ?? 0) + (refs?.discord?.length ?? 0) + (refs?.console?.length ?? 0);
}

/** True when the actor is one of the refs for their platform, directly, by role or by group. */
export async function isListed(actor: Actor, refs: ApproverRefs | undefined, groups: GroupDirectory): Promise<boolean> {
  if (actor.platform !== 'slack' && actor.platform !== 'discord' && actor.platform !== 'console') return false;
  for (const raw of refsFor(refs, actor.platform)) {
    const ref = parseApproverRef(actor.platform, raw);
    if (ref.kind === 'user' && ref.id === actor.id) return true;
    if (ref.kind === 'role' && (actor.roles ?? []).includes(ref.id)) return true;
    if (ref.kind === 'group' && (await groups.members(actor.platform, ref.id)).includes(actor.id)) return true;
  }
  return false;
}

/** Human-readable list for refusal messages, e.g. `<@U0LEAD>`-free plain ids. */
export function describeRefs(refs: ApproverRefs | undefined): string[] {
  const out: string[] = [];
  for (const platform of ['slack', 'discord', 'console'] as const) {
    for (const raw of refs?.[platform] ?? []) out.push(`${platform}:${raw}`);
  }
  return out;
}
