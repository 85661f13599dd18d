/** Sorts Web API failures: worth retrying later (429, 5xx, network, fatal auth) or never going to work (bad channel). */
import { ErrorCode as SlackErrorCode, type WebAPICallError } from '@slack/web-api';
import { RetryLaterError } from '../../domain/errors';

/** Errors that no retry will fix; posting is skipped with a loud log instead of blocking the thread forever. */
const PERMANENT = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long', 'invalid_blocks', 'no_text', 'cant_update_message', 'message_not_found']);

export function isPermanentSlackError(error: unknown): boolean {
  const e = error as Partial<WebAPICallError> & { data?: { error?: string } };
  return e.code === SlackErrorCode.PlatformError && PERMANENT.has(e.data?.error ?? '');
}

/** RetryLaterError for anything transient; the original error for everything else. */
export function toRetryable(error: unknown): unknown {
  const e = error as Partial<WebAPICallError> & { retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (e.code) {
    case SlackErrorCode.RateLimitedError:
      return new RetryLaterError('Slack rate limit (429)', Math.max(1, e.retryAfter ?? 1) * 1000);
    case SlackErrorCode.HTTPError:
      return new RetryLaterError(`Slack answered HTTP ${e.statusCode ?? '?'}`, 2_000);
    case SlackErrorCode.RequestError:
      return new RetryLaterError('Slack could not be reached', 2_000);
    case SlackErrorCode.PlatformError:
      if (e.data?.error === 'ratelimited') return new RetryLaterError('Slack rate limit', 5_000);
      if (isPermanentSlackError(error)) return error;
      // invalid_auth, account_inactive, …: an operator has to fix the token; keep the events and try again slowly.
      return new RetryLaterError(`Slack refused: ${e.data?.error ?? 'unknown error'}`, 60_000);
    default:
      return error;
  }
}
