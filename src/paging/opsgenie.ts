/**
 * Opsgenie Alert API (docs.opsgenie.com, "Alert API"): every call carries `Authorization: GenieKey
 * <key>` (an API integration's key). Create is `POST {apiUrl}/v2/alerts` with `message` (≤ 130,
 * required), `alias` (≤ 512: the rollback's id, Opsgenie's de-duplication key), `description`
 * (≤ 15,000), `priority` P1…P5, `tags` (≤ 20), `details` (string → string), `entity` and `source`
 * (≤ 100). Close is `POST {apiUrl}/v2/alerts/{alias}/close?identifierType=alias` `{source, user,
 * note}`, and a note on an open alert `POST …/{alias}/notes?identifierType=alias` `{note, source,
 * user}`. Requests are processed asynchronously: each answers 202 `{result: "Request will be
 * processed", took, requestId}`; errors answer `{message, took, requestId}` (422 for a body it
 * rejects, 401/403 for a bad key, 429 when throttled).
 */
import type { Clock } from '../domain/ports';
import type { IncidentComms } from '../domain/incident-comms';
import type { HttpClient } from '../outbound/http-client';
import { checkAnswer, pageLevel, unreachable, type Page, type PageLevel, type Pager } from './pager';

export interface OpsgenieSettings {
  apiKey: string;
  apiUrl: string;
}

const LIMITS = { message: 130, description: 15_000, tag: 50, tags: 20, details: 7_500, detailValue: 500, note: 25_000, source: 100 } as const;
const PRIORITIES: Readonly<Record<PageLevel, string>> = { critical: 'P1', error: 'P2', warning: 'P3', info: 'P4' };
const TIMEOUT_MS = 10_000;
const SOURCE = 'Rewind';

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function refusalReason(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The milestone's facts and the thread links as lines, for a description or a note. */
function factLines(page: Page): string[] {
  return [...page.milestone.details.map((d) => `${d.label}: ${d.value}`), ...page.links.map((l) => `${l.text}: ${l.href}`)];
}

/** Details within Opsgenie's size limit: entries in order while they fit. */
function details(page: Page): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const { label, value } of [...page.milestone.details, ...page.links.map((l) => ({ label: l.text, value: l.href }))]) {
    const kept = cut(value, LIMITS.detailValue);
    if (size + label.length + kept.length > LIMITS.details) break;
    out[label] = kept;
    size += label.length + kept.length;
  }
  return out;
}

/** The create-alert body for a page (exported for tests). */
export function createAlert(page: Page): Record<string, unknown> {
  const { milestone } = page;
  const tags = ['rewind', 'rollback', `service:${page.service}`, `environment:${page.environment}`, `severity:${milestone.severity}`, milestone.kind].map((t) => cut(t, LIMITS.tag));
  return {
    message: cut(milestone.summary, LIMITS.message),
    alias: page.rollbackId,
    description: cut([milestone.summary, '', ...factLines(page)].join('\n'), LIMITS.description),
    priority: PRIORITIES[pageLevel(milestone)],
    tags: tags.slice(0, LIMITS.tags),
    details: details(page),
    entity: cut(`${page.service}/${page.environment}`, 512),
    source: SOURCE,
  };
}

export class Opsgenie implements Pager<OpsgenieSettings> {
  readonly name = 'opsgenie';
  readonly title = 'Opsgenie';

  constructor(
    private readonly http: HttpClient,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  settings(comms: IncidentComms): OpsgenieSettings | undefined {
    return comms.paging.opsgenie;
  }

  async trigger(settings: OpsgenieSettings, page: Page, open: boolean): Promise<void> {
    if (!open) {
      await this.call(settings, '/v2/alerts', createAlert(page));
      return;
    }
    // Opsgenie folds a create with an open alias into the open alert and keeps its text: say what happened in a note.
    const note = cut([page.milestone.summary, '', ...factLines(page)].join('\n'), LIMITS.note);
    await this.call(settings, `/v2/alerts/${encodeURIComponent(page.rollbackId)}/notes?identifierType=alias`, { note, source: SOURCE, user: SOURCE });
  }

  async resolve(settings: OpsgenieSettings, page: Page): Promise<void> {
    await this.call(settings, `/v2/alerts/${encodeURIComponent(page.rollbackId)}/close?identifierType=alias`, { source: SOURCE, user: SOURCE, note: cut(page.milestone.summary, LIMITS.note) });
  }

  private async call(settings: OpsgenieSettings, path: string, body: Record<string, unknown>): Promise<void> {
    const response = await this.http
      .request({
        method: 'POST',
        url: `${settings.apiUrl.replace(/\/+$/, '')}${path}`,
        headers: { authorization: `GenieKey ${settings.apiKey}` },
        json: body,
        retries: 0,
        timeoutMs: TIMEOUT_MS,
        label: 'opsgenie',
      })
      .catch((error: unknown) => unreachable(this.title, error));
    checkAnswer(this.title, response, refusalReason, this.clock.now());
  }
}
