/** The grammar of the record commands: history filters and formats, postmortem, report. */
import { GrammarError, parseCommandText, type ParsedCommand } from '../../../src/chat/command-grammar';
import { textCommandToOutcome } from '../../../src/chat/text-command';
import { UnknownEnvironmentError, UnknownServiceError } from '../../../src/domain/errors';
import type { ResolvedTarget, ServiceCatalog } from '../../../src/domain/ports';

const ID = 'rb_01J9ZV8K3QH7W5XMC4TB2NRD6E';
const DAY = 86_400_000;

function errorOf(text: string): GrammarError {
  try {
    parseCommandText(text);
  } catch (error) {
    if (error instanceof GrammarError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseCommandText: history filters and exports', () => {
  it.each<[string, ParsedCommand]>([
    ['history checkout-api --format csv', { verb: 'history', service: 'checkout-api', limit: 10, format: 'csv' }],
    ['history format=markdown', { verb: 'history', limit: 10, format: 'md' }],
    ['history --format JSON', { verb: 'history', limit: 10, format: 'json' }],
    [
      'history checkout-api --env production --outcome failed --trigger alert --since 30d --format csv',
      { verb: 'history', service: 'checkout-api', limit: 10, format: 'csv', environment: 'production', outcome: 'failed', trigger: 'alert', since: { kind: 'ago', ms: 30 * DAY } },
    ],
    ['history since=2026-11-01 outcome=pending-approval', { verb: 'history', limit: 10, outcome: 'pending_approval', since: { kind: 'at', ms: Date.UTC(2026, 10, 1) } }],
    ['history --outcome aborted', { verb: 'history', limit: 10, outcome: 'aborted' }],
    // Unchanged: no filter, no format, today's message.
    ['history checkout-api --limit 5', { verb: 'history', service: 'checkout-api', limit: 5 }],
  ])('%s', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });
});

describe('parseCommandText: postmortem and report', () => {
  it.each<[string, ParsedCommand]>([
    [`postmortem ${ID}`, { verb: 'postmortem', rollbackId: ID }],
    [`Postmortem ${ID.toLowerCase()}`, { verb: 'postmortem', rollbackId: ID }],
    ['report', { verb: 'report' }],
    ['report checkout-api', { verb: 'report', service: 'checkout-api' }],
    ['report checkout-api --since 7d', { verb: 'report', service: 'checkout-api', since: { kind: 'ago', ms: 7 * DAY } }],
    ['report since=2026-10-01', { verb: 'report', since: { kind: 'at', ms: Date.UTC(2026, 9, 1) } }],
    // A service called "report" is still reachable, quoted.
    ['"report" production', { verb: 'rollback', service: 'report', environment: 'production', dryRun: false }],
  ])('%s', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });
});

describe('parseCommandText: bad record options say what is valid', () => {
  it.each<[string, string, string[]]>([
    ['unknown format', 'history --format xlsx', ['Unknown format `xlsx`.', 'Valid: csv, md, json.']],
    ['close format', 'history --format jsn', ['Did you mean `json`?']],
    ['unknown outcome', 'history --outcome done', ['Unknown outcome `done`.', 'Valid: pending_approval, queued, running, verifying, succeeded, failed, rejected, expired, cancelled, aborted.']],
    ['close outcome', 'history --outcome faild', ['Did you mean `failed`?']],
    ['unknown trigger', 'history --trigger cron', ['Unknown trigger `cron`.', 'Valid: manual, auto, alert, drill.']],
    ['bad since', 'history --since yesterday', ['`--since` needs a duration back from now such as 30d', 'got `yesterday`']],
    ['impossible date', 'report --since 2026-02-31', ['`--since` needs', 'got `2026-02-31`']],
    ['since without a value', 'report --since', ['`--since` needs a value']],
    ['format on report', 'report --format csv', ['`--format` does not apply to `report`', 'Valid options for `report`: --since']],
    ['environment spelled out', 'history --environment production', ['Unknown option `--environment`.', 'Did you mean `--env`?']],
    ['postmortem without an id', 'postmortem', ['`postmortem` needs a rollback id', `/rollback postmortem ${ID}`]],
    ['postmortem with a service', 'postmortem checkout-api', ['`checkout-api` is not a rollback id']],
    ['postmortem with two ids', `postmortem ${ID} ${ID}`, ['Unexpected', 'Usage: `/rollback postmortem <rollback-id>`']],
    ['option on postmortem', `postmortem ${ID} --format csv`, ['`postmortem` takes no options']],
  ])('%s', (_name, text, parts) => {
    const error = errorOf(text);
    for (const part of parts) expect(error.userMessage).toContain(part);
  });
});

/** The smallest catalog: one service with one environment. */
const catalog: ServiceCatalog = {
  services: () => ['checkout-api'],
  environments: () => ['production'],
  resolve: (service, environment) => {
    if (service !== 'checkout-api') throw new UnknownServiceError(service, ['checkout-api']);
    if (environment !== undefined && environment !== 'production') throw new UnknownEnvironmentError(service, environment, ['production']);
    return { service, environment: 'production' } as ResolvedTarget;
  },
};
const context = { platform: 'slack' as const, actor: { platform: 'slack' as const, id: 'U1' }, reply: { platform: 'slack', data: {} }, interactionId: 'i-1' };

describe('textCommandToOutcome: record commands become queued commands', () => {
  it('queues a history export with its filters', () => {
    const outcome = textCommandToOutcome('/rollback history checkout-api --env production --format csv --since 12h', context, catalog);
    expect(outcome).toMatchObject({ kind: 'enqueue', command: { type: 'history', service: 'checkout-api', environment: 'production', format: 'csv', since: { kind: 'ago', ms: 12 * 3_600_000 }, limit: 10 } });
  });

  it('queues a post-mortem draft and a report', () => {
    expect(textCommandToOutcome(`postmortem ${ID}`, context, catalog)).toMatchObject({ kind: 'enqueue', command: { type: 'postmortem_draft', rollbackId: ID }, ack: `Drafting the post-mortem of ${ID}…` });
    expect(textCommandToOutcome('report checkout-api --since 7d', context, catalog)).toMatchObject({ kind: 'enqueue', command: { type: 'report', service: 'checkout-api', since: { kind: 'ago', ms: 7 * DAY } } });
  });

  it('refuses an unknown service or environment at once, so nothing is queued', () => {
    expect(() => textCommandToOutcome('history checkout --format csv', context, catalog)).toThrow(UnknownServiceError);
    expect(() => textCommandToOutcome('history checkout-api --env prod', context, catalog)).toThrow(UnknownEnvironmentError);
    expect(() => textCommandToOutcome('report nope', context, catalog)).toThrow(UnknownServiceError);
  });
});
