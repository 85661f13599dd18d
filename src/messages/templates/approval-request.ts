/**
 * The thread post that asks for approval: how many, who may give it, until when, and whether the
 * requester counts. The buttons live on the header so there is one place to click.
 */
import { PLATFORMS, type Platform } from '../../domain/actor';
import { parseApproverRef, refsFor, type ApproverRefs } from '../../domain/approvers';
import type { Message, Section } from '../../domain/message';
import type { RollbackRecord } from '../../domain/rollback-record';
import { capitalize, code, formatDuration, formatTimestamp, plural, serviceLabel, trimList, who } from '../formatting';
import { compose, field } from './compose';

const PLATFORM_NAMES: Readonly<Record<Platform, string>> = { slack: 'Slack', discord: 'Discord', console: 'Console' };

/** `user U0LEAD`, `user group S0SRE`, `role 111`: ids as the platform knows them. */
function describeRef(platform: Platform, raw: string): string {
  const ref = parseApproverRef(platform, raw);
  const kind = ref.kind === 'group' ? 'user group' : ref.kind;
  return `${kind} ${code(ref.id)}`;
}

/** Who may approve, per platform; says so loudly when nobody can. */
export function approversSection(approvers: ApproverRefs): Section {
  const rows = PLATFORMS.flatMap((platform) => {
    const refs = refsFor(approvers, platform);
    return refs.length === 0 ? [] : [`${PLATFORM_NAMES[platform]}: ${trimList(refs.map((raw) => describeRef(platform, raw)), 8).join(', ')}`];
  });
  return { heading: 'Who may approve', text: rows.length > 0 ? rows.join('\n') : 'No approvers are configured: nobody can approve this request. Fix the catalog, or cancel.' };
}

export function approvalRequest(record: RollbackRecord): Message {
  const { required, expiresAt, timeoutMs, selfApproval } = record.policy;
  const missing = Math.max(0, required - record.approvals.length);
  const title = `Approval needed: ${plural(missing, 'more approval')} to roll back ${serviceLabel(record)}`;
  const expiry = expiresAt !== undefined ? `${formatTimestamp(expiresAt)}${timeoutMs !== undefined ? ` (after ${formatDuration(timeoutMs)})` : ''}` : 'never';
  return compose({
    kind: 'approval',
    tone: 'warning',
    title,
    text: `${capitalize(record.severity)} severity requires ${plural(required, 'approval')}. Approve or reject with the buttons on the message above; unanswered, the request expires and nothing is changed.`,
    fields: [
      field('Approvals', `${record.approvals.length} of ${required}`),
      field('Expires', expiry),
      field('Requester may approve', selfApproval ? `Yes (${who(record.requester)} counts as one approval)` : `No: someone other than ${who(record.requester)} must approve`),
    ],
    sections: [approversSection(record.policy.approvers)],
    footer: [`Rollback ${record.id}`],
  });
}
