/**
 * Bolt listeners: each interaction is validated, acked within Slack's 3 s and handed to the
 * `commands` queue. Only two things happen here directly: opening a modal (its trigger_id expires
 * in 3 s) and the immediate private answer to a malformed command.
 */
import type { App } from '@slack/bolt';
import { describeError, isRewindError } from '../../domain/errors';
import type { Message } from '../../domain/message';
import { errorReply, intakeFailure } from '../../messages/templates/replies';
import { helpMessage } from '../../messages/templates/help';
import type { ChatIngressDeps } from '../chat-front';
import { renderMessage } from './block-kit';
import { ModalSubmissionError, parseRequestSubmission, parseReviewNote, parseRootCause, releaseOptions, requestModal, reviewNoteModal, rootCauseModal } from './modals';
import { actionActor, actionToOutcome, replyTarget, slashToOutcome } from './slack-interactions';
import { BlockActionBody, SlashCommandBody, ViewSubmissionBody } from './slack-payloads';



function ephemeral(message: Message) {
  return { response_type: 'ephemeral' as const, ...renderMessage(message) };
}

export function registerSlackListeners(app: App, deps: ChatIngressDeps): void {
  const { logger } = deps;

  app.command('/rollback', async ({ body, ack, client }) => {
    const parsed = SlashCommandBody.safeParse(body);
    if (!parsed.success) return ack(ephemeral(errorReply('Slack sent a command Rewind could not read.')));
    const command = parsed.data;
    let outcome;
    try {
      outcome = slashToOutcome(command, deps.catalog);
    } catch (error) {
      if (isRewindError(error)) return ack(ephemeral(errorReply(error.userMessage)));
      throw error;
    }
    switch (outcome.kind) {
      case 'help':
        return ack(ephemeral(helpMessage()));
      case 'open_form': {
        await ack();
        const services = deps.catalog.services().map((name) => ({ name, environments: deps.catalog.environments(name) }));
        const first = services[0];
        const defaultSeverity = first ? deps.catalog.resolve(first.name).policy.defaultSeverity : 'high';
        await client.views.open({ trigger_id: command.trigger_id, view: requestModal({ services, defaultSeverity, channelId: command.channel_id }) });
        return;
      }
      case 'enqueue':
        try {
          await deps.enqueue(outcome.command, outcome.dedupeId);
        } catch (error) {
          logger.error({ err: error }, 'could not enqueue a Slack command');
          return ack(ephemeral(errorReply(intakeFailure(error))));
        }
        return ack(outcome.ack ? { response_type: 'ephemeral', text: outcome.ack } : undefined);
    }
  });

  app.action(/^rewind:/, async ({ body, ack, client, respond }) => {
    const parsed = BlockActionBody.safeParse(body);
    if (!parsed.success) return ack();
    const outcome = actionToOutcome(parsed.data);
    if (outcome.kind === 'open_root_cause') {
      await ack();
      const record = await deps.records.get(outcome.rollbackId);
      await client.views.open({ trigger_id: parsed.data.trigger_id, view: rootCauseModal(outcome.rollbackId, record?.postmortem) });
      return;
    }
    if (outcome.kind === 'open_review_note') {
      await ack();
      await client.views.open({ trigger_id: parsed.data.trigger_id, view: reviewNoteModal(outcome.rollbackId) });
      return;
    }
    if (outcome.kind === 'ignore') return ack();
    try {
      await deps.enqueue(outcome.command, outcome.dedupeId);
    } catch (error) {
      logger.error({ err: error }, 'could not enqueue a Slack button click');
      await ack();
      await respond({ response_type: 'ephemeral', replace_original: false, text: intakeFailure(error) });
      return;
    }
    await ack();
  });

  app.view('root_cause', async ({ body, ack }) => {
    const parsed = ViewSubmissionBody.safeParse(body);
    if (!parsed.success) return ack();
    try {
      const fields = parseRootCause(parsed.data.view);
      const actor = actionActor({ ...parsed.data, type: 'block_actions', trigger_id: '-', actions: [{ action_id: '-' }] });
      await deps.enqueue(
        {
          type: 'postmortem',
          rollbackId: fields.rollbackId,
          actor,
          reply: replyTarget({ userId: actor.id }),
          ...(fields.impact ? { impact: fields.impact } : {}),
          ...(fields.rootCause ? { rootCause: fields.rootCause } : {}),
          ...(fields.prevention ? { prevention: fields.prevention } : {}),
        },
        `slack-view-${parsed.data.view.id}-${parsed.data.view.hash ?? ''}`,
      );
      return ack();
    } catch (error) {
      return ack({ response_action: 'errors', errors: { cause: intakeFailure(error) } });
    }
  });

  app.view('review_note', async ({ body, ack }) => {
    const parsed = ViewSubmissionBody.safeParse(body);
    if (!parsed.success) return ack();
    try {
      const { rollbackId, note } = parseReviewNote(parsed.data.view);
      const actor = actionActor({ ...parsed.data, type: 'block_actions', trigger_id: '-', actions: [{ action_id: '-' }] });
      await deps.enqueue({ type: 'review_note', rollbackId, actor, note, reply: replyTarget({ userId: actor.id }) }, `slack-view-${parsed.data.view.id}-${parsed.data.view.hash ?? ''}`);
      return ack();
    } catch (error) {
      if (error instanceof ModalSubmissionError && Object.keys(error.fieldErrors).length > 0) return ack({ response_action: 'errors', errors: error.fieldErrors });
      return ack({ response_action: 'errors', errors: { note: intakeFailure(error) } });
    }
  });

  app.view('rollback_request', async ({ body, ack }) => {
    const parsed = ViewSubmissionBody.safeParse(body);
    if (!parsed.success) return ack();
    let submission;
    let target;
    try {
      submission = parseRequestSubmission(parsed.data.view);
      target = deps.catalog.resolve(submission.service, submission.environment);
    } catch (error) {
      if (error instanceof ModalSubmissionError && Object.keys(error.fieldErrors).length > 0) return ack({ response_action: 'errors', errors: error.fieldErrors });
      return ack({ response_action: 'errors', errors: { environment: isRewindError(error) ? error.userMessage : describeError(error) } });
    }
    const actor = actionActor({ ...parsed.data, type: 'block_actions', trigger_id: '-', actions: [{ action_id: '-' }] });
    const interactionId = `slack-view-${parsed.data.view.id}`;
    try {
      await deps.enqueue(
        {
          type: 'request',
          reply: replyTarget({ userId: actor.id, ...(submission.channelId ? { channelId: submission.channelId } : {}) }),
          request: {
            service: target.service,
            environment: target.environment,
            ...(submission.targetRelease ? { targetRelease: submission.targetRelease } : {}),
            severity: submission.severity,
            ...(submission.reason ? { reason: submission.reason } : {}),
            dryRun: submission.dryRun,
            requester: actor,
            origin: { platform: 'slack', ...(submission.channelId ? { channelId: submission.channelId } : {}), interactionId },
            trigger: { kind: 'manual', source: 'slack', evidence: [] },
          },
        },
        interactionId,
      );
    } catch (error) {
      return ack({ response_action: 'errors', errors: { reason: intakeFailure(error) } });
    }
    return ack();
  });

  app.options('release_select', async ({ body, ack }) => {
    const values = (body as { view?: { state?: { values?: Record<string, Record<string, { selected_option?: { value?: string }; value?: string }>> } } }).view?.state?.values;
    const service = values?.['service']?.['service_select']?.selected_option?.value;
    const environment = values?.['environment']?.['environment_input']?.value?.trim() || undefined;
    if (!service) return ack({ options: [] });
    try {
      const target = deps.catalog.resolve(service, environment);
      const provider = deps.integrations.provider(target.service, target.environment);
      const [current, releases] = await Promise.all([provider.currentRelease(), provider.recentReleases(20)]);
      return ack(releaseOptions(releases, current, (body as { value?: string }).value ?? ''));
    } catch (error) {
      logger.warn({ err: error, service }, 'could not list releases for the Slack form');
      return ack({ options: [] });
    }
  });
}
