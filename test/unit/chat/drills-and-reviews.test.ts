/**
 * The chat side of drills and break-glass reviews: `/rollback drill <service> <environment>` with
 * clear usage errors, `--drills` on history and report, and what the review card's buttons become.
 */
import { buttonClickToOutcome, type Click } from '../../../src/chat/button-click';
import { GrammarError, parseCommandText, type ParsedCommand } from '../../../src/chat/command-grammar';
import { customIdFor, parseCustomId } from '../../../src/chat/discord/embed-renderer';
import { parseReviewNote, reviewNoteModal } from '../../../src/chat/slack/modals';
import { parseReviewNoteSubmission, reviewNoteModal as discordReviewNoteModal } from '../../../src/chat/discord/discord-modals';
import { textCommandToOutcome } from '../../../src/chat/text-command';
import { UnknownEnvironmentError, UnknownServiceError } from '../../../src/domain/errors';
import type { ResolvedTarget, ServiceCatalog } from '../../../src/domain/ports';
import { Command } from '../../../src/engine/commands';
import { helpMessage } from '../../../src/messages/templates/help';
import { renderPlainText } from '../../../src/messages/plain-text';

const ID = 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7';

function errorOf(text: string): GrammarError {
  try {
    parseCommandText(text);
  } catch (error) {
    if (error instanceof GrammarError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

const catalog: ServiceCatalog = {
  services: () => ['checkout-api'],
  environments: () => ['production', 'staging'],
  resolve: (service, environment) => {
    if (service !== 'checkout-api') throw new UnknownServiceError(service, ['checkout-api']);
    if (environment !== undefined && environment !== 'production' && environment !== 'staging') throw new UnknownEnvironmentError(service, environment, ['production', 'staging']);
    return { service, environment: environment ?? 'production' } as ResolvedTarget;
  },
};
const context = { platform: 'slack' as const, actor: { platform: 'slack' as const, id: 'U1', name: 'lead' }, reply: { platform: 'slack', data: {} }, channelId: 'C0INCIDENT', interactionId: 'i-1' };

describe('/rollback drill', () => {
  it.each<[string, ParsedCommand]>([
    ['drill checkout-api staging', { verb: 'drill', service: 'checkout-api', environment: 'staging' }],
    ['drill checkout-api staging --severity critical --to 2.4.0 --reason monthly drill', { verb: 'drill', service: 'checkout-api', environment: 'staging', severity: 'critical', to: '2.4.0', reason: 'monthly drill' }],
    ['DRILL checkout-api staging severity=high', { verb: 'drill', service: 'checkout-api', environment: 'staging', severity: 'high' }],
  ])('%s', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it.each([
    ['drill', ['A drill needs a service', '/rollback drill <service> <environment>']],
    ['drill checkout-api', ['A drill needs an environment', '/rollback drill <service> <environment>']],
    ['drill checkout-api staging extra', ['Unexpected `extra`', 'A drill takes a service and an environment']],
    ['drill checkout-api staging --dry-run', ['`--dry-run` does not apply to a drill', '--severity, --to, --reason']],
    ['drill checkout-api staging --severity urgent', ['Unknown severity `urgent`', 'critical, high, medium, low']],
  ])('%s is refused with what is valid', (text, parts) => {
    const error = errorOf(text);
    for (const part of parts) expect(error.userMessage).toContain(part);
    expect(error.usage).toContain('/rollback drill <service> <environment>');
  });

  it('becomes a rollback request marked as a drill, from the person who typed it', () => {
    const outcome = textCommandToOutcome('/rollback drill checkout-api staging --severity critical', context, catalog);
    expect(outcome).toMatchObject({
      kind: 'enqueue',
      dedupeId: 'i-1',
      ack: 'Drill of checkout-api (staging) requested — a real rollback, timed against the RTO…',
      command: {
        type: 'request',
        request: { service: 'checkout-api', environment: 'staging', severity: 'critical', dryRun: false, requester: context.actor, trigger: { kind: 'drill', source: 'slack', evidence: [] } },
      },
    });
    if (outcome.kind === 'enqueue') expect(Command.safeParse(outcome.command).success).toBe(true);
  });

  it('names an unknown environment with a suggestion before anything is queued', () => {
    expect(() => textCommandToOutcome('drill checkout-api stagin', context, catalog)).toThrow(UnknownEnvironmentError);
  });

  it('is in the help', () => {
    const text = renderPlainText(helpMessage());
    expect(text).toContain('/rollback drill <service> <environment>');
    expect(text).toContain('--drills');
  });
});

describe('--drills on history and report', () => {
  it('asks for drills only', () => {
    expect(parseCommandText('history checkout-api --drills')).toEqual({ verb: 'history', service: 'checkout-api', limit: 10, drills: true });
    expect(parseCommandText('report --drills --since 90d')).toEqual({ verb: 'report', drills: true, since: { kind: 'ago', ms: 90 * 86_400_000 } });
    expect(parseCommandText('history --trigger drill')).toEqual({ verb: 'history', limit: 10, trigger: 'drill' });
    expect(textCommandToOutcome('history --drills --format csv', context, catalog)).toMatchObject({ command: { type: 'history', drills: 'only', format: 'csv' } });
    expect(textCommandToOutcome('report checkout-api --drills', context, catalog)).toMatchObject({ command: { type: 'report', service: 'checkout-api', drills: 'only' } });
  });

  it('is a switch, and belongs to history and report only', () => {
    expect(errorOf('history --drills=maybe').userMessage).toContain('`--drills` is a switch; got `maybe`');
    expect(errorOf('status --drills').userMessage).toContain('takes no options');
  });
});

describe('the review card buttons', () => {
  const click: Click = { actor: { platform: 'slack', id: 'U0LEAD', name: 'lead' }, reply: { platform: 'slack', data: {} }, platform: 'slack', interactionId: 'i-2' };

  it('"Reviewed" queues a review by whoever clicked', () => {
    expect(buttonClickToOutcome('review', ID, click)).toEqual({ kind: 'enqueue', command: { type: 'review', rollbackId: ID, actor: click.actor, reply: click.reply } });
  });

  it('"Add note" opens the note form, on every platform', () => {
    expect(buttonClickToOutcome('review_note', ID, click)).toEqual({ kind: 'open_review_note', rollbackId: ID });
    expect(parseCustomId(customIdFor('review_note', ID))).toEqual({ action: 'review_note', value: ID });
  });

  it('Slack: the note form carries the rollback id and reads the note back', () => {
    const view = reviewNoteModal(ID);
    expect(view).toMatchObject({ callback_id: 'review_note', private_metadata: ID });
    expect(parseReviewNote({ private_metadata: ID, state: { values: { note: { note_input: { value: '  Right call.  ' } } } } })).toEqual({ rollbackId: ID, note: 'Right call.' });
    expect(() => parseReviewNote({ private_metadata: ID, state: { values: { note: { note_input: { value: ' ' } } } } })).toThrow('Write the note');
  });

  it('Discord: the note form is a modal whose custom id names the rollback', () => {
    const modal = discordReviewNoteModal(ID);
    expect(modal.data.custom_id).toBe(`rewind:review_note_form:${ID}`);
    expect(parseReviewNoteSubmission({ custom_id: modal.data.custom_id, components: [{ type: 1, components: [{ custom_id: 'note', value: 'Looked at it.' }] }] })).toEqual({ rollbackId: ID, note: 'Looked at it.' });
  });

  it('a note is a command the queue accepts only with text', () => {
    expect(Command.safeParse({ type: 'review_note', rollbackId: ID, actor: click.actor, note: 'ok' }).success).toBe(true);
    expect(Command.safeParse({ type: 'review_note', rollbackId: ID, actor: click.actor, note: '   ' }).success).toBe(false);
  });
});
