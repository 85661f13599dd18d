/** Sorts Discord REST failures: permanent (unknown channel, missing access) or worth retrying later. */
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { RetryLaterError } from '../../domain/errors';

/** Unknown Channel, Unknown Message, Missing Access, Missing Permissions, thread archived/locked. */
const PERMANENT_CODES = new Set([10003, 10008, 50001, 50013, 50083, 160005]);

export function isPermanentDiscordError(error: unknown): boolean {
  return error instanceof DiscordAPIError && (PERMANENT_CODES.has(Number(error.code)) || error.status === 400);
}

export function toRetryableDiscord(error: unknown): unknown {
  if (error instanceof RateLimitError) return new RetryLaterError('Discord rate limit (429)', Math.max(error.retryAfter, 100));
  // After a 401 REST forgets the token and fails locally; an operator must fix it — keep the events, retry slowly.
  if (error instanceof Error && /Expected token to be set/.test(error.message)) return new RetryLaterError('Discord bot token was refused; fix DISCORD_TOKEN', 60_000);
  if (error instanceof HTTPError) return new RetryLaterError(`Discord answered HTTP ${error.status}`, 2_000);
  if (error instanceof DiscordAPIError) {
    if (error.status === 401) return new RetryLaterError('Discord refused the bot token', 60_000);
    if (error.status >= 500) return new RetryLaterError(`Discord answered HTTP ${error.status}`, 2_000);
    return error;
  }
  if (error instanceof Error && /timeout|ECONN|socket|fetch failed|aborted/i.test(`${error.name} ${error.message}`)) return new RetryLaterError(`Discord could not be reached: ${error.message}`, 2_000);
  return error;
}
