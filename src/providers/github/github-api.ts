/**
 * GitHub's REST API as the provider calls it: Octokit for the routes, Rewind's own HTTP client for
 * every byte (timeouts, retries, Retry-After), answers checked with zod, Link-header pages followed,
 * and errors a person can act on.
 */
import { Octokit } from '@octokit/rest';
import type { z } from 'zod';
import { ProviderError } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import { parseRetryAfter, type HttpClient, type HttpMethod, type HttpResponse } from '../../outbound/http-client';
import { describeDuration, HttpTransportError } from '../../outbound/http-errors';
import { describeIssues, UnansweredCall } from '../../outbound/platform-api';

/** GitHub caps `per_page` at 100. */
export const MAX_PAGE = 100;
/** The longest a rate limit may hold a call back before it becomes an error that says when it resets. */
const RATE_WAIT_CAP_MS = 60_000;
/** GitHub's advice for a secondary rate limit that names no time: wait at least a minute. */
const SECONDARY_WAIT_MS = 60_000;

export interface GithubApiOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  retries: number;
  tokenHint: string;
  /** What the token needs, for 403 and 404 answers. */
  access: string;
  /** What a 404 on the repository's routes most likely means. */
  repoSubject: string;
  /** What a 404 on the workflow's routes most likely means. */
  workflowSubject: string;
  /** What to check when GitHub refuses a dispatch with 422. */
  unprocessableHint: string;
}

export type Params = Record<string, unknown>;

/** What came back for one call, whatever its status. */
export interface Answer {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | null;
}

/** Octokit's RequestError, told by shape: its package is not a direct dependency. */
interface OctokitHttpError {
  status: number;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

function isOctokitHttpError(error: unknown): error is OctokitHttpError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number';
}

function stringHeaders(headers: Record<string, string | number | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

function nextLink(headers: Record<string, string>): string | undefined {
  return headers['link']?.match(/<([^>]+)>\s*;\s*rel="next"/)?.[1];
}

/** `GET /repos/{owner}/{repo}/deployments` with the params filled in, for messages. */
function expand(route: string, params: Params): { method: HttpMethod; path: string } {
  const [method = 'GET', template = '/'] = route.split(' ');
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name] ?? `{${name}}`)));
  return { method: method as HttpMethod, path };
}

export class GithubApi {
  private readonly octokit: Octokit;
  private readonly basePath: string;

  constructor(
    private readonly options: GithubApiOptions,
    private readonly http: HttpClient,
    private readonly clock: Clock,
  ) {
    // No `auth`: the token is added by the transport, as a Bearer header as GitHub documents.
    this.octokit = new Octokit({ baseUrl: options.baseUrl.replace(/\/+$/, ''), userAgent: 'rewind' });
    this.basePath = new URL(options.baseUrl).pathname.replace(/\/+$/, '');
  }

  /** A read, retried by the client on 5xx, 429 and network errors; any other non-2xx is a ProviderError. */
  async read<T extends z.ZodType>(route: string, params: Params, schema: T, signal?: AbortSignal): Promise<{ data: z.output<T>; next?: string }> {
    const { method, path } = expand(route, params);
    const answer = await this.readAnswer(route, params, path, signal);
    return this.checked(answer, schema, method, path);
  }

  /** Items of a list, following the `Link: rel="next"` pages until `max` items or the end. */
  async list<T extends z.ZodType<unknown[]>>(route: string, params: Params, schema: T, max: number, signal?: AbortSignal): Promise<z.output<T>> {
    const out: unknown[] = [];
    let page = await this.read(route, { ...params, per_page: Math.min(MAX_PAGE, Math.max(1, max)) }, schema, signal);
    for (;;) {
      out.push(...page.data);
      if (out.length >= max || !page.next) break;
      const path = this.pathOf(page.next);
      page = this.checked(await this.readAnswer(`GET ${page.next}`, {}, path, signal), schema, 'GET', path);
    }
    return out.slice(0, max) as z.output<T>;
  }

