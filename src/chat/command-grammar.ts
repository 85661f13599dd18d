/**
 * The `/rollback` text grammar (SPEC §3), shared by Slack and the web console: text in, one
 * ParsedCommand out, or a GrammarError that says what was wrong and what is valid.
 */
import type { FileFormat } from '../domain/chat-file';
import { closestMatch } from '../domain/closest-match';
import { ErrorCode, RewindError } from '../domain/errors';
import { HISTORY_OUTCOMES, type HistoryOutcome } from '../domain/history';
import { ROLLBACK_ID_PATTERN } from '../domain/ids';
import { RollbackRequest, TRIGGERS, type TriggerKind } from '../domain/request';
import { SEVERITIES, type Severity } from '../domain/severity';
import { parseTimeBound, TIME_BOUND_HINT, type TimeBound } from '../domain/time-window';
import { isQuoted, tokenize, type Token } from './tokenize';

export type ParsedCommand =
  | { verb: 'rollback'; service: string; environment?: string; to?: string; severity?: Severity; reason?: string; dryRun: boolean }
  /** A real rollback run as practice, timed against the RTO; the environment is always named. */
  | { verb: 'drill'; service: string; environment: string; to?: string; severity?: Severity; reason?: string }
  | { verb: 'status'; target?: string }
  | {
      verb: 'history';
      service?: string;
      limit: number;
      /** Set: the history comes back as a file in this format instead of a message. */
      format?: FileFormat;
      environment?: string;
      outcome?: HistoryOutcome;
      trigger?: TriggerKind;
      since?: TimeBound;
      /** Only drills (they are left out otherwise). */
      drills?: boolean;
    }
  | { verb: 'postmortem'; rollbackId: string }
  | { verb: 'report'; service?: string; since?: TimeBound; drills?: boolean }
  | { verb: 'releases'; service: string; environment?: string }
  | { verb: 'cancel'; rollbackId: string }
  | { verb: 'unlock' | 'pause-auto' | 'resume-auto'; service: string; environment?: string }
  | { verb: 'help' }
  | { verb: 'form' };

export type CommandVerb = Exclude<ParsedCommand['verb'], 'form'>;

const USAGE = {
  rollback: '/rollback <service> [<environment>] [--to <release>] [--severity critical|high|medium|low] [--reason <text...>] [--dry-run]',
  drill: '/rollback drill <service> <environment> [--severity critical|high|medium|low] [--to <release>] [--reason <text...>]',
  history: '/rollback history [<service>] [--limit N] [--env <environment>] [--outcome <outcome>] [--trigger manual|auto|alert|drill] [--drills] [--since 30d|<date>] [--format csv|md|json]',
  report: '/rollback report [<service>] [--since 30d|<date>] [--drills]',
} as const;

export const COMMAND_USAGE = [
  USAGE.rollback,
  USAGE.drill,
  '/rollback status [<rollback-id>|<service>]',
  USAGE.history,
  '/rollback postmortem <rollback-id>',
  USAGE.report,
  '/rollback releases <service> [<environment>]',
  '/rollback cancel <rollback-id>',
  '/rollback unlock <service> [<environment>]',
  '/rollback pause-auto|resume-auto <service> [<environment>]',
  '/rollback help',
].join('\n');

/** A mistake in the command text; `userMessage` is safe to show as-is and `usage` is the form that was meant. */
export class GrammarError extends RewindError {
  constructor(userMessage: string, readonly usage: string = COMMAND_USAGE) {
    super(ErrorCode.Validation, userMessage, { usage });
  }
}

export const HISTORY_DEFAULT_LIMIT = 10;
const HISTORY_MAX_LIMIT = 50;

type OptionName = 'to' | 'severity' | 'reason' | 'dry-run' | 'limit' | 'format' | 'env' | 'outcome' | 'trigger' | 'since' | 'drills';

/** What `--format` takes; `markdown` is read as `md`. */
const FORMATS: readonly FileFormat[] = ['csv', 'md', 'json'];

/** How each option takes its value; `text` runs to the next option unless quoted. */
const OPTIONS: Readonly<Record<OptionName, { takes: 'value' | 'text' | 'flag'; valid: string }>> = {
  to: { takes: 'value', valid: 'a release, e.g. `--to 2.4.0`' },
  severity: { takes: 'value', valid: SEVERITIES.join(', ') },
  reason: { takes: 'text', valid: 'some text, e.g. `--reason "500s after deploy"`' },
  'dry-run': { takes: 'flag', valid: '`--dry-run` alone, or `dry-run=true|false`' },
  limit: { takes: 'value', valid: `a whole number from 1 to ${HISTORY_MAX_LIMIT}` },
  format: { takes: 'value', valid: FORMATS.join(', ') },
  env: { takes: 'value', valid: 'an environment of the service, e.g. `--env production`' },
  outcome: { takes: 'value', valid: HISTORY_OUTCOMES.join(', ') },
  trigger: { takes: 'value', valid: TRIGGERS.join(', ') },
  since: { takes: 'value', valid: TIME_BOUND_HINT },
  drills: { takes: 'flag', valid: '`--drills` alone (only drills), or `drills=true|false`' },
};

