/**
 * The Supabase Management API calls a point-in-time restore needs (PROVIDERS.md §8): the project's
 * PITR settings and window, the restore request, and the project's status. Answers are checked with
 * zod, a 429 is waited out as its X-RateLimit-Reset asks, and errors say what to fix without the token.
 */
import { z } from 'zod';
import { OutcomeUnknownError, ProviderError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { SecretScrubber } from '../observability/secret-scrubber';
import { parseRetryAfter, type HttpClient, type HttpMethod, type HttpResponse } from '../outbound/http-client';
import { describeDuration, HttpBodyError, HttpTransportError } from '../outbound/http-errors';
import { describeIssues } from '../outbound/platform-api';

/** Per request; the restore's own wait is the step's `timeout`. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Waits for a rate limit to reset before a call gives up: Supabase's limit is per minute. */
const RATE_LIMIT_WAITS = 3;
/** A reset further off than this is not waited for (the limit is per minute; a minute and a bit covers it). */
const RATE_LIMIT_WAIT_CAP_MS = 65_000;
/** When a 429 says nothing of when it ends: the rest of the minute at most. */
const RATE_LIMIT_UNKNOWN_WAIT_MS = 60_000;
/** X-RateLimit-Reset counts whole seconds; one more keeps the next request past the reset. */
const RATE_LIMIT_MARGIN_MS = 1_000;
/** Extra tries of a read after a 5xx or a network failure. */
const READ_RETRIES = 2;
const READ_BACKOFF_MS = 1_000;
/** Failures where the request provably never reached Supabase. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);
/** Mistakes in the request itself (a wrong apiUrl): repeating cannot help. */
const HOPELESS_CODES = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'UND_ERR_INVALID_ARG']);

/** Unix seconds; Supabase leaves the window's edges out (or null) until it has them. */
const UnixSeconds = z.number().nonnegative().nullish();

/** GET /v1/projects/{ref}/database/backups. Only `pitr_enabled` is needed; the rest is tolerated missing. */
export const BackupsAnswer = z.looseObject({
  region: z.string().nullish(),
  walg_enabled: z.boolean().nullish(),
  pitr_enabled: z.boolean(),
  backups: z.array(z.looseObject({ status: z.string().nullish(), inserted_at: z.string().nullish(), is_physical_backup: z.boolean().nullish() })).nullish(),
  physical_backup_data: z.looseObject({ earliest_physical_backup_date_unix: UnixSeconds, latest_physical_backup_date_unix: UnixSeconds }).nullish(),
});

/** GET /v1/projects/{ref}: a status string, not an enum, so a status added later is still read. */
export const ProjectAnswer = z.looseObject({ status: z.string().min(1) });

/** The span a point-in-time restore can return to, in unix seconds, as far as Supabase reports it. */
export interface PitrWindow {
  earliest?: number;
  latest?: number;
}

export interface PitrSettings {
  enabled: boolean;
  window: PitrWindow;
}

export interface SupabaseApiOptions {
  project: string;
  token: string;
  apiUrl: string;
  /** Where the token is set, for errors: "the supabase-pitr step's token". */
  tokenHint?: string;
}

