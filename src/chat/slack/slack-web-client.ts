/**
 * The Web API client Rewind uses. @slack/web-api would otherwise retry 429s on its own for up to
 * ~30 minutes with its whole queue paused; here they surface at once so the outbox schedules the
 * retry (per rollback, in order) and nothing else waits.
 */
import { WebClient, LogLevel } from '@slack/web-api';
import type { SlackSettings } from './slack-settings';

export function createSlackWebClient(settings: Pick<SlackSettings, 'botToken' | 'apiUrl'>): WebClient {
  return new WebClient(settings.botToken, {
    slackApiUrl: settings.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
  });
}
