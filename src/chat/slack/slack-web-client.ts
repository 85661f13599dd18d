/**
 * The Web API client Rewind uses. @slack/web-api would otherwise retry 429s on its own for up to
 * ~30 minutes with its whole queue paused; here they surface at once so the outbox schedules the
 * retry (per rollback, in order) and nothing else waits. It never re-sends a call by itself either:
 * after a timeout only the sink knows how to find out whether a post landed.
 */
import { WebClient, LogLevel } from '@slack/web-api';
import { SLACK_TIMEOUT_MS, type SlackSettings } from './slack-settings';

export function createSlackWebClient(settings: Pick<SlackSettings, 'botToken' | 'apiUrl' | 'timeoutMs'>): WebClient {
  return new WebClient(settings.botToken, {
    slackApiUrl: settings.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: settings.timeoutMs ?? SLACK_TIMEOUT_MS,
    logLevel: LogLevel.ERROR,
  });
}
