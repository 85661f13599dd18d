/**
 * Answers one Discord interaction within its 3 s: validates it, puts the work on the `commands`
 * queue and returns the interaction response (an ephemeral message, a deferral, a modal, or
 * autocomplete choices). Shared by HTTP interactions and gateway mode.
 */
import { InteractionResponseType, InteractionType, MessageFlags, type APIInteractionResponse } from 'discord-api-types/v10';
import type { Actor } from '../../domain/actor';
import { isRewindError, ValidationError } from '../../domain/errors';
import type { Message } from '../../domain/message';
import { isCurrentRelease, releaseRef } from '../../domain/release';
import { Severity } from '../../domain/severity';
import { FileFormat } from '../../domain/chat-file';
import { HistoryOutcome } from '../../domain/history';
import { TriggerKind } from '../../domain/request';
import { parseTimeBound, TIME_BOUND_HINT, type TimeBound } from '../../domain/time-window';
import { normalizeRollbackId } from '../command-grammar';
import type { CommandInput } from '../../engine/commands';
import { errorReply, intakeFailure } from '../../messages/templates/replies';
import { helpMessage } from '../../messages/templates/help';
import type { ChatIngressDeps } from '../chat-front';
import { buttonClickToOutcome } from '../button-click';
import { isReviewNoteSubmission, parseReviewNoteSubmission, parseRootCauseSubmission, reviewNoteModal, rootCauseModal } from './discord-modals';
import type { Interaction } from './discord-payloads';
import { parseCustomId, renderDiscordMessage } from './embed-renderer';


type Option = { name: string; type: number; value?: unknown; focused?: boolean; options?: Option[] };
const AUTOCOMPLETE_LIMIT = 25;

function privately(message: Message): APIInteractionResponse {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: { ...renderDiscordMessage(message), flags: MessageFlags.Ephemeral } };
}

function privateText(content: string): APIInteractionResponse {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: { content, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } } };
}

export function interactionActor(interaction: Interaction): Actor {
  const user = interaction.member?.user ?? interaction.user;
  if (!user) throw new ValidationError('Discord sent an interaction without a user.');
  const name = user.global_name ?? user.username;
  return { platform: 'discord', id: user.id, ...(name ? { name } : {}), roles: interaction.member?.roles ?? [] };
}

function subcommand(interaction: Interaction): { name: string; values: Record<string, unknown>; focused?: Option } {
  const sub = (interaction.data?.options?.[0] ?? { name: 'help', type: 1 }) as Option;
  const values: Record<string, unknown> = {};
  let focused: Option | undefined;
  for (const option of sub.options ?? []) {
    values[option.name] = option.value;
    if (option.focused) focused = option;
  }
  return { name: sub.name, values, ...(focused ? { focused } : {}) };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A choice option read with its schema; Discord offers the choices, but a hand-made request may not. */
function choice<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string, valid: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`Unknown ${what} \`${String(value)}\`. Valid: ${valid.join(', ')}.`);
  return parsed.data;
}

function since(value: unknown): TimeBound | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const bound = parseTimeBound(text);
  if (!bound) throw new ValidationError(`\`since\` needs ${TIME_BOUND_HINT}; got \`${text}\`.`);
  return bound;
}

export class DiscordInteractionHandler {
  constructor(private readonly deps: ChatIngressDeps) {}

  async handle(interaction: Interaction): Promise<APIInteractionResponse> {
    try {
      switch (interaction.type) {
        case InteractionType.Ping:
          return { type: InteractionResponseType.Pong };
        case InteractionType.ApplicationCommand:
          return await this.command(interaction);
        case InteractionType.MessageComponent:
          return await this.component(interaction);
        case InteractionType.ModalSubmit:
          return await this.modalSubmit(interaction);
        case InteractionType.ApplicationCommandAutocomplete:
          return await this.autocomplete(interaction);
        default:
          return privateText('Rewind does not handle this kind of interaction.');
      }
    } catch (error) {
      if (isRewindError(error)) return privately(errorReply(error.userMessage));
      throw error;
    }
  }

  /** `/rollback start` and `/rollback drill`: the same request, told apart by its trigger. */
  private requestCommand(interaction: Interaction, target: { service: string; environment: string }, values: Record<string, unknown>, how: { dryRun: boolean; trigger: 'manual' | 'drill' }): CommandInput {
    const severity = choice(Severity, values['severity'], 'severity', Severity.options);
    const dedupeId = `discord-${interaction.id}`;
    return {
      type: 'request',
      reply: this.replyTo(interaction),
      request: {
        service: target.service,
        environment: target.environment,
        ...(str(values['to']) ? { targetRelease: str(values['to'])! } : {}),
        ...(severity ? { severity } : {}),
        ...(str(values['reason']) ? { reason: str(values['reason'])! } : {}),
        dryRun: how.dryRun,
        requester: interactionActor(interaction),
        origin: { platform: 'discord', ...(interaction.channel_id ? { channelId: interaction.channel_id } : {}), interactionId: dedupeId },
        trigger: { kind: how.trigger, source: 'discord', evidence: [] },
      },
    };
  }

