import { COMMAND_USAGE, COMMAND_VERBS, GrammarError, parseCommandText, type ParsedCommand } from '../../../src/chat/command-grammar';
import { tokenize } from '../../../src/chat/tokenize';
import { ErrorCode, RewindError } from '../../../src/domain/errors';
import { ROLLBACK_ID_PATTERN } from '../../../src/domain/ids';

const ID = 'rb_01J9ZV8K3QH7W5XMC4TB2NRD6E';
const ROLLBACK_OPTIONS = 'Valid options: --to, --severity, --reason, --dry-run';

function rollback(service: string, extra: Partial<Extract<ParsedCommand, { verb: 'rollback' }>> = {}): ParsedCommand {
  return { verb: 'rollback', service, dryRun: false, ...extra };
}

function errorOf(text: string): GrammarError {
  try {
    parseCommandText(text);
  } catch (error) {
    if (error instanceof GrammarError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseCommandText: valid forms', () => {
  it('parses the text of the Slack slash-command fixture (shared/fixtures/slack-slash-command.form)', () => {
    const form = new URLSearchParams('command=%2Frollback&text=checkout-api+production+--severity+critical+--reason+%22500s+after+deploy%22');
    expect(parseCommandText(form.get('text')!)).toEqual(
      rollback('checkout-api', { environment: 'production', severity: 'critical', reason: '500s after deploy' }),
    );
  });

  it.each<[string, ParsedCommand]>([
    ['checkout-api', rollback('checkout-api')],
    ['checkout-api production', rollback('checkout-api', { environment: 'production' })],
    ['checkout-api --to 2.4.0 --dry-run', rollback('checkout-api', { to: '2.4.0', dryRun: true })],
    ['checkout-api --severity HIGH', rollback('checkout-api', { severity: 'high' })],
    // Options before, between and after the positionals.
    ['--severity low checkout-api staging', rollback('checkout-api', { environment: 'staging', severity: 'low' })],
    ['checkout-api --dry-run staging', rollback('checkout-api', { environment: 'staging', dryRun: true })],
    ['--to=2.3.9 checkout-api', rollback('checkout-api', { to: '2.3.9' })],
    ['start checkout-api production', rollback('checkout-api', { environment: 'production' })],
    ['"status" production', rollback('status', { environment: 'production' })],
    ['status', { verb: 'status' }],
    ['STATUS checkout-api', { verb: 'status', target: 'checkout-api' }],
    [`status ${ID}`, { verb: 'status', target: ID }],
    [`status ${ID.toLowerCase()}`, { verb: 'status', target: ID }],
    ['history', { verb: 'history', limit: 10 }],
    ['history checkout-api --limit 5', { verb: 'history', service: 'checkout-api', limit: 5 }],
    ['History limit=50', { verb: 'history', limit: 50 }],
    ['releases checkout-api', { verb: 'releases', service: 'checkout-api' }],
    ['releases checkout-api staging', { verb: 'releases', service: 'checkout-api', environment: 'staging' }],
    [`cancel ${ID}`, { verb: 'cancel', rollbackId: ID }],
    [`Cancel ${ID.toLowerCase()}`, { verb: 'cancel', rollbackId: ID }],
    ['unlock checkout-api production', { verb: 'unlock', service: 'checkout-api', environment: 'production' }],
    ['pause-auto checkout-api', { verb: 'pause-auto', service: 'checkout-api' }],
    ['PAUSE_AUTO checkout-api', { verb: 'pause-auto', service: 'checkout-api' }],
    ['resume-auto checkout-api production', { verb: 'resume-auto', service: 'checkout-api', environment: 'production' }],
    ['help', { verb: 'help' }],
    ['Help', { verb: 'help' }],
    ['', { verb: 'form' }],
    ['   \t ', { verb: 'form' }],
  ])('%p', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });
});

describe('parseCommandText: key=value works wherever --key value does', () => {
  it.each<[string, ParsedCommand]>([
    ['checkout-api severity=critical', rollback('checkout-api', { severity: 'critical' })],
    ['checkout-api to=2.4.0', rollback('checkout-api', { to: '2.4.0' })],
    ['checkout-api reason="500s after deploy"', rollback('checkout-api', { reason: '500s after deploy' })],
    ["checkout-api reason='500s after deploy' production", rollback('checkout-api', { environment: 'production', reason: '500s after deploy' })],
    ['checkout-api --reason="500s after deploy"', rollback('checkout-api', { reason: '500s after deploy' })],
    ['checkout-api dry-run=true', rollback('checkout-api', { dryRun: true })],
    ['checkout-api dry-run=false', rollback('checkout-api', { dryRun: false })],
    ['checkout-api dry_run=yes', rollback('checkout-api', { dryRun: true })],
    ['checkout-api --dry_run', rollback('checkout-api', { dryRun: true })],
    ['checkout-api --dry-run=0', rollback('checkout-api', { dryRun: false })],
    ['checkout-api --dry-run true production', rollback('checkout-api', { environment: 'production', dryRun: true })],
    ['checkout-api --dry-run FALSE', rollback('checkout-api', { dryRun: false })],
    ['checkout-api Severity=Medium', rollback('checkout-api', { severity: 'medium' })],
    ['history limit=5 checkout-api', { verb: 'history', service: 'checkout-api', limit: 5 }],
  ])('%p', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });
});