/** `2025-03-01 00:00:00 UTC`: a moment as approvers compare it with their own notes. */
export function utcOf(unixSeconds: number): string {
  return new Date(unixSeconds * 1_000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** Where `moment` (unix seconds) lies against the window: inside, or which edge it is past. */
export function outsideWindow(moment: number, window: PitrWindow): 'too-old' | 'too-new' | undefined {
  if (window.earliest !== undefined && moment < window.earliest) return 'too-old';
  if (window.latest !== undefined && moment > window.latest) return 'too-new';
  return undefined;
}

export class SupabaseManagementApi {
  private readonly scrubber: SecretScrubber;
  private readonly tokenHint: string;

  constructor(
    private readonly options: SupabaseApiOptions,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.scrubber = new SecretScrubber([options.token]);
    this.tokenHint = options.tokenHint ?? "the supabase-pitr step's token";
  }

  get project(): string {
    return this.options.project;
  }

  async pitrSettings(signal?: AbortSignal): Promise<PitrSettings> {
    const answer = await this.read(`${this.projectPath}/database/backups`, BackupsAnswer, signal);
    const data = answer.physical_backup_data;
    const window: PitrWindow = {};
    if (typeof data?.earliest_physical_backup_date_unix === 'number') window.earliest = data.earliest_physical_backup_date_unix;
    if (typeof data?.latest_physical_backup_date_unix === 'number') window.latest = data.latest_physical_backup_date_unix;
    return { enabled: answer.pitr_enabled, window };
  }

  /** The project's status: ACTIVE_HEALTHY, RESTORING, COMING_UP, RESTORE_FAILED, … */
  async projectStatus(signal?: AbortSignal): Promise<string> {
    return (await this.read(this.projectPath, ProjectAnswer, signal)).status;
  }

  /**
   * Asks Supabase to restore the project to `recoveryTimeUnix`. Sent once: a restore is not
   * idempotent, so an answer that leaves its fate open (5xx, timeout, dropped connection) is an
   * OutcomeUnknownError and never a second request. Only a 429 is sent again: the limiter refused it
   * before anything ran.
   */
  async restorePitr(recoveryTimeUnix: number, signal?: AbortSignal): Promise<void> {
    const path = `${this.projectPath}/database/backups/restore-pitr`;
    let response: HttpResponse;
    try {
      response = await this.send('POST', path, { recovery_time_target_unix: recoveryTimeUnix }, signal);
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      // Refused before sending, or a request that could never be sent: nothing happened.
      if (NOT_SENT_CODES.has(error.code) || HOPELESS_CODES.has(error.code)) throw this.unreachable(error, 'POST', path, ' Nothing was requested.');
      throw this.maybeRequested(`The restore request for project ${this.options.project} got no answer (${error.reason})`);
    }
    if (response.status >= 200 && response.status < 300) return;
    if (response.status >= 500) throw this.maybeRequested(`Supabase answered ${response.status} to the restore request for project ${this.options.project}${this.quoted(response)}`);
    throw this.refusal('POST', path, response, ' Nothing was restored.');
  }

  private get projectPath(): string {
    return `/v1/projects/${encodeURIComponent(this.options.project)}`;
  }

  private async read<T extends z.ZodType>(path: string, schema: T, signal: AbortSignal | undefined): Promise<z.output<T>> {
    let response: HttpResponse;
    try {
      response = await this.send('GET', path, undefined, signal);
    } catch (error) {
      throw error instanceof HttpTransportError ? this.unreachable(error, 'GET', path, '') : error;
    }
    if (response.status < 200 || response.status >= 300) throw this.refusal('GET', path, response, '');
    let body: unknown;
    try {
      body = response.json();
    } catch (error) {
      if (!(error instanceof HttpBodyError)) throw error;
      throw new ProviderError(`Supabase answered GET ${path} with a body that is not JSON; check the step's apiUrl (${this.options.apiUrl}).`, true, { status: response.status });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ProviderError(`Supabase answered GET ${path} with something Rewind cannot read (${describeIssues(parsed.error)}).`, false, { status: response.status });
    return parsed.data;
  }

  /**
   * One call, its own retries decided here rather than by the client: a 429 waits for the reset
   * Supabase announces (the client would only back off a fraction of a second), and a read is
   * tried again after a 5xx or a network failure. A change is only ever sent again after a 429.
   */
  private async send(method: HttpMethod, path: string, json: unknown, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const read = method === 'GET';
    let rateLimited = 0;
    let failed = 0;
    for (;;) {
      let response: HttpResponse;
      try {
        response = await this.deps.http.request({
          method,
          url: `${this.options.apiUrl.replace(/\/+$/, '')}${path}`,
          headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
          ...(json !== undefined ? { json } : {}),
          idempotent: read,
          retries: 0,
          timeoutMs: REQUEST_TIMEOUT_MS,
          label: 'supabase',
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (!(error instanceof HttpTransportError) || !read || HOPELESS_CODES.has(error.code) || failed >= READ_RETRIES) throw error;
        await this.deps.clock.sleep(READ_BACKOFF_MS * 2 ** failed++, signal);
        continue;
      }
      if (response.status === 429 && rateLimited < RATE_LIMIT_WAITS) {
        rateLimited++;
        await this.deps.clock.sleep(this.rateLimitWait(response), signal);
        continue;
      }
      if (read && response.status >= 500 && failed < READ_RETRIES) {
        await this.deps.clock.sleep(READ_BACKOFF_MS * 2 ** failed++, signal);
        continue;
      }
      return response;
    }
  }

  /** Retry-After when sent; else X-RateLimit-Reset, documented as seconds remaining (an epoch time is read as one). */
  private rateLimitWait(response: HttpResponse): number {
    const now = this.deps.clock.now();
    const retryAfter = response.headers['retry-after'];
    const asked = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter, now);
    if (asked !== undefined) return Math.min(RATE_LIMIT_WAIT_CAP_MS, asked);
    const reset = Number(response.headers['x-ratelimit-reset'] ?? Number.NaN);
    if (!Number.isFinite(reset) || reset < 0) return RATE_LIMIT_UNKNOWN_WAIT_MS;
    const ms = reset > 1e9 ? reset * 1_000 - now : reset * 1_000;
    return Math.min(RATE_LIMIT_WAIT_CAP_MS, Math.max(0, ms) + RATE_LIMIT_MARGIN_MS);
  }

  /** A non-2xx answer that settles the matter, in words a person can act on. */
  private refusal(method: string, path: string, response: HttpResponse, after: string): ProviderError {
    const { status } = response;
    const on = `(${status} on ${method} ${path})${this.quoted(response)}`;
    const { project } = this.options;
    let message: string;
    if (status === 401) {
      message = `Supabase refused the token ${on}: check ${this.tokenHint}; it must be a valid Supabase personal access token (or OAuth token) of an account with access to project ${project}.`;
    } else if (status === 403) {
      message = `Supabase does not let this token ${method === 'GET' ? 'read' : 'change'} project ${project} ${on}: ${this.tokenHint} needs access to the project's organization (OAuth scopes database:read, database:write and projects:read).`;
    } else if (status === 404) {
      message = `Supabase knows no project ${project} ${on}: check the step's project ref (the subdomain of <ref>.supabase.co) and that the token's account can see the project.`;
    } else if (status === 429) {
      const limit = response.headers['x-ratelimit-limit'];
      message = `Supabase is still rate limiting Rewind after ${RATE_LIMIT_WAITS} waits ${on}${limit ? `; it allows ${limit} requests a minute` : ''}: other tools using the same token share the limit; try again in a minute.`;
    } else if (status >= 500) {
      message = `Supabase answered ${status} to ${method} ${path}${this.quoted(response)}: it may be having trouble; check https://status.supabase.com and try again.`;
    } else {
      message = `Supabase refused ${method} ${path} with ${status}${this.quoted(response)}.`;
    }
    return new ProviderError(this.scrubber.scrub(message + after), status === 429 || status >= 500, { status });
  }

  private unreachable(error: HttpTransportError, method: string, path: string, after: string): ProviderError {
    const what = error.kind === 'timeout' ? `did not answer ${method} ${path} within ${describeDuration(error.timeoutMs ?? REQUEST_TIMEOUT_MS)}` : `could not be reached for ${method} ${path} (${error.reason})`;
    return new ProviderError(`Supabase ${what}: check the step's apiUrl (${this.options.apiUrl}) and the worker's network.${after}`, !HOPELESS_CODES.has(error.code), { kind: error.kind, code: error.code });
  }

  private maybeRequested(what: string): OutcomeUnknownError {
    return new OutcomeUnknownError(
      this.scrubber.scrub(`${what}, so the restore may have been requested: check the project in the Supabase dashboard (its status, and Database → Backups) before asking again. Rewind does not send a restore twice.`),
      { project: this.options.project },
    );
  }

  /** ` ("…")`: Supabase's own words from an error body ({message}, {error}, {detail} or text), short and without the token. */
  private quoted(response: HttpResponse): string {
    const said = serverWords(response);
    return said ? ` ("${this.scrubber.scrub(said)}")` : '';
  }
}

function serverWords(response: HttpResponse): string | undefined {
  let found: string | undefined;
  try {
    const body = response.json();
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const nested = b['error'] && typeof b['error'] === 'object' ? (b['error'] as Record<string, unknown>)['message'] : undefined;
      found = [b['message'], nested, b['error'], b['detail'], b['msg']].find((v): v is string => typeof v === 'string' && v.trim().length > 0);
    } else if (typeof body === 'string') {
      found = body;
    }
  } catch {
    // Not JSON: plain text is Supabase's words; an HTML error page is not worth quoting.
    const text = response.text.trim();
    if (text && !text.startsWith('<')) found = text.split('\n')[0];
  }
  if (!found) return undefined;
  const words = found.trim();
  return words.length > 200 ? `${words.slice(0, 197)}...` : words;
}
