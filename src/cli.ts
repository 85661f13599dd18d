#!/usr/bin/env node
/** The `rewind` command: start | ingress | worker | validate FILE... | discord register | help. */
import { join } from 'node:path';
import { createDiscordRest } from './chat/discord/discord-rest';
import { discordSettingsFromEnv } from './chat/discord/discord-settings';
import { readCommandDefinitions, registerCommands } from './chat/discord/register-commands';
import { ConfigError } from './config/config-error';
import { checkCatalogFile, type UnsetVariable } from './config/load-catalog';
import { runFromEnvironment } from './main';

const USAGE = `Usage: rewind <command>

  start            ingress and worker in one process (the default deployment)
  ingress          HTTP only: chat, webhooks, API, health (scale out freely)
  worker           queue workers only (scale out freely)
  validate [--strict-env] FILE...
                   check service catalogs; prints every problem with its path (exit 1). An unset
                   \${VAR} is a note (needed at run time); --strict-env makes it a problem, as at start
  discord register [--guild ID]
                   register the /rollback command with Discord (a guild: instant; global: up to an hour)
  help             this text

Environment: REWIND_CONFIG (catalog path, default rewind.yaml), REDIS_URL, PORT (default 3000),
REWIND_API_TOKEN, LOG_LEVEL, and the chat variables in README.md.
`;

/** A note per unset variable, each once, with every path that uses it. */
function unsetNotes(unset: readonly UnsetVariable[]): string {
  return unset.map((v) => `  note: needs ${v.name} at run time (${v.paths.join(', ')})\n`).join('');
}

async function validateFile(file: string, strictEnv: boolean): Promise<boolean> {
  try {
    const result = await checkCatalogFile(file, process.env, { strictEnv });
    if (result.kind === 'not-a-catalog') {
      process.stdout.write(`${file}: skipped — ${result.what}, not a Rewind catalog\n`);
      return true;
    }
    const summary = `${file}: valid — ${result.services} service(s), ${result.environments} environment(s)`;
    const pending = result.unset.length > 0 ? `; ${result.unset.length} variable(s) to set where Rewind runs` : '';
    process.stdout.write(`${summary}${pending}\n${unsetNotes(result.unset)}`);
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.source}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}\n`);
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    return false;
  }
}

/**
 * `rewind validate [--strict-env] FILE...`: each file checked on its own, all of them reported.
 * Without --strict-env an unset `${VAR}` is a note, so a pull request's CI can check a catalog
 * without production secrets; with it, an unset variable fails as it does at start.
 */
async function validate(args: readonly string[]): Promise<number> {
  const strictEnv = args.includes('--strict-env');
  const unknown = args.find((a) => a.startsWith('-') && a !== '--strict-env');
  if (unknown) {
    process.stderr.write(`rewind validate: unknown option "${unknown}"; usage: rewind validate [--strict-env] FILE...\n`);
    return 2;
  }
  const files = args.filter((a) => a !== '--strict-env');
  if (files.length === 0) {
    process.stderr.write('rewind validate: name the catalog file, e.g. rewind validate rewind.yaml\n');
    return 2;
  }
  let ok = true;
  for (const file of files) ok = (await validateFile(file, strictEnv)) && ok;
  return ok ? 0 : 1;
}

async function discordRegister(args: string[]): Promise<number> {
  const guildAt = args.indexOf('--guild');
  const guildId = guildAt >= 0 ? args[guildAt + 1] : undefined;
  if (args[0] !== 'register' || (guildAt >= 0 && !guildId)) {
    process.stderr.write('usage: rewind discord register [--guild ID]\n');
    return 2;
  }
  const settings = discordSettingsFromEnv(process.env);
  if (!settings) {
    process.stderr.write('rewind discord register: set DISCORD_TOKEN and DISCORD_APPLICATION_ID first\n');
    return 1;
  }
  const commands = await readCommandDefinitions(join(__dirname, '..', 'manifests', 'discord-commands.json'));
  const registered = await registerCommands(createDiscordRest(settings), settings.applicationId, commands, guildId);
  process.stdout.write(`registered ${registered.length} command(s) ${guildId ? `in guild ${guildId}` : 'globally (may take up to an hour to appear)'}: ${registered.map((c) => `/${c.name}`).join(', ')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
    case 'ingress':
    case 'worker':
      await runFromEnvironment(command);
      return undefined; // keeps running until a signal
    case 'validate':
      return validate(rest);
    case 'discord':
      return discordRegister(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`rewind: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`rewind: ${message}\n`);
    process.exitCode = 1;
  },
);