describe('parseCommandText: quotes and free text', () => {
  it.each<[string, ParsedCommand]>([
    ['checkout-api --reason “500s after deploy”', rollback('checkout-api', { reason: '500s after deploy' })],
    ['checkout-api --reason ‘500s after deploy’ production', rollback('checkout-api', { environment: 'production', reason: '500s after deploy' })],
    ['checkout-api reason=“500s after deploy” --dry-run', rollback('checkout-api', { reason: '500s after deploy', dryRun: true })],
    ['checkout-api --reason ”both closing quotes”', rollback('checkout-api', { reason: 'both closing quotes' })],
    // Unquoted, the reason takes every word up to the next option.
    ['checkout-api --reason 500s after deploy --dry-run', rollback('checkout-api', { reason: '500s after deploy', dryRun: true })],
    ['checkout-api --reason 500s after deploy severity=high', rollback('checkout-api', { reason: '500s after deploy', severity: 'high' })],
    ['checkout-api reason=500s after deploy --to 2.4.0', rollback('checkout-api', { reason: '500s after deploy', to: '2.4.0' })],
    ['checkout-api --reason it\'s the "cart" page', rollback('checkout-api', { reason: 'it\'s the "cart" page' })],
    ['checkout-api --reason it’s broken — badly', rollback('checkout-api', { reason: 'it’s broken — badly' })],
    ['checkout-api --reason see https://grafana.example/d?panel=3 now', rollback('checkout-api', { reason: 'see https://grafana.example/d?panel=3 now' })],
    // Smart punctuation turns `--` into a dash; it still reads as an option.
    ['checkout-api —severity critical –dry-run', rollback('checkout-api', { severity: 'critical', dryRun: true })],
    // Quoting a word that looks like an option keeps it a word.
    ['checkout-api --to "--weird"', rollback('checkout-api', { to: '--weird' })],
    ['"checkout api" "prod east"', rollback('checkout api', { environment: 'prod east' })],
  ])('%p', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });
});

