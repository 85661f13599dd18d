/**
 * What a commit means for a rollback's course, written into its chat events when they are built:
 * the milestones it passed (started, succeeded, failed, stopped), which messages address the on-call,
 * and what the stakeholder channels are told. Decided from the record before and after the commit,
 * never later from whatever the record has become by the time the outbox is delivered.
 */
import type { Milestone } from '../domain/outbound-event';
import type { NewOutboundEvent } from '../domain/outbound-event';
import type { RollbackRecord } from '../domain/rollback-record';
import { announcementClosing, announcementOpening, hasStarted } from '../messages/templates/announcement';
import { milestone } from '../messages/templates/milestone';
import { notificationHeader } from '../messages/templates/notification-header';

/** The milestones a commit passed, from the record before it (none for a new rollback) and after. */
export function milestonesOf(before: RollbackRecord | undefined, after: RollbackRecord): Milestone[] {
  const out: Milestone[] = [];
  const was = before?.state;
  if (hasStarted(after) && !(before && hasStarted(before))) out.push(milestone('started', after));
  if (after.state === 'succeeded' && was !== 'succeeded') out.push(milestone('succeeded', after));
  if (after.state === 'failed' && was !== 'failed') out.push(milestone('failed', after));
  if (after.state === 'cancelled' && was !== 'cancelled' && hasStarted(after)) out.push(milestone('stopped', after));
  return out;
}

/**
 * The header of a critical rollback that needed no approval addresses the on-call in every version:
 * its first post is the start (and the only version that notifies; edits never do).
 */
function headerAddressesOnCall(record: RollbackRecord): boolean {
  return record.severity === 'critical' && record.policy.decision === 'run';
}

/** The stakeholder messages that changed with this commit: the first once started (then edited), the second once ended. */
function announcements(before: RollbackRecord | undefined, after: RollbackRecord): NewOutboundEvent[] {
  const out: NewOutboundEvent[] = [];
  for (const [key, render] of [
    ['announce:opening', announcementOpening],
    ['announce:closing', announcementClosing],
  ] as const) {
    const now = render(after);
    if (!now) continue;
    const was = before ? render(before) : undefined;
    if (was && JSON.stringify(was) === JSON.stringify(now)) continue;
    out.push({ kind: 'announce', supersedes: key, message: now });
  }
  return out;
}

export interface CommitEvents {
  /** Whether the header must be re-rendered (it always is when a milestone was passed). */
  header: boolean;
  now: number;
  /** The thread posts of the commit, in order. */
  posts: readonly NewOutboundEvent[];
}

/**
 * A commit's chat events in delivery order: the header first (a new thread always has its parent),
 * then the stakeholder announcements, then the thread posts. On a critical start decided by an
 * approval, the first plain thread post addresses the on-call (the header was posted long before,
 * and an edit notifies nobody); on a failure, the broadcast failure summary does.
 */
export function commitEvents(before: RollbackRecord | undefined, after: RollbackRecord, { header, now, posts }: CommitEvents): NewOutboundEvent[] {
  // A drill is practice: it pages nobody, mentions nobody and tells no stakeholder (its thread says it all).
  if (after.trigger.kind === 'drill') {
    return [...(header ? [{ kind: 'header' as const, supersedes: 'header', message: notificationHeader(after, { now }) }] : []), ...posts];
  }
  const passed = milestonesOf(before, after);
  const events: NewOutboundEvent[] = [];
  if (header || passed.length > 0) {
    events.push({
      kind: 'header',
      supersedes: 'header',
      message: notificationHeader(after, { now }),
      ...(passed.length > 0 ? { milestones: passed } : {}),
      ...(headerAddressesOnCall(after) ? { mention: true } : {}),
    });
  }
  events.push(...announcements(before, after));
  const failed = passed.some((m) => m.kind === 'failed');
  let startToMention = before !== undefined && after.severity === 'critical' && passed.some((m) => m.kind === 'started') && !headerAddressesOnCall(after);
  for (const post of posts) {
    const start = startToMention && post.kind === 'thread' && post.supersedes === undefined;
    if (start) startToMention = false;
    const failure = failed && post.message.kind === 'failure';
    events.push(start || failure ? { ...post, mention: true } : post);
  }
  return events;
}
