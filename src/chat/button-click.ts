/** What a click on one of Rewind's buttons means, whatever the platform: a command to queue, a form to open, or nothing. */
import type { Actor } from '../domain/actor';
import type { ButtonAction } from '../domain/message';
import type { ReplyTarget } from '../domain/ports';
import { Command, type CommandInput } from '../engine/commands';

export type ClickOutcome =
  | { kind: 'enqueue'; command: CommandInput }
  | { kind: 'open_root_cause'; rollbackId: string }
  /** "Add note" on a break-glass review card: the front opens its note form. */
  | { kind: 'open_review_note'; rollbackId: string }
  | { kind: 'ignore' };

export interface Click {
  actor: Actor;
  reply: ReplyTarget;
  platform: 'slack' | 'discord' | 'console';
  channelId?: string | undefined;
  /** The click's id: a replayed click is one job. */
  interactionId: string;
}

/** "Roll back to this" on a releases list: the value is `service|environment|version`. */
function rollbackToRequest(value: string, click: Click): CommandInput | undefined {
  const [service, environment, version] = value.split('|');
  if (!service || !environment || !version) return undefined;
  return {
    type: 'request',
    reply: click.reply,
    request: {
      service,
      environment,
      targetRelease: version,
      requester: click.actor,
      origin: { platform: click.platform, ...(click.channelId ? { channelId: click.channelId } : {}), interactionId: click.interactionId },
      trigger: { kind: 'manual', source: click.platform, evidence: [] },
    },
  };
}

/** "Restore database": `rollbackId|step`; approve or reject a restore: `rollbackId|number`. */
function restoreCommand(action: 'restore' | 'approve_restore' | 'reject_restore', value: string, click: Click): CommandInput | undefined {
  const [rollbackId, which] = value.split('|');
  if (!rollbackId || !which) return undefined;
  const on = { rollbackId, actor: click.actor, reply: click.reply };
  if (action === 'restore') return { type: 'restore', ...on, step: which };
  const restore = Number(which);
  return Number.isInteger(restore) && restore > 0 ? { type: action, ...on, restore } : undefined;
}

/** Rewind writes its buttons' values; one that does not make a valid command was not written by it, and is dropped. */
function enqueueIfValid(command: CommandInput | undefined): ClickOutcome {
  return command && Command.safeParse(command).success ? { kind: 'enqueue', command } : { kind: 'ignore' };
}

export function buttonClickToOutcome(action: ButtonAction, value: string, click: Click): ClickOutcome {
  if (!value) return { kind: 'ignore' };
  switch (action) {
    case 'root_cause':
      return { kind: 'open_root_cause', rollbackId: value };
    case 'review_note':
      return { kind: 'open_review_note', rollbackId: value };
    case 'rollback_to':
      return enqueueIfValid(rollbackToRequest(value, click));
    case 'restore':
    case 'approve_restore':
    case 'reject_restore':
      return enqueueIfValid(restoreCommand(action, value, click));
    default:
      return enqueueIfValid({ type: action, rollbackId: value, actor: click.actor, reply: click.reply });
  }
}