describe('parseCommandText: errors say what was wrong and what is valid', () => {
  it.each<[string, string, string[]]>([
    ['unknown option', 'checkout-api --sev critical', ['Unknown option `--sev`.', 'Did you mean `--severity`?', ROLLBACK_OPTIONS]],
    ['unknown option before the service', '--sev high checkout-api', ['Unknown option `--sev`.', 'Did you mean `--severity`?']],
    ['unknown key=value option', 'checkout-api sevrity=high', ['Unknown option `sevrity`.', 'Did you mean `severity`?', ROLLBACK_OPTIONS]],
    ['unknown option with no close match', 'checkout-api --force', ['Unknown option `--force`.', ROLLBACK_OPTIONS]],
    ['bad severity', 'checkout-api --severity crit', ['Unknown severity `crit`.', 'Did you mean `critical`?', 'Valid: critical, high, medium, low']],
    ['bad severity, no close match', 'checkout-api severity=p1', ['Unknown severity `p1`.', 'Valid: critical, high, medium, low']],
    ['missing value at the end', 'checkout-api --to', ['`--to` needs a value', '--to 2.4.0']],
    ['missing value before an option', 'checkout-api --severity --dry-run', ['`--severity` needs a value', 'critical, high, medium, low']],
    ['empty key=value', 'checkout-api to=', ['`--to` needs a value']],
    ['empty reason', 'checkout-api --reason ""', ['`--reason` needs a value']],
    ['reason at the end', 'checkout-api --reason', ['`--reason` needs a value']],
    ['option given twice', 'checkout-api --severity high --severity critical', ['`--severity` is given twice', '`high`, then `critical`', 'give it once']],
    ['option given twice in both styles', 'checkout-api --dry-run dry_run=true', ['`--dry-run` is given twice']],
    ['bad switch value', 'checkout-api dry-run=maybe', ['`--dry-run` is a switch', '`maybe`', 'dry-run=true|false']],
    ['too many positionals', 'checkout-api production foo', ['Unexpected `foo`.', '--reason', 'Usage: `/rollback <service> [<environment>]']],
    ['a reason without --reason', 'checkout-api production 500s after deploy', ['Unexpected `500s`.']],
    ['too many for releases', 'releases checkout-api production extra', ['Unexpected `extra`.', 'Usage: `/rollback releases <service> [<environment>]`']],
    ['help with arguments', 'help me', ['Unexpected `me`.', '`help` takes nothing after it']],
    ['status with two targets', `status ${ID} checkout-api`, ['Unexpected `checkout-api`.', '/rollback status [<rollback-id>|<service>]']],
    ['cancel without an id', 'cancel', ['`cancel` needs a rollback id', `/rollback cancel ${ID}`, '/rollback status']],
    ['cancel with a service name', 'cancel checkout-api', ['`checkout-api` is not a rollback id', '`rb_` and 26 letters and digits']],
    ['status with a mangled id', 'status rb_123', ['`rb_123` is not a rollback id']],
    ['limit not a number', 'history --limit ten', ['`--limit` must be a whole number from 1 to 50', 'got `ten`']],
    ['limit zero', 'history limit=0', ['`--limit` must be a whole number from 1 to 50', 'got `0`']],
    ['limit too big', 'history --limit 51', ['from 1 to 50', 'got `51`']],
    ['limit fractional', 'history --limit 2.5', ['whole number', 'got `2.5`']],
    ['limit negative', 'history --limit -5', ['whole number', 'got `-5`']],
    ['unterminated quote', 'checkout-api --reason "500s after deploy', ['Unterminated quote', '`"500s after deploy`', 'no closing `"`']],
    ['unterminated curly quote', 'checkout-api --reason “500s after', ['Unterminated quote', 'no closing `”`']],
    ['releases without a service', 'releases', ['`releases` needs a service', 'Usage: `/rollback releases <service> [<environment>]`']],
    ['unlock without a service', 'unlock --dry-run', ['`unlock` takes no options']],
    ['unlock without a service, no options', 'UNLOCK', ['`unlock` needs a service']],
    ['pause-auto without a service', 'pause-auto', ['`pause-auto` needs a service', '/rollback pause-auto <service> [<environment>]']],
    ['resume-auto without a service', 'resume-auto', ['`resume-auto` needs a service']],
    ['options without a service', '--severity critical --dry-run', ['A rollback needs a service', 'Usage: `/rollback <service>']],
    ['rollback option on history', 'history --severity high', ['`--severity` does not apply to `history`', 'Valid options for `history`: --limit']],
    ['history option on a rollback', 'checkout-api --limit 5', ['`--limit` does not apply to a rollback', ROLLBACK_OPTIONS.replace('Valid options', 'Valid options for a rollback')]],
    ['option on a verb without options', 'status checkout-api --severity high', ['`status` takes no options', '`--severity`', '/rollback status [<rollback-id>|<service>]']],
    ['unknown option on history', 'history --limt 5', ['Unknown option `--limt`.', 'Did you mean `--limit`?', 'Valid options: --limit']],
    ['unknown option on a verb without options', 'cancel --force', ['Unknown option `--force`.', '`cancel` takes no options']],
    ['empty quoted service', '"" production', ['Empty quotes `""`', 'a service']],
    ['release too long', `checkout-api --to ${'x'.repeat(201)}`, ['too long', '201 characters', 'the most is 200']],
    ['reason too long', `checkout-api --reason "${'x'.repeat(2001)}"`, ['The reason is too long', '2,001 characters', '2,000']],
    ['service too long', 'y'.repeat(101), ['The service name is too long']],
  ])('%s', (_name, text, parts) => {
    const error = errorOf(text);
    for (const part of parts) expect(error.userMessage).toContain(part);
  });

  it('is a RewindError with the validation code and the usage it refers to', () => {
    const error = errorOf('history --severity high');
    expect(error).toBeInstanceOf(RewindError);
    expect(error.code).toBe(ErrorCode.Validation);
    expect(error.name).toBe('GrammarError');
    expect(error.usage).toMatch(/^\/rollback history \[<service>\] \[--limit N\] /);
    expect(error.message).toBe(error.userMessage);
  });

  it('does not check service names: the caller knows the catalog', () => {
    expect(parseCommandText('histroy')).toEqual(rollback('histroy'));
    expect(COMMAND_VERBS).toContain('history');
  });
});

describe('COMMAND_USAGE', () => {
  it('lists every form of the grammar', () => {
    for (const form of ['/rollback <service> [<environment>]', '--severity critical|high|medium|low', 'status [<rollback-id>|<service>]', 'history [<service>] [--limit N]', 'releases <service>', 'cancel <rollback-id>', 'unlock <service>', 'pause-auto|resume-auto', '/rollback help']) {
      expect(COMMAND_USAGE).toContain(form);
    }
  });

  it('uses a valid example id in its messages', () => {
    expect(ID).toMatch(ROLLBACK_ID_PATTERN);
    expect(errorOf('cancel').userMessage).toContain(ID);
  });
});

describe('tokenize', () => {
  it.each<[string, string[]]>([
    ['a  b\tc', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["don't stop", ["don't", 'stop']],
    ['x="a b"', ['x=a b']],
    ['“a b”c', ['a bc']],
    ['“a b”‘c d’', ['a b‘c', 'd’']],
    ['a\u00a0b', ['a', 'b']],
  ])('%p', (text, words) => {
    const result = tokenize(text);
    expect(result.ok && result.tokens.map((t) => t.text)).toEqual(words);
  });

  it('keeps the raw text and the part typed before any quote', () => {
    expect(tokenize('reason="a b"')).toEqual({ ok: true, tokens: [{ text: 'reason=a b', raw: 'reason="a b"', bare: 'reason=' }] });
  });

  it('reports an unterminated quote with what follows it', () => {
    expect(tokenize('a ‘b c')).toEqual({ ok: false, opener: '‘', closer: '’', fragment: 'b c' });
  });
});