/** The same limits the request schema enforces later, checked here so the user hears it in words. */
const MAX_LENGTH = {
  service: RollbackRequest.shape.service.maxLength ?? Infinity,
  environment: RollbackRequest.shape.environment.unwrap().maxLength ?? Infinity,
  to: RollbackRequest.shape.targetRelease.unwrap().maxLength ?? Infinity,
  reason: RollbackRequest.shape.reason.unwrap().maxLength ?? Infinity,
};

type Slot = 'service' | 'environment' | 'target' | 'rollback-id';

interface VerbRule {
  usage: string;
  /** How messages name the verb: "a rollback", "`history`". */
  label: string;
  options: readonly OptionName[];
  slots: readonly Slot[];
  required: number;
}

const SERVICE_ENV: Pick<VerbRule, 'options' | 'slots' | 'required'> = { options: [], slots: ['service', 'environment'], required: 1 };

const RULES: Readonly<Record<CommandVerb, VerbRule>> = {
  rollback: {
    usage: USAGE.rollback,
    label: 'a rollback',
    options: ['to', 'severity', 'reason', 'dry-run'],
    slots: ['service', 'environment'],
    required: 1,
  },
  drill: { usage: USAGE.drill, label: 'a drill', options: ['severity', 'to', 'reason'], slots: ['service', 'environment'], required: 2 },
  status: { usage: '/rollback status [<rollback-id>|<service>]', label: '`status`', options: [], slots: ['target'], required: 0 },
  history: { usage: USAGE.history, label: '`history`', options: ['limit', 'env', 'outcome', 'trigger', 'drills', 'since', 'format'], slots: ['service'], required: 0 },
  postmortem: { usage: '/rollback postmortem <rollback-id>', label: '`postmortem`', options: [], slots: ['rollback-id'], required: 1 },
  report: { usage: USAGE.report, label: '`report`', options: ['since', 'drills'], slots: ['service'], required: 0 },
  releases: { usage: '/rollback releases <service> [<environment>]', label: '`releases`', ...SERVICE_ENV },
  cancel: { usage: '/rollback cancel <rollback-id>', label: '`cancel`', options: [], slots: ['rollback-id'], required: 1 },
  unlock: { usage: '/rollback unlock <service> [<environment>]', label: '`unlock`', ...SERVICE_ENV },
  'pause-auto': { usage: '/rollback pause-auto <service> [<environment>]', label: '`pause-auto`', ...SERVICE_ENV },
  'resume-auto': { usage: '/rollback resume-auto <service> [<environment>]', label: '`resume-auto`', ...SERVICE_ENV },
  help: { usage: '/rollback help', label: '`help`', options: [], slots: [], required: 0 },
};

/** Words that name a verb instead of a service; `start` mirrors Discord's subcommand. Callers may use it to hint at typos. */
export const COMMAND_VERBS: readonly string[] = [...Object.keys(RULES).filter((verb) => verb !== 'rollback'), 'start'];

const EXAMPLE_ROLLBACK_ID = 'rb_01J9ZV8K3QH7W5XMC4TB2NRD6E';

interface RawOption {
  /** Normalized: lower case, `_` as `-`. */
  name: string;
  /** As typed, for echoing: `--sev`, `sev`. */
  typed: string;
  dashed: boolean;
  value?: string;
}

interface GivenOptions {
  to?: string;
  severity?: Severity;
  reason?: string;
  dryRun?: boolean;
  limit?: number;
  format?: FileFormat;
  env?: string;
  outcome?: HistoryOutcome;
  trigger?: TriggerKind;
  since?: TimeBound;
  drills?: boolean;
}

const DASHES = /^(?:--|[—–])(?=[A-Za-z])/;
const KEY_VALUE = /^([A-Za-z][A-Za-z0-9_-]*)=/;

function normalizeName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

function formatOption(name: string, dashed = true): string {
  return `\`${dashed ? '--' : ''}${name}\``;
}

function listOptions(names: readonly OptionName[]): string {
  return names.map((name) => `--${name}`).join(', ');
}