  private replyTo(interaction: Interaction, deferred = false) {
    const where = { ...(interaction.channel_id ? { channelId: interaction.channel_id } : {}), ...(interaction.guild_id ? { guildId: interaction.guild_id } : {}) };
    return { platform: 'discord', data: { applicationId: interaction.application_id, token: interaction.token, ...where, ...(deferred ? { deferred: true } : {}) } };
  }

  private async enqueue(command: CommandInput, dedupeId: string): Promise<APIInteractionResponse | undefined> {
    try {
      await this.deps.enqueue(command, dedupeId);
      return undefined;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not enqueue a Discord interaction');
      return privately(errorReply(intakeFailure(error)));
    }
  }

  private async command(interaction: Interaction): Promise<APIInteractionResponse> {
    const { catalog } = this.deps;
    const actor = interactionActor(interaction);
    const { name, values } = subcommand(interaction);
    const dedupeId = `discord-${interaction.id}`;
    const deferred = { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } } as const;
    switch (name) {
      case 'start': {
        const target = catalog.resolve(str(values['service']) ?? '', str(values['environment']));
        const dryRun = values['dry_run'] === true;
        const command = this.requestCommand(interaction, target, values, { dryRun, trigger: 'manual' });
        return (await this.enqueue(command, dedupeId)) ?? privateText(`${dryRun ? 'Dry run' : 'Rollback'} of ${target.service} (${target.environment}) requested — checking policy…`);
      }
      case 'drill': {
        const service = str(values['service']);
        const environment = str(values['environment']);
        if (!service || !environment) throw new ValidationError('A drill names the service and the environment, e.g. `/rollback drill service:checkout-api environment:staging`.');
        const target = catalog.resolve(service, environment);
        const command = this.requestCommand(interaction, target, values, { dryRun: false, trigger: 'drill' });
        return (await this.enqueue(command, dedupeId)) ?? privateText(`Drill of ${target.service} (${target.environment}) requested — a real rollback, timed against the RTO…`);
      }
      case 'status':
        return (await this.enqueue({ type: 'status', actor, reply: this.replyTo(interaction, true), ...(str(values['target']) ? { target: str(values['target'])! } : {}) }, dedupeId)) ?? deferred;
      case 'history': {
        const service = str(values['service']);
        const environment = str(values['environment']);
        if (service) catalog.resolve(service, environment);
        const limit = typeof values['limit'] === 'number' ? values['limit'] : 10;
        const format = choice(FileFormat, values['format'], 'format', FileFormat.options);
        const outcome = choice(HistoryOutcome, values['outcome'], 'outcome', HistoryOutcome.options);
        const trigger = choice(TriggerKind, values['trigger'], 'trigger', TriggerKind.options);
        const from = since(values['since']);
        const drills = values['drills'] === true ? { drills: 'only' as const } : {};
        const command: CommandInput = {
          type: 'history',
          ...drills,
          actor,
          reply: this.replyTo(interaction, true),
          limit,
          ...(service ? { service } : {}),
          ...(environment ? { environment } : {}),
          ...(format ? { format } : {}),
          ...(outcome ? { outcome } : {}),
          ...(trigger ? { trigger } : {}),
          ...(from ? { since: from } : {}),
        };
        return (await this.enqueue(command, dedupeId)) ?? deferred;
      }
      case 'postmortem': {
        const typed = str(values['rollback_id']);
        const rollbackId = typed ? normalizeRollbackId(typed) : undefined;
        if (!rollbackId) throw new ValidationError('Name the rollback, e.g. `/rollback postmortem rollback_id:rb_01J9ZV8K3QH7W5XMC4TB2NRD6E`. `/rollback status <service>` shows the latest rollback of a service with its id.');
        return (await this.enqueue({ type: 'postmortem_draft', actor, reply: this.replyTo(interaction, true), rollbackId }, dedupeId)) ?? deferred;
      }
      case 'report': {
        const service = str(values['service']);
        if (service) catalog.resolve(service);
        const from = since(values['since']);
        const drills = values['drills'] === true ? { drills: 'only' as const } : {};
        return (await this.enqueue({ type: 'report', actor, reply: this.replyTo(interaction, true), ...(service ? { service } : {}), ...(from ? { since: from } : {}), ...drills }, dedupeId)) ?? deferred;
      }
      case 'releases': {
        const target = catalog.resolve(str(values['service']) ?? '', str(values['environment']));
        return (await this.enqueue({ type: 'releases', actor, reply: this.replyTo(interaction, true), service: target.service, environment: target.environment }, dedupeId)) ?? deferred;
      }
      case 'cancel': {
        const rollbackId = str(values['rollback_id']);
        if (!rollbackId) throw new ValidationError('Name the rollback to cancel, e.g. `/rollback cancel rollback_id:rb_…`.');
        return (await this.enqueue({ type: 'cancel', rollbackId, actor, reply: this.replyTo(interaction) }, dedupeId)) ?? privateText(`Cancelling ${rollbackId}…`);
      }
      case 'unlock':
      case 'pause-auto':
      case 'resume-auto': {
        const target = catalog.resolve(str(values['service']) ?? '', str(values['environment']));
        const type = name === 'unlock' ? 'unlock' : name === 'pause-auto' ? 'pause_auto' : 'resume_auto';
        return (await this.enqueue({ type, actor, reply: this.replyTo(interaction, true), service: target.service, environment: target.environment }, dedupeId)) ?? deferred;
      }
      case 'help':
        return privately(helpMessage());
      default:
        throw new ValidationError(`Unknown subcommand \`${name}\`. Valid: start, drill, status, history, postmortem, report, releases, cancel, unlock, pause-auto, resume-auto, help.`);
    }
  }

  private async component(interaction: Interaction): Promise<APIInteractionResponse> {
    const done = { type: InteractionResponseType.DeferredMessageUpdate } as const;
    const parsed = parseCustomId(interaction.data?.custom_id ?? '');
    if (!parsed) return done;
    const dedupeId = `discord-${interaction.id}`;
    const outcome = buttonClickToOutcome(parsed.action, parsed.value, {
      actor: interactionActor(interaction),
      reply: this.replyTo(interaction),
      platform: 'discord',
      channelId: interaction.channel_id,
      interactionId: dedupeId,
    });
    if (outcome.kind === 'open_root_cause') {
      const record = await this.deps.records.get(outcome.rollbackId);
      return rootCauseModal(outcome.rollbackId, record?.postmortem) as APIInteractionResponse;
    }
    if (outcome.kind === 'open_review_note') return reviewNoteModal(outcome.rollbackId) as APIInteractionResponse;
    if (outcome.kind === 'ignore') return done;
    return (await this.enqueue(outcome.command, dedupeId)) ?? done;
  }

  private async modalSubmit(interaction: Interaction): Promise<APIInteractionResponse> {
    const data = { custom_id: interaction.data?.custom_id ?? '', components: interaction.data?.components ?? [] };
    if (isReviewNoteSubmission(data)) {
      const { rollbackId, note } = parseReviewNoteSubmission(data);
      const command: CommandInput = { type: 'review_note', rollbackId, note, actor: interactionActor(interaction), reply: this.replyTo(interaction) };
      return (await this.enqueue(command, `discord-${interaction.id}`)) ?? privateText('Adding your note to the review; the card in the thread will show it.');
    }
    const fields = parseRootCauseSubmission({ custom_id: interaction.data?.custom_id ?? '', components: interaction.data?.components ?? [] });
    const actor = interactionActor(interaction);
    const command: CommandInput = {
      type: 'postmortem',
      rollbackId: fields.rollbackId,
      actor,
      reply: this.replyTo(interaction),
      ...(fields.impact ? { impact: fields.impact } : {}),
      ...(fields.rootCause ? { rootCause: fields.rootCause } : {}),
      ...(fields.prevention ? { prevention: fields.prevention } : {}),
    };
    return (await this.enqueue(command, `discord-${interaction.id}`)) ?? privateText('Recording the root cause; the thread will show it.');
  }

  private async autocomplete(interaction: Interaction): Promise<APIInteractionResponse> {
    const { values, focused } = subcommand(interaction);
    const typed = String(focused?.value ?? '').toLowerCase();
    const choices = (await this.suggestions(focused?.name ?? '', values).catch(() => [] as string[]))
      .filter((c) => c.toLowerCase().includes(typed))
      .slice(0, AUTOCOMPLETE_LIMIT)
      .map((c) => ({ name: c.slice(0, 100), value: c.slice(0, 100) }));
    return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } };
  }

  private async suggestions(option: string, values: Record<string, unknown>): Promise<string[]> {
    const { catalog } = this.deps;
    if (option === 'service') return catalog.services();
    if (option === 'target') return catalog.services();
    const service = str(values['service']);
    if (!service || !catalog.services().includes(service)) return [];
    if (option === 'environment') return catalog.environments(service);
    if (option === 'to') {
      const target = catalog.resolve(service, str(values['environment']));
      const provider = this.deps.integrations.provider(target.service, target.environment);
      const [current, releases] = await Promise.all([provider.currentRelease(), provider.recentReleases(AUTOCOMPLETE_LIMIT)]);
      return releases.filter((r) => !isCurrentRelease(r, current)).map(releaseRef);
    }
    return [];
  }
}

