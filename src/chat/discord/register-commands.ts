/** Bulk-overwrites Rewind's slash command definitions, globally or for one guild (instant, for testing). */
import { readFile } from 'node:fs/promises';
import type { REST } from '@discordjs/rest';
import { Routes, type RESTPutAPIApplicationCommandsJSONBody, type RESTPutAPIApplicationCommandsResult } from 'discord-api-types/v10';

export async function readCommandDefinitions(path: string): Promise<RESTPutAPIApplicationCommandsJSONBody> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${path} must hold a JSON array of command definitions`);
  return parsed as RESTPutAPIApplicationCommandsJSONBody;
}

export async function registerCommands(
  rest: Pick<REST, 'put'>,
  applicationId: string,
  commands: RESTPutAPIApplicationCommandsJSONBody,
  guildId?: string,
): Promise<RESTPutAPIApplicationCommandsResult> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  return (await rest.put(route, { body: commands })) as RESTPutAPIApplicationCommandsResult;
}
