/**
 * Turns Slack interactions into Rewind's neutral commands. Pure: validation that can be answered at
 * once (grammar, unknown service) happens here, so a malformed command is refused inside the 3 s
 * window and nothing is enqueued.
 */
import type { Actor } from '../../domain/actor';
import type { ServiceCatalog } from '../../domain/ports';
import type { CommandInput } from '../../engine/commands';
import { textCommandToOutcome, type TextOutcome } from '../text-command';
import { buttonClickToOutcome, type ClickOutcome } from '../button-click';
import { parseActionId } from './block-kit';
import type { BlockActionBody, SlashCommandBody } from './slack-payloads';
import type { SlackReplyData } from './slack-replier';


export function slashActor(body: SlashCommandBody): Actor {
  return { platform: 'slack', id: body.user_id, ...(body.user_name ? { name: body.user_name } : {}) };
}

export function replyTarget(data: SlackReplyData) {
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  return { platform: 'slack', data: clean };
}

/** Interaction ids make a replayed or double-submitted interaction one job and one rollback. */
export function slashInteractionId(body: SlashCommandBody): string {
  return `slack-cmd-${body.trigger_id}`;
}

/** Slack escapes these three in command text; the grammar wants what the person typed. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Throws GrammarError or UnknownService/EnvironmentError (with suggestions) for the caller to answer. */
export function slashToOutcome(body: SlashCommandBody, catalog: ServiceCatalog): TextOutcome {
  return textCommandToOutcome(
    unescapeSlackText(body.text),
    {
      platform: 'slack',
      actor: slashActor(body),
      reply: replyTarget({ channelId: body.channel_id, userId: body.user_id, ...(body.response_url ? { responseUrl: body.response_url } : {}) }),
      channelId: body.channel_id,
      interactionId: slashInteractionId(body),
    },
    catalog,
  );
}

export function actionActor(body: BlockActionBody): Actor {
  const name = body.user.username ?? body.user.name;
  return { platform: 'slack', id: body.user.id, ...(name ? { name } : {}) };
}

export type ActionOutcome = Exclude<ClickOutcome, { kind: 'enqueue' }> | { kind: 'enqueue'; command: CommandInput; dedupeId: string };

export function actionToOutcome(body: BlockActionBody): ActionOutcome {
  const action = body.actions[0]!;
  const kind = parseActionId(action.action_id);
  if (!kind) return { kind: 'ignore' };
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const dedupeId = `slack-act-${body.container?.message_ts ?? 'x'}-${action.action_ts ?? body.trigger_id}-${body.user.id}`;
  const outcome = buttonClickToOutcome(kind, action.value ?? '', {
    actor: actionActor(body),
    reply: replyTarget({ userId: body.user.id, ...(channelId ? { channelId } : {}), ...(body.response_url ? { responseUrl: body.response_url } : {}) }),
    platform: 'slack',
    channelId,
    interactionId: dedupeId,
  });
  return outcome.kind === 'enqueue' ? { ...outcome, dedupeId } : outcome;
}
