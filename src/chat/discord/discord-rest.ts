/**
 * The discord.js REST client Rewind uses: it queues per route, waits out 429s and retries 5xx and
 * timed-out attempts itself. Re-sending a timed-out message create is safe only because the sink
 * sends each create with an enforced nonce (Discord then answers the first message again).
 */
import { REST } from '@discordjs/rest';
import { DISCORD_TIMEOUT_MS, type DiscordSettings } from './discord-settings';

export function createDiscordRest(settings: Pick<DiscordSettings, 'token' | 'apiUrl' | 'timeoutMs'>): REST {
  return new REST({ version: '10', api: settings.apiUrl, timeout: settings.timeoutMs ?? DISCORD_TIMEOUT_MS, retries: 3 }).setToken(settings.token);
}
