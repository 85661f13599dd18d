#!/usr/bin/env node
/** The `rewind` command: start | ingress | worker | validate FILE | help. */
import { join } from 'node:path';
import { createDiscordRest } from './chat/discord/discord-rest';
import { discordSettingsFromEnv } from './chat/discord/discord-settings';
import { readCommandDefinitions, registerCommands } from './chat/discord/register-commands';
import { ConfigError } from './config/config-error';
import { loadCatalog } from './config/load-catalog';
import { runFromEnvironment } from './main';

const USAGE = `Usage: rewind <command>

  start            ingress and worker in one process (the default deployment)
  ingress          HTTP only: chat, webhooks, API, health (scale out freely)
  worker           queue workers only (scale out freely)
  validate FILE    check a service catalog; prints every problem with its path
  discord register [--guild ID]
                   register the /rollback command with Discord (a guild: instant; global: up to an hour)
  help             this text

Environment: REWIND_CONFIG (catalog path, default rewind.yaml), REDIS_URL, PORT (default 3000),
REWIND_API_TOKEN, LOG_LEVEL, and the chat variables in README.md.
`;

async function validate(file: string | undefined): Promise<number> {
  if (!file) {
    process.stderr.write('rewind validate: name the catalog file, e.g. rewind validate rewind.yaml\n');
    return 2;
  }
  try {
    const { catalog } = await loadCatalog(file, process.env);
    process.stdout.write(`${file}: valid — ${catalog.services().length} service(s), ${catalog.countEnvironments()} environment(s)\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.source}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}\n`);
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    return 1;
  }
}

async function discordRegister(args: string[]): Promise<number> {
  const guildAt = args.indexOf('--guild');
  const guildId = guildAt >= 0 ? args[guildAt + 1] : undefined;
  if (args[0] !== 'register' || (guildAt >= 0 && !guildId)) {
    process.stderr.write('usage: rewind discord register [--guild ID]\n');
    return 2;
  }
  const settings = discordSettingsFromEnv({ ...process.env, DISCORD_MODE: process.env['DISCORD_MODE'] ?? 'gateway' });
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
      return validate(rest[0]);
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
