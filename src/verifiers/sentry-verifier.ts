/**
 * The `sentry` check: fewer than `below` errors reached Sentry since the rollback went live (seed
 * 003: "verify no critical errors in the last 15 minutes"), counted with the documented Discover
 * table endpoint. Sentry ingests with a lag of a minute or two, so a window younger than that, an
 * answer without a count, or a Sentry that cannot be asked is inconclusive: never a pass.
 */
import { z } from 'zod';
import type { SentryCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import type { Release } from '../domain/release';
import type { CheckResult, CheckStatus } from '../domain/verification';
import { SecretScrubber } from '../observability/secret-scrubber';
import type { HttpClient, HttpResponse } from '../outbound/http-client';
import { describeDuration } from '../outbound/http-errors';
import { measure } from './measure';

/** Below this the newest, still-ingesting minutes dominate the count (PROVIDERS.md §9 pitfalls). */
const MIN_WINDOW_MS = 2 * 60_000;
/** Requests in all when Sentry answers 429. */
const RATE_LIMIT_ATTEMPTS = 3;
/** The longest a rate limit's reset may hold a verification up. */
const RATE_LIMIT_WAIT_CAP_MS = 30_000;
const RATE_LIMIT_WAIT_MIN_MS = 1_000;

const TableAnswer = z.object({ data: z.array(z.record(z.string(), z.unknown())) });
const ErrorAnswer = z.object({ detail: z.string() });

interface Window {
  start: number;
  end: number;
  /** The window was cut to start when the rollback went live. */
  clipped: boolean;
}

interface Reading {
  outcome: CheckStatus;
  text: string;
  count?: number;
}

export class SentryVerifier implements Verifier {
  readonly type = 'sentry';
  readonly name: string;
  private readonly scrubber: SecretScrubber;

  constructor(
    private readonly check: SentryCheckConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.name = check.name ?? 'sentry';
    this.scrubber = new SecretScrubber([check.token]);
  }

  async verify({ target, signal, since }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const reading = await this.read(target, since, signal);
    const text = this.scrubber.scrub(reading.text);
    return {
      name: this.name,
      type: this.type,
      status: reading.outcome,
      measured: text,
      threshold: this.threshold(target),
      durationMs: clock.now() - started,
      samples: [{ at: clock.now(), outcome: reading.outcome, ...(reading.count !== undefined ? { value: String(reading.count) } : {}), note: text }],
    };
  }

  private async read(target: Release, since: number | undefined, signal: AbortSignal | undefined): Promise<Reading> {
    if (this.check.release && target.versionUnknown) {
      return { outcome: 'inconclusive', text: `the target (${target.version}) has no known release to count errors of` };
    }
    const window = this.window(since);
    const span = window.end - window.start;
    if (span < MIN_WINDOW_MS) {
      const which = window.clipped ? 'the window since the rollback' : 'the window';
      return { outcome: 'inconclusive', text: `${which} is only ${describeDuration(Math.max(0, span))}; Sentry needs a few minutes to ingest` };
    }
    const answered = await this.ask(this.url(target, window), signal);
    if ('text' in answered) return answered;
    const count = countOf(answered.response);
    if (typeof count === 'string') return { outcome: 'inconclusive', text: count };
    const outcome = count < this.check.below ? 'pass' : 'fail';
    return { outcome, count, text: `${count} error${count === 1 ? '' : 's'} ${this.describeWindow(window)}${this.describeFilters(target)}` };
  }

  /** From `window` ago, or from when the rollback went live if that is later, to now. */
  private window(since: number | undefined): Window {
    const end = this.deps.clock.now();
    const full = end - this.check.window;
    return since !== undefined && since > full ? { start: since, end, clipped: true } : { start: full, end, clipped: false };
  }

  private url(target: Release, window: Window): string {
    const params = new URLSearchParams({ field: 'count()', dataset: 'errors', project: this.check.project });
    if (this.check.environment !== undefined) params.set('environment', this.check.environment);
    if (this.check.release) params.set('query', `release:${quote(target.version)}`);
    params.set('start', iso(window.start));
    params.set('end', iso(window.end));
    return `${this.check.apiUrl.replace(/\/+$/, '')}/api/0/organizations/${encodeURIComponent(this.check.org)}/events/?${params.toString()}`;
  }

  /**
   * One count, waiting out a rate limit a couple of times: Sentry says when it resets (epoch
   * seconds) rather than sending Retry-After. Any other answer is returned as it is.
   */
  private async ask(url: string, signal: AbortSignal | undefined): Promise<{ response: HttpResponse } | Reading> {
    const headers = { accept: 'application/json', authorization: `Bearer ${this.check.token}` };
    for (let attempt = 1; ; attempt++) {
      const result = await measure(this.deps.http, { url, headers, timeoutMs: this.check.timeout, checkName: this.name, signal });
      if ('unreachable' in result) return { outcome: 'inconclusive', text: `Sentry unreachable: ${result.unreachable}` };
      const { response } = result;
      if (response.status === 429 && attempt < RATE_LIMIT_ATTEMPTS) {
        await this.deps.clock.sleep(this.rateLimitWait(response), signal);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return { response };
      return { outcome: 'inconclusive', text: this.refusal(response, attempt) };
    }
  }

  private rateLimitWait(response: HttpResponse): number {
    const reset = Number(response.headers['x-sentry-rate-limit-reset']);
    if (!Number.isFinite(reset) || reset <= 0) return RATE_LIMIT_WAIT_MIN_MS;
    const wait = reset * 1_000 - this.deps.clock.now();
    return Math.min(RATE_LIMIT_WAIT_CAP_MS, Math.max(RATE_LIMIT_WAIT_MIN_MS, wait));
  }

  /** Why Sentry gave no count, with what to fix where Rewind can tell. */
  private refusal(response: HttpResponse, attempts: number): string {
    const said = detailOf(response);
    const because = said ? `: ${said}` : '';
    const { org, project } = this.check;
    switch (response.status) {
      case 401:
        return `Sentry refused the token (401); check it is valid and has the org:read scope`;
      case 403:
        return `Sentry denied access to project ${project} of "${org}" (403); the token needs org:read and access to that project${because}`;
      case 404:
        return `Sentry found no organization "${org}" (404); check org and project ${project}${because}`;
      case 400:
        return `Sentry rejected the query (400)${because}`;
      case 429:
        return `Sentry rate limit (429) still exceeded after ${attempts} attempts${because}`;
      default:
        return `Sentry answered ${response.status}${because}`;
    }
  }

  private describeWindow(window: Window): string {
    const span = describeDuration(window.end - window.start);
    return window.clipped ? `in the ${span} since the rollback went live` : `in the last ${span}`;
  }

  private describeFilters(target: Release): string {
    const parts: string[] = [];
    if (this.check.release) parts.push(`release:${target.version}`);
    if (this.check.environment !== undefined) parts.push(`environment ${this.check.environment}`);
    return parts.length ? ` (${parts.join(', ')})` : '';
  }

  private threshold(target: Release): string {
    return `< ${this.check.below} errors in ${describeDuration(this.check.window)}, from the rollback at the earliest${this.describeFilters(target)}`;
  }
}

/** The count of the table's single row, or why there is none. */
function countOf(response: HttpResponse): number | string {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return `Sentry answered ${response.status} with a body that is not JSON`;
  }
  const table = TableAnswer.safeParse(body);
  if (!table.success) return 'unexpected answer from Sentry (no data table)';
  const row = table.data.data[0];
  if (!row) return 'Sentry returned no data row for the window';
  const count = row['count()'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return 'Sentry returned no count() in its data row';
  return count;
}

function detailOf(response: HttpResponse): string | undefined {
  try {
    const parsed = ErrorAnswer.safeParse(response.json());
    return parsed.success ? parsed.data.detail.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** Sentry's search syntax: a quoted value may hold spaces; `"` and `\` are escaped. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** ISO 8601 to the second: the window's edges need no finer grain. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