  /**
   * A change, never repeated after it may have been sent (a 429 or 403 rate limit, which provably
   * did nothing, is waited out). Answers whatever the status; throws UnansweredCall when no answer came.
   */
  async change(route: string, params: Params, signal?: AbortSignal): Promise<Answer> {
    const { method, path } = expand(route, params);
    try {
      return await this.send(route, params, false, signal);
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      if (error.code === 'ECONNREFUSED') throw this.transportError(error, method, path);
      throw new UnansweredCall(method, path, error.kind === 'timeout' ? `no answer within ${describeDuration(error.timeoutMs ?? this.options.timeoutMs)}` : error.reason);
    }
  }

  /** Parses a 2xx body; one GitHub does not document is a ProviderError naming the path of the problem. */
  parse<T extends z.ZodType>(schema: T, data: unknown, method: string, path: string): z.output<T> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ProviderError(`GitHub answered ${method} ${path} with something Rewind cannot read (${describeIssues(parsed.error)}).`, false);
    return parsed.data;
  }

  /** What a non-2xx answer means, in words a person can act on. */
  answerError(method: string, path: string, answer: Answer): ProviderError {
    const { status, headers } = answer;
    const said = this.serverWords(answer.data);
    const quoted = said ? ` ("${said}")` : '';
    const on = `(${status} on ${method} ${path})`;
    const { tokenHint, access } = this.options;
    if (status === 401) return new ProviderError(`GitHub refused the token ${on}${quoted}: check ${tokenHint}.`, false, { status });
    if (status === 429 || (status === 403 && this.rateLimited(headers, said))) {
      return new ProviderError(`GitHub is rate limiting Rewind ${on}${quoted}${this.resetText(headers)}.`, true, { status });
    }
    if (status === 403) return new ProviderError(`GitHub does not let this token ${method === 'GET' ? 'read' : 'change'} it ${on}${quoted}: ${tokenHint} needs ${access}.`, false, { status });
    if (status === 404) {
      // GitHub answers 404, not 403, for a private repository the token may not see.
      const subject = path.includes('/actions/workflows/') ? this.options.workflowSubject : this.options.repoSubject;
      return new ProviderError(`GitHub knows no ${subject}, or the token cannot see it ${on}${quoted}: check the catalog, and that ${tokenHint} has ${access}.`, false, { status });
    }
    if (status === 422) return new ProviderError(`GitHub refused ${method} ${path} ${on}${quoted}: ${this.options.unprocessableHint}.`, false, { status });
    const retryable = status >= 500 || status === 408;
    return new ProviderError(`GitHub answered ${status} to ${method} ${path}${quoted}.`, retryable, { status });
  }

  // ---- internals ----

  private async readAnswer(route: string, params: Params, path: string, signal?: AbortSignal): Promise<Answer> {
    try {
      return await this.send(route, params, true, signal);
    } catch (error) {
      if (error instanceof HttpTransportError) throw this.transportError(error, 'GET', path);
      throw error;
    }
  }

  private checked<T extends z.ZodType>(answer: Answer, schema: T, method: string, path: string): { data: z.output<T>; next?: string } {
    if (answer.status < 200 || answer.status >= 300) throw this.answerError(method, path, answer);
    const next = nextLink(answer.headers);
    return { data: this.parse(schema, answer.data, method, path), ...(next ? { next } : {}) };
  }

  /** One call through Octokit; a non-2xx is an answer, not a throw, and a transport failure is rethrown as it was. */
  private async send(route: string, params: Params, idempotent: boolean, signal?: AbortSignal): Promise<Answer> {
    const failure: { error?: HttpTransportError } = {};
    try {
      const answer = await this.octokit.request(route, { ...params, request: { fetch: this.fetchFor(failure, idempotent, signal), ...(signal ? { signal } : {}) } });
      return { status: answer.status, data: answer.data as unknown, headers: stringHeaders(answer.headers) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      // Octokit turns any fetch failure into a generic 500; the transport's own error says whether the call was sent.
      if (failure.error) throw failure.error;
      if (isOctokitHttpError(error)) return { status: error.status, data: error.response?.data, headers: stringHeaders(error.response?.headers) };
      throw error;
    }
  }

  /** Octokit's fetch, served by Rewind's HTTP client. */
  private fetchFor(failure: { error?: HttpTransportError }, idempotent: boolean, signal?: AbortSignal) {
    return async (url: string, init: FetchInit = {}): Promise<Response> => {
      try {
        const response = await this.exchange(url, init, idempotent, signal);
        const empty = response.status === 204 || response.status === 205 || response.status === 304;
        return new Response(empty ? null : response.text, { status: response.status, headers: response.headers });
      } catch (error) {
        if (error instanceof HttpTransportError) failure.error = error;
        throw error;
      }
    };
  }

  private async exchange(url: string, init: FetchInit, idempotent: boolean, signal?: AbortSignal): Promise<HttpResponse> {
    const request = {
      method: (init.method ?? 'GET').toUpperCase() as HttpMethod,
      url,
      headers: {
        ...init.headers,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        authorization: `Bearer ${this.options.token}`,
      },
      ...(init.body ? { json: JSON.parse(init.body) as unknown } : {}),
      idempotent,
      timeoutMs: this.options.timeoutMs,
      retries: this.options.retries,
      label: 'github',
      ...(signal ? { signal } : {}),
    };
    // The client already waits out a 429; GitHub also rate limits with 403, which it does not know.
    for (let attempt = 0; ; attempt++) {
      const response = await this.http.request(request);
      const wait = attempt < this.options.retries ? this.rateLimitWait(response) : undefined;
      if (wait === undefined) return response;
      await this.clock.sleep(wait, signal);
    }
  }

  private rateLimitWait(response: HttpResponse): number | undefined {
    if (response.status !== 403) return undefined;
    const said = this.serverWords(this.jsonOf(response));
    if (!this.rateLimited(response.headers, said)) return undefined;
    const now = this.clock.now();
    const retryAfter = response.headers['retry-after'];
    const reset = Number(response.headers['x-ratelimit-reset']);
    const ms =
      retryAfter !== undefined ? parseRetryAfter(retryAfter, now) : response.headers['x-ratelimit-remaining'] === '0' && reset > 0 ? Math.max(0, reset * 1_000 - now) : SECONDARY_WAIT_MS;
    return ms !== undefined && ms <= RATE_WAIT_CAP_MS ? ms : undefined;
  }

  private rateLimited(headers: Record<string, string>, said: string | undefined): boolean {
    return headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(said ?? '');
  }

  private resetText(headers: Record<string, string>): string {
    if (headers['retry-after']) return `; it asks to wait ${headers['retry-after']} s`;
    const reset = Number(headers['x-ratelimit-reset']);
    return reset > 0 ? `; the limit resets at ${new Date(reset * 1_000).toISOString()}` : '';
  }

  private jsonOf(response: HttpResponse): unknown {
    try {
      return response.json();
    } catch {
      return undefined;
    }
  }

  /** GitHub's `message`, short, and without the token in case it is echoed. */
  private serverWords(data: unknown): string | undefined {
    const message = data && typeof data === 'object' ? (data as { message?: unknown }).message : typeof data === 'string' ? data : undefined;
    if (typeof message !== 'string' || !message) return undefined;
    const said = message.split(this.options.token).join('[redacted]');
    return said.length > 200 ? `${said.slice(0, 197)}...` : said;
  }

  private pathOf(url: string): string {
    const path = new URL(url).pathname;
    return path.startsWith(this.basePath) ? path.slice(this.basePath.length) || '/' : path;
  }

  private transportError(error: HttpTransportError, method: string, path: string): ProviderError {
    const what =
      error.kind === 'timeout'
        ? `did not answer ${method} ${path} within ${describeDuration(error.timeoutMs ?? this.options.timeoutMs)}`
        : `could not be reached for ${method} ${path} (${error.reason})`;
    return new ProviderError(`GitHub ${what}`, true, { kind: error.kind, code: error.code });
  }
}
