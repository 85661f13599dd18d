/**
 * A hosted platform's REST API as providers and Supabase's Management API client call it: one outbound client, answers checked with zod
 * (a malformed answer is a provider error naming the path of the problem, never a crash), and
 * errors a person can act on: 401/403 name the token's variable and the access it needs, 404 the id
 * from the catalog, 429 and 5xx are retried by the client (Retry-After honoured) before they surface.
 */
import type { z } from 'zod';
import { ProviderError } from '../domain/errors';
import type { HttpClient, HttpMethod, HttpResponse } from './http-client';
import { describeDuration, HttpBodyError, HttpTransportError } from './http-errors';

export interface PlatformApiOptions {
  /** How people name the platform: `Render`. */
  platform: string;
  /** For logs: `render`. */
  label: string;
  baseUrl: string;
  /** Authorization and content negotiation, sent on every call. */
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  /** Where the token comes from: "the token in RENDER_API_KEY (services…provider.token)". */
  tokenHint: string;
  /** What the token must be allowed to do: "a Render API key of a member of the service's workspace". */
  access: string;
  /** What a 404 most likely means: "service srv-123 (services…provider.render.serviceId)". */
  subject: string;
  /** Query parameters sent on every call (Vercel's `teamId`). */
  query?: Record<string, string>;
}

export type Query = Record<string, string | number | boolean | undefined | readonly string[]>;

export interface CallOptions {
  query?: Query;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  /** A change that may safely be repeated (setting a value): the client retries it like a read. */
  idempotent?: boolean;
}

/** A change that got no HTTP answer: it may or may not have taken effect. */
export class UnansweredCall extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${method} ${path} got no answer (${reason})`);
    this.name = 'UnansweredCall';
  }
}

/** The first few problems of a failed parse, each with its path: `[0].deploy.status: expected string`. */
export function describeIssues(error: z.ZodError, limit = 3): string {
  const parts = error.issues.slice(0, limit).map((issue) => `${issue.path.length ? formatIssuePath(issue.path) : '(root)'}: ${issue.message}`);
  return parts.join('; ') + (error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '');
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

/**
 * The platform's own words from an error body (Render/Heroku `message`, Vercel `error.message`,
 * Fly and bluegreen `error`), short, and without `secret` in case the platform echoes it.
 */
export function serverWords(response: HttpResponse, secret?: string): string | undefined {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; error?: unknown };
  const nested = b.error && typeof b.error === 'object' ? (b.error as { message?: unknown }).message : undefined;
  const found = [b.message, nested, b.error].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (!found) return undefined;
  const said = secret ? found.split(secret).join('[redacted]') : found;
  return said.length > 200 ? `${said.slice(0, 197)}...` : said;
}

export class PlatformApi {
  constructor(
    private readonly options: PlatformApiOptions,
    private readonly http: HttpClient,
  ) {}

  get platform(): string {
    return this.options.platform;
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries({ ...this.options.query, ...query })) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value as readonly string[]) url.searchParams.append(name, item);
      else url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /**
   * A read: retried by the client on 5xx, 429 and network errors; any other non-2xx is a
   * ProviderError. With `json` it is a POST that only reads (a GraphQL query).
   */
  async read<T extends z.ZodType>(path: string, schema: T, options: CallOptions & { json?: unknown } = {}): Promise<{ data: z.output<T>; response: HttpResponse }> {
    const method = options.json === undefined ? 'GET' : 'POST';
    const response = await this.send(method, path, options, { idempotent: true });
    if (response.status < 200 || response.status >= 300) throw this.answerError(method, path, response);
    return { data: this.parse(schema, response, method, path), response };
  }

  /**
   * A change: the client never repeats it after it may have been sent (only a 429 or a refused
   * connection, which provably did nothing). Answers with the response whatever its status; throws
   * UnansweredCall when no answer came, so the caller can look for the effect before deciding.
   */
  async change(method: HttpMethod, path: string, json: unknown, options: CallOptions = {}): Promise<HttpResponse> {
    try {
      return await this.http.request({
        method,
        url: this.url(path, options.query),
        headers: { ...this.options.headers, ...options.headers },
        json,
        idempotent: options.idempotent ?? false,
        timeoutMs: this.options.timeoutMs,
        retries: this.options.retries,
        label: this.options.label,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      // Refused before sending: nothing happened, say so plainly.
      if (error.code === 'ECONNREFUSED') throw this.transportError(error, method, path);
      throw new UnansweredCall(method, path, error.kind === 'timeout' ? `no answer within ${describeDuration(error.timeoutMs ?? this.options.timeoutMs)}` : error.reason);
    }
  }

  /** Parses a 2xx answer; a body that is not what the platform documents is a ProviderError with the path of the problem. */
  parse<T extends z.ZodType>(schema: T, response: HttpResponse, method: string, path: string): z.output<T> {
    let body: unknown;
    try {
      body = response.json();
    } catch (error) {
      if (!(error instanceof HttpBodyError)) throw error;
      throw new ProviderError(`${this.platform} answered ${method} ${path} with a body that is not JSON.`, true, { status: response.status });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ProviderError(`${this.platform} answered ${method} ${path} with something Rewind cannot read (${describeIssues(parsed.error)}).`, false, { status: response.status });
    }
    return parsed.data;
  }

  /** What a non-2xx answer means, in words a person can act on. */
  answerError(method: string, path: string, response: HttpResponse): ProviderError {
    const { status } = response;
    const said = serverWords(response);
    const quoted = said ? ` ("${said}")` : '';
    const { platform } = this;
    if (status === 401) return new ProviderError(`${platform} refused the token (401 on ${method} ${path})${quoted}: check ${this.options.tokenHint}.`, false, { status });
    if (status === 403) {
      return new ProviderError(`${platform} does not let this token ${method === 'GET' ? 'read' : 'change'} it (403 on ${method} ${path})${quoted}: ${this.options.tokenHint} needs ${this.options.access}.`, false, { status });
    }
    if (status === 404) return new ProviderError(`${platform} knows no ${this.options.subject} (404 on ${method} ${path})${quoted}: check the id in the catalog.`, false, { status });
    if (status === 429) {
      const wait = response.headers['retry-after'] ?? response.headers['ratelimit-reset'];
      return new ProviderError(`${platform} is rate limiting Rewind (429 on ${method} ${path})${wait ? `; it asks to wait ${wait} s` : ''}.`, true, { status });
    }
    const retryable = status >= 500 || status === 408;
    return new ProviderError(`${platform} answered ${status} to ${method} ${path}${quoted}.`, retryable, { status });
  }

  private async send(method: HttpMethod, path: string, options: CallOptions & { json?: unknown }, flags: { idempotent: boolean }): Promise<HttpResponse> {
    try {
      return await this.http.request({
        method,
        url: this.url(path, options.query),
        headers: { ...this.options.headers, ...options.headers },
        ...(options.json !== undefined ? { json: options.json } : {}),
        idempotent: flags.idempotent,
        timeoutMs: this.options.timeoutMs,
        retries: this.options.retries,
        label: this.options.label,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof HttpTransportError) throw this.transportError(error, method, path);
      throw error;
    }
  }

  private transportError(error: HttpTransportError, method: string, path: string): ProviderError {
    const what =
      error.kind === 'timeout'
        ? `did not answer ${method} ${path} within ${describeDuration(error.timeoutMs ?? this.options.timeoutMs)}`
        : `could not be reached for ${method} ${path} (${error.reason})`;
    return new ProviderError(`${this.platform} ${what}`, true, { kind: error.kind, code: error.code });
  }
}