/**
 * Reads `--name`, `--name=value` (smart-punctuation dashes too) or `name=value`; anything else is a word.
 * The name must be typed outside quotes, so quoting is how a word that looks like an option stays a word.
 */
function readOption(token: Token): (RawOption & { inline?: { value: string; quoted: boolean } }) | undefined {
  const dashes = DASHES.exec(token.bare);
  const keyValue = dashes ? undefined : KEY_VALUE.exec(token.bare);
  if (!dashes && !keyValue) return undefined;
  const eq = token.bare.indexOf('=');
  const typed = eq >= 0 ? token.bare.slice(0, eq) : token.bare;
  const name = normalizeName(dashes ? typed.slice(dashes[0].length) : typed);
  const option: RawOption = { name, typed, dashed: Boolean(dashes) };
  if (eq < 0) return option;
  // `text` begins with `bare` verbatim (no quotes can precede it), so the same index finds the `=` in both.
  const value = token.text.slice(eq + 1);
  return { ...option, inline: { value, quoted: token.raw.length > token.bare.length && token.bare.endsWith('=') } };
}

/** Where an unquoted reason stops: any `--option`, or `key=value` for a key the grammar knows. */
function endsFreeText(token: Token): boolean {
  const option = readOption(token);
  return option !== undefined && (option.dashed || isOptionName(option.name));
}

/** First pass: options with their values, and the remaining words in order. */
function split(tokens: readonly Token[]): { options: RawOption[]; words: Token[] } {
  const options: RawOption[] = [];
  const words: Token[] = [];
  const freeText = (from: number, first: string[]): { value: string; next: number } => {
    let next = from;
    while (next < tokens.length && !endsFreeText(tokens[next]!)) first.push(tokens[next++]!.raw);
    return { value: first.join(' '), next };
  };
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i++]!;
    const option = readOption(token);
    if (!option) {
      words.push(token);
      continue;
    }
    const { inline, ...raw } = option;
    const takes = isOptionName(raw.name) ? OPTIONS[raw.name].takes : 'flag';
    if (inline) {
      if (takes === 'text' && !inline.quoted && inline.value !== '') {
        const more = freeText(i, [inline.value]);
        i = more.next;
        options.push({ ...raw, value: more.value });
      } else options.push({ ...raw, value: inline.value });
      continue;
    }
    const next = tokens[i];
    // `--dry-run true` reads as meant; any other word after a switch is a positional.
    if (takes === 'flag' && next && next.bare === next.raw && /^(?:true|false)$/i.test(next.text)) {
      i++;
      options.push({ ...raw, value: next.text });
    } else if (takes === 'flag' || next === undefined || endsFreeText(next)) {
      options.push(raw);
    } else if (takes === 'text' && !isQuoted(next)) {
      const more = freeText(i, []);
      i = more.next;
      options.push({ ...raw, value: more.value });
    } else {
      i++;
      options.push({ ...raw, value: next.text });
    }
  }
  return { options, words };
}

function pickVerb(words: readonly Token[]): { verb: CommandVerb; rest: Token[] } {
  const first = words[0];
  // A quoted first word is always a service, so a service called `status` can still be rolled back.
  const name = first && !isQuoted(first) && first.bare === first.raw ? normalizeName(first.text) : undefined;
  if (name === 'start') return { verb: 'rollback', rest: words.slice(1) };
  if (name !== undefined && name !== 'rollback' && Object.hasOwn(RULES, name)) return { verb: name as CommandVerb, rest: words.slice(1) };
  return { verb: 'rollback', rest: [...words] };
}

function parseBoolean(value: string): boolean | undefined {
  const word = value.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(word)) return true;
  if (['false', 'no', 'off', '0'].includes(word)) return false;
  return undefined;
}

function checkLength(what: string, value: string, max: number, usage: string): string {
  if (value.length > max) {
    throw new GrammarError(`${what} is too long (${value.length.toLocaleString('en-US')} characters); the most is ${max.toLocaleString('en-US')}.`, usage);
  }
  return value;
}

