/** The discord.js REST client Rewind uses: it queues per route, waits out 429s and retries 5xx itself. */
import { REST } from '@discordjs/rest';
import type { DiscordSettings } from './discord-settings';

export function createDiscordRest(settings: Pick<DiscordSettings, 'token' | 'apiUrl'>): REST {
  return new REST({ version: '10', api: settings.apiUrl, timeout: 15_000, retries: 3 }).setToken(settings.token);
}
