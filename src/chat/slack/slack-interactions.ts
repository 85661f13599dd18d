/**
 * Turns Slack interactions into Rewind's neutral commands. Pure: validation that can be answered at
 * once (grammar, unknown service) happens here, so a malformed command is refused inside the 3 s
 * window and nothing is enqueued.
 */
import type { Actor } from '../../domain/actor';
import type { ServiceCatalog } from '../../domain/ports';
import type { CommandInput } from '../../engine/commands';
import { COMMAND_VERBS, parseCommandText, type ParsedCommand } from '../command-grammar';
import { closestMatch } from '../../domain/closest-match';
import { UnknownServiceError, ValidationError } from '../../domain/errors';
import { rollbackToRequest } from '../release-button';
import { parseActionId } from './block-kit';
import type { BlockActionBody, SlashCommandBody } from './slack-payloads';
import type { SlackReplyData } from './slack-replier';

export type SlashOutcome =
  | { kind: 'enqueue'; command: CommandInput; dedupeId: string; ack: string }
  | { kind: 'open_form' }
  | { kind: 'help' }
  | { kind: 'unavailable'; message: string };

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

/** A mistyped verb parses as an unknown service; point at the verb instead. */
function suggestVerb(error: unknown, word: string): unknown {
  if (!(error instanceof UnknownServiceError) || error.suggestion) return error;
  const verb = closestMatch(word, COMMAND_VERBS);
  return verb ? new ValidationError(`${error.userMessage} Or did you mean \`/rollback ${verb}\`?`) : error;
}

/** Throws GrammarError or UnknownService/EnvironmentError (with suggestions) for the caller to answer. */
export function slashToOutcome(body: SlashCommandBody, catalog: ServiceCatalog): SlashOutcome {
  const parsed: ParsedCommand = parseCommandText(unescapeSlackText(body.text));
  try {
    return toOutcome(body, parsed, catalog);
  } catch (error) {
    throw parsed.verb === 'rollback' ? suggestVerb(error, parsed.service) : error;
  }
}

function toOutcome(body: SlashCommandBody, parsed: ParsedCommand, catalog: ServiceCatalog): SlashOutcome {
  const actor = slashActor(body);
  const reply = replyTarget({ channelId: body.channel_id, userId: body.user_id, ...(body.response_url ? { responseUrl: body.response_url } : {}) });
  const interactionId = slashInteractionId(body);
  switch (parsed.verb) {
    case 'form':
      return { kind: 'open_form' };
    case 'help':
      return { kind: 'help' };
    case 'rollback': {
      const target = catalog.resolve(parsed.service, parsed.environment);
      return {
        kind: 'enqueue',
        dedupeId: interactionId,
        ack: `${parsed.dryRun ? 'Dry run' : 'Rollback'} of ${target.service} (${target.environment}) requested — checking policy…`,
        command: {
          type: 'request',
          reply,
          request: {
            service: target.service,
            environment: target.environment,
            ...(parsed.to ? { targetRelease: parsed.to } : {}),
            ...(parsed.severity ? { severity: parsed.severity } : {}),
            ...(parsed.reason ? { reason: parsed.reason } : {}),
            dryRun: parsed.dryRun,
            requester: actor,
            origin: { platform: 'slack', channelId: body.channel_id, interactionId },
            trigger: { kind: 'manual', source: 'slack', evidence: [] },
          },
        },
      };
    }
    case 'status':
      return { kind: 'enqueue', dedupeId: interactionId, ack: '', command: { type: 'status', actor, reply, ...(parsed.target ? { target: parsed.target } : {}) } };
    case 'history':
      if (parsed.service) catalog.resolve(parsed.service);
      return { kind: 'enqueue', dedupeId: interactionId, ack: '', command: { type: 'history', actor, reply, limit: parsed.limit, ...(parsed.service ? { service: parsed.service } : {}) } };
    case 'releases': {
      const target = catalog.resolve(parsed.service, parsed.environment);
      return { kind: 'enqueue', dedupeId: interactionId, ack: '', command: { type: 'releases', actor, reply, service: target.service, environment: target.environment } };
    }
    case 'cancel':
      return { kind: 'enqueue', dedupeId: interactionId, ack: `Cancelling ${parsed.rollbackId}…`, command: { type: 'cancel', rollbackId: parsed.rollbackId, actor, reply } };
    case 'unlock':
    case 'pause-auto':
    case 'resume-auto':
      return { kind: 'unavailable', message: `\`/rollback ${parsed.verb}\` controls automatic rollback, which this Rewind does not run yet. Nothing changed.` };
  }
}

export function actionActor(body: BlockActionBody): Actor {
  const name = body.user.username ?? body.user.name;
  return { platform: 'slack', id: body.user.id, ...(name ? { name } : {}) };
}

export type ActionOutcome =
  | { kind: 'enqueue'; command: CommandInput; dedupeId: string }
  | { kind: 'open_root_cause'; rollbackId: string }
  | { kind: 'ignore' };

const TO_COMMAND = {
  approve: 'approve',
  reject: 'reject',
  cancel: 'cancel',
  abort: 'abort',
  retry_verification: 'retry_verification',
  accept_verification: 'accept_verification',
  fail_verification: 'fail_verification',
} as const;

export function actionToOutcome(body: BlockActionBody): ActionOutcome {
  const action = body.actions[0]!;
  const kind = parseActionId(action.action_id);
  const value = action.value ?? '';
  if (!kind || !value) return { kind: 'ignore' };
  const actor = actionActor(body);
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const reply = replyTarget({ userId: body.user.id, ...(channelId ? { channelId } : {}), ...(body.response_url ? { responseUrl: body.response_url } : {}) });
  const dedupeId = `slack-act-${body.container?.message_ts ?? 'x'}-${action.action_ts ?? body.trigger_id}-${body.user.id}`;
  if (kind === 'root_cause') return { kind: 'open_root_cause', rollbackId: value };
  if (kind === 'rollback_to') {
    const command = rollbackToRequest(value, { actor, reply, platform: 'slack', channelId, interactionId: dedupeId });
    return command ? { kind: 'enqueue', dedupeId, command } : { kind: 'ignore' };
  }
  return { kind: 'enqueue', dedupeId, command: { type: TO_COMMAND[kind], rollbackId: value, actor, reply } };
}