/** Second pass over the options, now that the verb is known: each must belong to it, once, with a valid value. */
function checkOptions(verb: CommandVerb, options: readonly RawOption[]): GivenOptions {
  const rule = RULES[verb];
  const given: GivenOptions = {};
  const seen = new Map<OptionName, string | undefined>();
  for (const option of options) {
    const { name, typed } = option;
    if (!isOptionName(name)) {
      const suggestion = closestMatch(name, rule.options);
      throw new GrammarError(
        `Unknown option \`${typed}\`.` +
          (suggestion ? ` Did you mean ${formatOption(suggestion, option.dashed)}?` : '') +
          (rule.options.length > 0 ? ` Valid options: ${listOptions(rule.options)}.` : ` ${capitalize(rule.label)} takes no options: \`${rule.usage}\`.`),
        rule.usage,
      );
    }
    if (!rule.options.includes(name)) {
      throw new GrammarError(
        rule.options.length > 0
          ? `${formatOption(name)} does not apply to ${rule.label}. Valid options for ${rule.label}: ${listOptions(rule.options)}.`
          : `${capitalize(rule.label)} takes no options, so ${formatOption(name)} does not apply: \`${rule.usage}\`.`,
        rule.usage,
      );
    }
    if (seen.has(name)) {
      const values = [seen.get(name), option.value].filter((v) => v !== undefined).map((v) => `\`${v}\``);
      throw new GrammarError(`${formatOption(name)} is given twice${values.length === 2 ? ` (${values.join(', then ')})` : ''}; give it once.`, rule.usage);
    }
    seen.set(name, option.value);
    applyOption(name, option.value, given, rule.usage);
  }
  return given;
}

