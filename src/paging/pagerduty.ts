/**
 * PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event" and "Response Codes &
 * Retry Logic"): `POST {apiUrl}/v2/enqueue` with `routing_key` (the service integration's 32-character
 * key), `event_action` trigger|resolve and `dedup_key` — the rollback's id, so every event about one
 * rollback lands on one alert. A trigger's `payload` needs `summary` (≤ 1024), `source` and
 * `severity` (critical|error|warning|info); `component`, `group`, `class`, `timestamp` and
 * `custom_details` are optional, and `links` [{href, text}] attach the thread. PagerDuty answers
 * 202 `{status: "success", message: "Event processed", dedup_key}`; 400 `{status: "invalid event",
 * message: "Event object is invalid", errors: [...]}` must not be retried; 429 and 5xx must be.
 */
import type { Clock } from '../domain/ports';
import type { IncidentComms } from '../domain/incident-comms';
import type { HttpClient } from '../outbound/http-client';
import { checkAnswer, pageLevel, unreachable, type Page, type Pager } from './pager';

export interface PagerDutySettings {
  routingKey: string;
  apiUrl: string;
}

const SUMMARY_MAX = 1024;
const TIMEOUT_MS = 10_000;

/** What PagerDuty says about an event it refused: its message and the problems it lists. */
function refusalReason(body: unknown): string | undefined {
  const b = body as { message?: unknown; errors?: unknown } | null;
  const errors = Array.isArray(b?.errors) ? b.errors.filter((e): e is string => typeof e === 'string') : [];
  const message = typeof b?.message === 'string' ? b.message : undefined;
  return [message, errors.join('; ')].filter(Boolean).join(': ') || undefined;
}

/** The trigger event for a page (exported for tests). */
export function triggerEvent(routingKey: string, page: Page): Record<string, unknown> {
  const { milestone } = page;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: page.rollbackId,
    payload: {
      summary: milestone.summary.slice(0, SUMMARY_MAX),
      source: `${page.service}/${page.environment}`,
      severity: pageLevel(milestone),
      timestamp: new Date(page.at).toISOString(),
      component: page.service,
      group: page.environment,
      class: `rollback ${milestone.kind}`,
      custom_details: Object.fromEntries(milestone.details.map((d) => [d.label, d.value])),
    },
    ...(page.links.length > 0 ? { links: page.links } : {}),
    client: 'Rewind',
  };
}

export class PagerDuty implements Pager<PagerDutySettings> {
  readonly name = 'pagerduty';
  readonly title = 'PagerDuty';

  constructor(
    private readonly http: HttpClient,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  settings(comms: IncidentComms): PagerDutySettings | undefined {
    return comms.paging.pagerduty;
  }

  async trigger(settings: PagerDutySettings, page: Page): Promise<void> {
    // A second trigger on an open alert is how PagerDuty takes an update: it adds to the alert's log.
    await this.enqueue(settings, triggerEvent(settings.routingKey, page));
  }

  async resolve(settings: PagerDutySettings, page: Page): Promise<void> {
    await this.enqueue(settings, { routing_key: settings.routingKey, event_action: 'resolve', dedup_key: page.rollbackId });
  }

  private async enqueue(settings: PagerDutySettings, event: Record<string, unknown>): Promise<void> {
    // No retries inside the call: the outbox retries, after Retry-After, without holding anything up.
    const response = await this.http
      .request({ method: 'POST', url: `${settings.apiUrl.replace(/\/+$/, '')}/v2/enqueue`, json: event, retries: 0, timeoutMs: TIMEOUT_MS, label: 'pagerduty' })
      .catch((error: unknown) => unreachable(this.title, error));
    checkAnswer(this.title, response, refusalReason, this.clock.now());
  }
}
