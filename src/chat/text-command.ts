/**
 * A typed `/rollback …` line to a neutral command, for any text front (Slack, the console).
 * Validation that can be answered at once (grammar, unknown service) throws here, before anything
 * is queued.
 */
import type { Actor } from '../domain/actor';
import { closestMatch } from '../domain/closest-match';
import { UnknownServiceError, ValidationError } from '../domain/errors';
import type { ReplyTarget, ServiceCatalog } from '../domain/ports';
import type { CommandInput } from '../engine/commands';
import { COMMAND_VERBS, parseCommandText, type ParsedCommand } from './command-grammar';

export type TextOutcome =
  | { kind: 'enqueue'; command: CommandInput; dedupeId: string; ack: string }
  | { kind: 'open_form' }
  | { kind: 'help' };

export interface TextCommandContext {
  platform: 'slack' | 'console';
  actor: Actor;
  reply: ReplyTarget;
  channelId?: string | undefined;
  /** The interaction's id: a replayed or double-submitted one is one job and one rollback. */
  interactionId: string;
}

/** A mistyped verb parses as an unknown service; point at the verb instead. */
function suggestVerb(error: unknown, word: string): unknown {
  if (!(error instanceof UnknownServiceError) || error.suggestion) return error;
  const verb = closestMatch(word, COMMAND_VERBS);
  return verb ? new ValidationError(`${error.userMessage} Or did you mean \`/rollback ${verb}\`?`) : error;
}

/** Throws GrammarError or UnknownService/EnvironmentError (with suggestions) for the caller to answer. */
export function textCommandToOutcome(text: string, context: TextCommandContext, catalog: ServiceCatalog): TextOutcome {
  const parsed = parseCommandText(text.replace(/^\s*\/rollback\b/, ''));
  try {
    return toOutcome(parsed, context, catalog);
  } catch (error) {
    throw parsed.verb === 'rollback' ? suggestVerb(error, parsed.service) : error;
  }
}

function toOutcome(parsed: ParsedCommand, context: TextCommandContext, catalog: ServiceCatalog): TextOutcome {
  const { actor, reply, interactionId, platform } = context;
  const enqueue = (command: CommandInput, ack = ''): TextOutcome => ({ kind: 'enqueue', dedupeId: interactionId, ack, command });
  switch (parsed.verb) {
    case 'form':
      return { kind: 'open_form' };
    case 'help':
      return { kind: 'help' };
    case 'rollback':
    case 'drill': {
      const target = catalog.resolve(parsed.service, parsed.environment);
      const where = `${target.service} (${target.environment})`;
      const drill = parsed.verb === 'drill';
      const dryRun = parsed.verb === 'rollback' && parsed.dryRun;
      return enqueue(
        {
          type: 'request',
          reply,
          request: {
            service: target.service,
            environment: target.environment,
            ...(parsed.to ? { targetRelease: parsed.to } : {}),
            ...(parsed.severity ? { severity: parsed.severity } : {}),
            ...(parsed.reason ? { reason: parsed.reason } : {}),
            dryRun,
            requester: actor,
            origin: { platform, ...(context.channelId ? { channelId: context.channelId } : {}), interactionId },
            trigger: { kind: drill ? 'drill' : 'manual', source: platform, evidence: [] },
          },
        },
        drill ? `Drill of ${where} requested — a real rollback, timed against the RTO…` : `${dryRun ? 'Dry run' : 'Rollback'} of ${where} requested — checking policy…`,
      );
    }
    case 'status':
      return enqueue({ type: 'status', actor, reply, ...(parsed.target ? { target: parsed.target } : {}) });
    case 'history': {
      // Checked here too, so a typo is answered at once and nothing is queued.
      if (parsed.service) catalog.resolve(parsed.service, parsed.environment);
      const { verb: _verb, drills, ...history } = parsed;
      return enqueue({ type: 'history', actor, reply, ...history, ...(drills ? { drills: 'only' as const } : {}) });
    }
    case 'report':
      if (parsed.service) catalog.resolve(parsed.service);
      return enqueue({
        type: 'report',
        actor,
        reply,
        ...(parsed.service ? { service: parsed.service } : {}),
        ...(parsed.since ? { since: parsed.since } : {}),
        ...(parsed.drills ? { drills: 'only' as const } : {}),
      });
    case 'postmortem':
      return enqueue({ type: 'postmortem_draft', actor, reply, rollbackId: parsed.rollbackId }, `Drafting the post-mortem of ${parsed.rollbackId}…`);
    case 'releases': {
      const target = catalog.resolve(parsed.service, parsed.environment);
      return enqueue({ type: 'releases', actor, reply, service: target.service, environment: target.environment });
    }
    case 'cancel':
      return enqueue({ type: 'cancel', rollbackId: parsed.rollbackId, actor, reply }, `Cancelling ${parsed.rollbackId}…`);
    case 'unlock':
    case 'pause-auto':
    case 'resume-auto': {
      const target = catalog.resolve(parsed.service, parsed.environment);
      const type = parsed.verb === 'unlock' ? 'unlock' : parsed.verb === 'pause-auto' ? 'pause_auto' : 'resume_auto';
      return enqueue({ type, actor, reply, service: target.service, environment: target.environment });
    }
  }
}