function applyOption(name: OptionName, value: string | undefined, given: GivenOptions, usage: string): void {
  const { takes, valid } = OPTIONS[name];
  if (takes === 'flag') {
    const on = value === undefined ? true : parseBoolean(value);
    if (on === undefined) throw new GrammarError(`${formatOption(name)} is a switch; got \`${value}\`. Give ${valid}.`, usage);
    if (name === 'drills') given.drills = on;
    else given.dryRun = on;
    return;
  }
  if (value === undefined || value.trim() === '') throw new GrammarError(`${formatOption(name)} needs a value: ${valid}.`, usage);
  switch (name) {
    case 'severity': {
      const severity = SEVERITIES.find((s) => s === value.toLowerCase());
      if (!severity) {
        const suggestion = closestMatch(value, SEVERITIES);
        throw new GrammarError(`Unknown severity \`${value}\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''} Valid: ${valid}.`, usage);
      }
      given.severity = severity;
      return;
    }
    case 'limit': {
      const limit = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(limit >= 1 && limit <= HISTORY_MAX_LIMIT)) throw new GrammarError(`${formatOption(name)} must be ${valid}; got \`${value}\`.`, usage);
      given.limit = limit;
      return;
    }
    case 'format':
    case 'outcome':
    case 'trigger': {
      const word = value.toLowerCase();
      const choices: readonly string[] = name === 'format' ? FORMATS : name === 'outcome' ? HISTORY_OUTCOMES : TRIGGERS;
      const chosen = name === 'format' && word === 'markdown' ? 'md' : choices.find((c) => c === word.replaceAll('-', '_'));
      if (!chosen) {
        const suggestion = closestMatch(value, choices);
        throw new GrammarError(`Unknown ${name} \`${value}\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''} Valid: ${valid}.`, usage);
      }
      if (name === 'format') given.format = chosen as FileFormat;
      else if (name === 'outcome') given.outcome = chosen as HistoryOutcome;
      else given.trigger = chosen as TriggerKind;
      return;
    }
    case 'since': {
      const bound = parseTimeBound(value);
      if (!bound) throw new GrammarError(`${formatOption(name)} needs ${valid}; got \`${value}\`.`, usage);
      given.since = bound;
      return;
    }
    case 'env':
      given.env = checkLength('The environment name', value, MAX_LENGTH.environment, usage);
      return;
    case 'to':
      given.to = checkLength('The release given with `--to`', value, MAX_LENGTH.to, usage);
      return;
    default:
      given.reason = checkLength('The reason', value.trim(), MAX_LENGTH.reason, usage);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `rb_…` in any case, normalized to the canonical upper case; undefined when it is not an id. */
export function normalizeRollbackId(word: string): string | undefined {
  if (!/^rb_/i.test(word)) return undefined;
  const id = `rb_${word.slice(3).toUpperCase()}`;
  return ROLLBACK_ID_PATTERN.test(id) ? id : undefined;
}

function notAnId(word: string, usage: string): GrammarError {
  return new GrammarError(
    `\`${word}\` is not a rollback id: ids are \`rb_\` and 26 letters and digits, like \`${EXAMPLE_ROLLBACK_ID}\`. ` +
      '`/rollback status` lists the rollbacks in progress with their ids.',
    usage,
  );
}

const MISSING: Readonly<Record<Slot, string>> = {
  service: 'a service',
  environment: 'an environment',
  target: 'a rollback id or a service',
  'rollback-id': 'a rollback id',
};

/** The positional words of a verb: not too few, not too many, none empty. */
function checkWords(verb: CommandVerb, words: readonly Token[]): string[] {
  const rule = RULES[verb];
  const empty = words.find((word) => word.text.trim() === '');
  if (empty) throw new GrammarError(`Empty quotes \`${empty.raw}\` where ${MISSING[rule.slots[words.indexOf(empty)] ?? 'service']} was expected. Usage: \`${rule.usage}\`.`, rule.usage);
  const extra = words[rule.slots.length];
  if (extra) {
    const hint =
      verb === 'rollback' || verb === 'drill'
        ? ` ${capitalize(rule.label)} takes a service and an environment; put a reason of several words after \`--reason\`.`
        : rule.slots.length === 0
          ? ` ${capitalize(rule.label)} takes nothing after it.`
          : '';
    throw new GrammarError(`Unexpected \`${extra.raw}\`.${hint} Usage: \`${rule.usage}\`.`, rule.usage);
  }
  if (words.length < rule.required) {
    const slot = rule.slots[words.length]!;
    const how =
      slot === 'rollback-id'
        ? `, e.g. \`/rollback ${verb} ${EXAMPLE_ROLLBACK_ID}\`. \`/rollback status\` lists the rollbacks in progress with their ids.`
        : `. Usage: \`${rule.usage}\`.`;
    throw new GrammarError(`${capitalize(rule.label)} needs ${MISSING[slot]}${how}`, rule.usage);
  }
  return words.map((word, at) => {
    const slot = rule.slots[at]!;
    return slot === 'service' || slot === 'environment' ? checkLength(`The ${slot} name`, word.text, MAX_LENGTH[slot], rule.usage) : word.text;
  });
}

function build(verb: CommandVerb, words: readonly string[], given: GivenOptions): ParsedCommand {
  const [first, second] = words;
  const environment = second === undefined ? {} : { environment: second };
  const usage = RULES[verb].usage;
  switch (verb) {
    case 'rollback':
      return {
        verb,
        service: first!,
        ...environment,
        ...(given.to === undefined ? {} : { to: given.to }),
        ...(given.severity === undefined ? {} : { severity: given.severity }),
        ...(given.reason === undefined ? {} : { reason: given.reason }),
        dryRun: given.dryRun ?? false,
      };
    case 'status': {
      if (first === undefined) return { verb };
      // Anything shaped like `rb_…` was meant as an id; a mangled one deserves a clear error, not "unknown service".
      if (/^rb_/i.test(first)) return { verb, target: normalizeRollbackId(first) ?? throwError(notAnId(first, usage)) };
      return { verb, target: first };
    }
    case 'history':
      return {
        verb,
        ...(first === undefined ? {} : { service: first }),
        limit: given.limit ?? HISTORY_DEFAULT_LIMIT,
        ...(given.format === undefined ? {} : { format: given.format }),
        ...(given.env === undefined ? {} : { environment: given.env }),
        ...(given.outcome === undefined ? {} : { outcome: given.outcome }),
        ...(given.trigger === undefined ? {} : { trigger: given.trigger }),
        ...(given.since === undefined ? {} : { since: given.since }),
        ...(given.drills ? { drills: true } : {}),
      };
    case 'report':
      return { verb, ...(first === undefined ? {} : { service: first }), ...(given.since === undefined ? {} : { since: given.since }), ...(given.drills ? { drills: true } : {}) };
    case 'drill':
      return {
        verb,
        service: first!,
        environment: second!,
        ...(given.to === undefined ? {} : { to: given.to }),
        ...(given.severity === undefined ? {} : { severity: given.severity }),
        ...(given.reason === undefined ? {} : { reason: given.reason }),
      };
    case 'postmortem':
      return { verb, rollbackId: normalizeRollbackId(first!) ?? throwError(notAnId(first!, usage)) };
    case 'cancel':
      return { verb, rollbackId: normalizeRollbackId(first!) ?? throwError(notAnId(first!, usage)) };
    case 'help':
      return { verb };
    default:
      return { verb, service: first!, ...environment };
  }
}

function throwError(error: Error): never {
  throw error;
}

/** Parses `/rollback` text; an empty text means "open the form". Throws GrammarError. */
export function parseCommandText(text: string): ParsedCommand {
  const tokenized = tokenize(text);
  if (!tokenized.ok) {
    const { opener, closer, fragment } = tokenized;
    throw new GrammarError(`Unterminated quote: \`${opener}${fragment}\` has no closing \`${closer}\`. Close the quote, or leave it out.`);
  }
  if (tokenized.tokens.length === 0) return { verb: 'form' };
  const { options, words } = split(tokenized.tokens);
  const { verb, rest } = pickVerb(words);
  const given = checkOptions(verb, options);
  return build(verb, checkWords(verb, rest), given);
}
