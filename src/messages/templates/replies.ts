/** Private replies to the person who typed a command: a refusal that changed nothing, or where to follow their rollback. */
import { PLATFORMS } from '../../domain/actor';
import { isRewindError } from '../../domain/errors';
import { historyOutcome } from '../../domain/history';
import type { Message } from '../../domain/message';
import type { RollbackRecord } from '../../domain/rollback-record';
import { code, plural, recordArrow, serviceLabel, stateLabel } from '../formatting';
import { compose, field } from './compose';

export function errorReply(userMessage: string): Message {
  return compose({ kind: 'notice', tone: 'warning', title: 'Nothing changed', text: userMessage, fallback: `Nothing changed: ${userMessage}` });
}

/** `the incident channel (slack C0INCIDENT, discord 222)`: the thread lives in each configured channel. */
function whereToFollow(record: RollbackRecord): string {
  const channels = PLATFORMS.flatMap((platform) => record.channels[platform].map((id) => `${platform} ${code(id)}`));
  return channels.length > 0 ? `the thread in the incident channel (${channels.join(', ')})` : `\`/rollback status ${record.id}\``;
}

function nextLine(record: RollbackRecord): string {
  if (record.state === 'pending_approval') {
    const missing = Math.max(0, record.policy.required - record.approvals.length);
    return `Waiting for ${plural(missing, 'approval')}; approvers use the buttons on the notification.`;
  }
  if (record.state === 'queued' || record.state === 'running' || record.state === 'verifying') return 'Rolling back now.';
  return `Already ${stateLabel(historyOutcome(record)).toLowerCase()}.`;
}

export function requestAccepted(record: RollbackRecord): Message {
  const title = `${record.trigger.kind === 'drill' ? 'Drill' : 'Rollback'} requested: ${serviceLabel(record)} ${recordArrow(record)}`;
  return compose({
    kind: 'notice',
    tone: record.state === 'pending_approval' ? 'warning' : 'progress',
    title,
    text: `${nextLine(record)} Follow it in ${whereToFollow(record)}.`,
    fields: [field('Rollback', code(record.id)), field('State', stateLabel(historyOutcome(record)))],
    footer: [`Check any time: /rollback status ${record.id}`],
    fallback: `${title} — ${record.id}`,
  });
}

/** A short private acknowledgement ("Rollback of … requested — checking policy…"). */
/** A short answer; `details` are the lines under the title when there is more to say. */
export function infoReply(title: string, details: readonly string[] = []): Message {
  return compose({ kind: 'notice', tone: 'info', title, ...(details.length > 0 ? { text: details.join('\n') } : {}), fallback: [title, ...details].join(' ') });
}

/** What a person reads when their command could not be recorded (Redis unreachable): it did not happen, and will not later. */
export const QUEUE_DOWN = 'Rewind could not record this: its Redis is unreachable. Nothing changed, and nothing will run later; try again in a moment.';

/** Why a command could not be taken in: its own refusal, or Redis being unreachable. */
export function intakeFailure(error: unknown): string {
  return isRewindError(error) ? error.userMessage : QUEUE_DOWN;
}
