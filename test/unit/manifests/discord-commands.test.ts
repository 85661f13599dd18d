/**
 * manifests/discord-commands.json is a valid body for `PUT /applications/{id}/commands` with the /rollback
 * subcommands SPEC §3 lists. `default_member_permissions` is null on purpose: every member may run the
 * command, and Rewind's own requester/approver rules decide what happens (see manifests/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type APIApplicationCommandOption,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { HISTORY_OUTCOMES } from '../../../src/domain/history';
import { TRIGGERS } from '../../../src/domain/request';

const text = readFileSync(join(__dirname, '../../../manifests/discord-commands.json'), 'utf8');
const body: RESTPutAPIApplicationCommandsJSONBody = JSON.parse(text) as RESTPutAPIApplicationCommandsJSONBody;

/** Discord's naming rule for command and option names (FACTS.md). */
const NAME = /^[-_'\p{L}\p{N}]{1,32}$/u;

/** Fields Discord documents for commands and options; anything else is rejected by the API. */
const COMMAND_KEYS = ['type', 'name', 'description', 'options', 'default_member_permissions', 'dm_permission', 'contexts', 'integration_types', 'nsfw'];
const OPTION_KEYS = ['type', 'name', 'description', 'required', 'choices', 'options', 'autocomplete', 'min_value', 'max_value', 'min_length', 'max_length', 'channel_types'];

type Option = APIApplicationCommandOption & { options?: Option[]; required?: boolean; autocomplete?: boolean; choices?: { name: string; value: string | number }[] };

function command() {
  expect(body).toHaveLength(1);
  const [rollback] = body;
  if (!rollback || rollback.type !== ApplicationCommandType.ChatInput) throw new Error('expected one chat-input command');
  return rollback;
}

function optionsOf(level: { options?: readonly unknown[] | undefined }): Option[] {
  return (level.options ?? []) as Option[];
}

function subcommand(name: string): Option {
  const found = optionsOf(command()).find((o) => o.name === name);
  if (!found) throw new Error(`no subcommand ${name}`);
  return found;
}

/** Every level's rules at once: names, descriptions, count, order, choices, uniqueness; returns the characters counted towards 8,000. */
function checkLevel(options: readonly Option[], path: string): number {
  expect({ path, count: options.length <= 25 }).toEqual({ path, count: true });
  const names = options.map((o) => o.name);
  expect(new Set(names).size).toBe(names.length);
  const firstOptional = options.findIndex((o) => !o.required);
  const requiredAfterOptional = firstOptional >= 0 && options.slice(firstOptional).some((o) => o.required);
  expect({ path, requiredAfterOptional }).toEqual({ path, requiredAfterOptional: false });
  let size = 0;
  for (const option of options) {
    const where = `${path} ${option.name}`;
    expect(Object.keys(option).filter((k) => !OPTION_KEYS.includes(k))).toEqual([]);
    expect({ where, ok: NAME.test(option.name) && option.name === option.name.toLowerCase() }).toEqual({ where, ok: true });
    expect({ where, length: option.description.length >= 1 && option.description.length <= 100 }).toEqual({ where, length: true });
    size += option.name.length + option.description.length;
    const choices = option.choices ?? [];
    expect(choices.length).toBeLessThanOrEqual(25);
    expect({ where, both: choices.length > 0 && option.autocomplete === true }).toEqual({ where, both: false });
    for (const choice of choices) {
      expect(choice.name.length).toBeGreaterThanOrEqual(1);
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(String(choice.value).length).toBeLessThanOrEqual(100);
      size += choice.name.length + String(choice.value).length;
    }
    if (option.type === ApplicationCommandOptionType.Subcommand) size += checkLevel(optionsOf(option), where);
    else expect(option.options).toBeUndefined();
  }
  return size;
}

describe('manifests/discord-commands.json', () => {
  it('parses as JSON and is one chat-input command, /rollback, with only keys Discord accepts', () => {
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    const rollback = command();
    expect(rollback.name).toBe('rollback');
    expect(Object.keys(rollback).filter((k) => !COMMAND_KEYS.includes(k))).toEqual([]);
    expect(text).not.toContain('$comment');
  });

  it('everyone may use it (Rewind decides who may request and approve), guild channels only', () => {
    const rollback = command();
    expect(rollback.default_member_permissions).toBeNull();
    expect(rollback.dm_permission).toBe(false);
    expect(rollback.contexts).toEqual([InteractionContextType.Guild]);
  });

  it("follows Discord's rules at every level and stays under 8,000 characters", () => {
    const rollback = command();
    expect(NAME.test(rollback.name)).toBe(true);
    expect(rollback.description.length).toBeGreaterThanOrEqual(1);
    expect(rollback.description.length).toBeLessThanOrEqual(100);
    const total = rollback.name.length + rollback.description.length + checkLevel(optionsOf(rollback), 'rollback');
    expect(total).toBeLessThanOrEqual(8000);
  });

  it('has the subcommands SPEC §3 lists, in order', () => {
    expect(optionsOf(command()).map((o) => [o.name, o.type])).toEqual([
      ['start', 1],
      ['drill', 1],
      ['status', 1],
      ['history', 1],
      ['postmortem', 1],
      ['report', 1],
      ['releases', 1],
      ['cancel', 1],
      ['unlock', 1],
      ['pause-auto', 1],
      ['resume-auto', 1],
      ['help', 1],
    ]);
  });

  it.each(['unlock', 'pause-auto', 'resume-auto'])('%s: service (required, autocomplete) and environment', (name) => {
    expect(optionsOf(subcommand(name)).map((o) => [o.name, o.required ?? false, o.autocomplete ?? false])).toEqual([
      ['service', true, true],
      ['environment', false, true],
    ]);
  });

  it('start: service (required, autocomplete), environment, to, severity choices, reason ≤ 2,000, dry_run', () => {
    const options = optionsOf(subcommand('start'));
    expect(options.map((o) => [o.name, o.type, o.required ?? false, o.autocomplete ?? false])).toEqual([
      ['service', ApplicationCommandOptionType.String, true, true],
      ['environment', ApplicationCommandOptionType.String, false, true],
      ['to', ApplicationCommandOptionType.String, false, true],
      ['severity', ApplicationCommandOptionType.String, false, false],
      ['reason', ApplicationCommandOptionType.String, false, false],
      ['dry_run', ApplicationCommandOptionType.Boolean, false, false],
    ]);
    expect(options[3]!.choices!.map((c) => c.value)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(options[4]).toMatchObject({ max_length: 2000 });
  });

  it('drill: service and environment (both required, autocomplete), severity choices, to, reason', () => {
    const options = optionsOf(subcommand('drill'));
    expect(options.map((o) => [o.name, o.type, o.required ?? false, o.autocomplete ?? false])).toEqual([
      ['service', ApplicationCommandOptionType.String, true, true],
      ['environment', ApplicationCommandOptionType.String, true, true],
      ['severity', ApplicationCommandOptionType.String, false, false],
      ['to', ApplicationCommandOptionType.String, false, true],
      ['reason', ApplicationCommandOptionType.String, false, false],
    ]);
    expect(options[2]!.choices!.map((c) => c.value)).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('status, history, postmortem, report, releases, cancel and help take the options the handler reads', () => {
    const shape = (name: string) => optionsOf(subcommand(name)).map((o) => [o.name, o.type, o.required ?? false, o.autocomplete ?? false]);
    expect(shape('status')).toEqual([['target', ApplicationCommandOptionType.String, false, true]]);
    expect(shape('history')).toEqual([
      ['service', ApplicationCommandOptionType.String, false, true],
      ['limit', ApplicationCommandOptionType.Integer, false, false],
      ['environment', ApplicationCommandOptionType.String, false, true],
      ['outcome', ApplicationCommandOptionType.String, false, false],
      ['trigger', ApplicationCommandOptionType.String, false, false],
      ['drills', ApplicationCommandOptionType.Boolean, false, false],
      ['since', ApplicationCommandOptionType.String, false, false],
      ['format', ApplicationCommandOptionType.String, false, false],
    ]);
    expect(optionsOf(subcommand('history'))[1]).toMatchObject({ min_value: 1, max_value: 50 });
    // The choices are exactly what the grammar and the command schema accept.
    const choices = (name: string) => optionsOf(subcommand('history')).find((o) => o.name === name)!.choices!.map((c) => c.value);
    expect([...choices('outcome')].sort()).toEqual([...HISTORY_OUTCOMES].sort());
    expect(choices('trigger')).toEqual([...TRIGGERS]);
    expect(choices('format')).toEqual(['csv', 'md', 'json']);
    expect(shape('postmortem')).toEqual([['rollback_id', ApplicationCommandOptionType.String, true, false]]);
    expect(shape('report')).toEqual([
      ['service', ApplicationCommandOptionType.String, false, true],
      ['since', ApplicationCommandOptionType.String, false, false],
      ['drills', ApplicationCommandOptionType.Boolean, false, false],
    ]);
    expect(shape('releases')).toEqual([
      ['service', ApplicationCommandOptionType.String, true, true],
      ['environment', ApplicationCommandOptionType.String, false, true],
    ]);
    expect(shape('cancel')).toEqual([['rollback_id', ApplicationCommandOptionType.String, true, false]]);
    expect(shape('help')).toEqual([]);
  });
});
