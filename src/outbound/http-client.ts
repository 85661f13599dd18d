/**
 * Outbound HTTP for providers and verifiers over undici: per-attempt timeouts, retries with
 * exponential backoff and jitter that respect idempotency and Retry-After, and redacted logs.
 */
import { performance } from 'node:perf_hooks';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { Clock } from '../domain/ports';
import type { Logger } from '../observability/logger';
import { HttpBodyError, HttpTransportError, redactUrl } from './http-errors';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequestOptions {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Sent as a JSON body with `content-type: application/json`. */
  json?: unknown;
  /** Per attempt, covering the headers and the body. */
  timeoutMs?: number;
  /** Extra attempts after the first. */
  retries?: number;
  /** Whether repeating the request is harmless; GET and HEAD by default. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Who is calling, for logs (`bluegreen`, `verify:health`). */
  label?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON; throws HttpBodyError when it is not JSON. */
  json(): unknown;
  /** Time of the attempt that produced this response. */
  durationMs: number;
}

export interface HttpClientOptions {
  logger: Logger;
  clock: Clock;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  retries?: number;
  /** First backoff delay; doubles per attempt up to `backoffCapMs`. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** The longest wait a server's Retry-After may impose. */
  retryAfterCapMs?: number;
  /** Jitter source, in [0, 1). */
  random?: () => number;
  /** Told about every attempt (for metrics). */
  observer?: OutboundObserver;
}

/** What an attempt came to: the status class, or why no answer came. */
export type AttemptResult = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'network';

export interface OutboundObserver {
  attempted(target: string, result: AttemptResult, durationMs: number, willRetry: boolean): void;
}

/** Failures where the request never reached the server, so even a non-idempotent call may be repeated. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
/** Mistakes in the request itself: repeating it cannot help. */
const HOPELESS_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_URL', 'ENOTFOUND']);

type Attempt = { response: HttpResponse } | { error: HttpTransportError };

export class HttpClient {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly retryAfterCapMs: number;
  private readonly random: () => number;
  private readonly observer: OutboundObserver | undefined;

  constructor(options: HttpClientOptions) {
    this.logger = options.logger;
    this.clock = options.clock;
    this.dispatcher = options.dispatcher;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.backoffCapMs = options.backoffCapMs ?? 5_000;
    this.retryAfterCapMs = options.retryAfterCapMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.observer = options.observer;
  }

  /**
   * Answers with the response for any HTTP status once retries are spent (a 503 is data to a
   * verifier). Throws HttpTransportError when no answer came, or the caller's abort reason.
   */
  async request(options: HttpRequestOptions): Promise<HttpResponse> {
    const method = options.method;
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD');
    const retries = options.retries ?? this.retries;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const safeUrl = redactUrl(options.url);
    const log = { method, url: safeUrl, ...(options.label ? { label: options.label } : {}) };

    for (let attempt = 1; ; attempt++) {
      throwIfAborted(options.signal);
      const began = performance.now();
      const outcome = await this.attempt(options, safeUrl, timeoutMs);
      const lastTry = attempt > retries;
      let delayMs: number;
      if ('response' in outcome) {
        const { status } = outcome.response;
        this.logger.debug({ ...log, attempt, status, durationMs: outcome.response.durationMs }, 'http response');
        const final = lastTry || !retryableStatus(status, idempotent);
        this.observer?.attempted(options.label ?? 'other', `${Math.min(Math.max(Math.floor(status / 100), 1), 5)}xx` as AttemptResult, outcome.response.durationMs, !final);
        if (final) return outcome.response;
        delayMs = this.delayAfter(attempt, outcome.response);
        this.logger.warn({ ...log, attempt, status, delayMs }, 'http request will be retried');
      } else {
        const { error } = outcome;
        const final = lastTry || !retryableFailure(error, idempotent);
        this.observer?.attempted(options.label ?? 'other', error.kind, performance.now() - began, !final);
        if (final) {
          this.logger.warn({ ...log, attempt, reason: error.reason }, 'http request failed');
          throw error;
        }
        delayMs = this.backoff(attempt);
        this.logger.warn({ ...log, attempt, reason: error.reason, delayMs }, 'http request will be retried');
      }
      await this.clock.sleep(delayMs, options.signal);
    }
  }

  private async attempt(options: HttpRequestOptions, safeUrl: string, timeoutMs: number): Promise<Attempt> {
    const { method, signal } = options;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });

    const headers: Record<string, string> = { 'user-agent': 'rewind', ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}) };
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    const started = performance.now();
    try {
      const res = await undiciRequest(options.url, {
        method,
        headers,
        signal: controller.signal,
        ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      const text = await res.body.text();
      const durationMs = Math.round(performance.now() - started);
      const status = res.statusCode;
      return {
        response: {
          status,
          headers: flattenHeaders(res.headers),
          text,
          durationMs,
          json: () => {
            try {
              return JSON.parse(text) as unknown;
            } catch {
              throw new HttpBodyError(method, safeUrl, status);
            }
          },
        },
      };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (timedOut) return { error: new HttpTransportError(method, safeUrl, 'timeout', 'ETIMEDOUT', timeoutMs) };
      const code = errorCode(error);
      return { error: new HttpTransportError(method, safeUrl, TIMEOUT_CODES.has(code) ? 'timeout' : 'network', code, timeoutMs) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** (attempt - 1));
    // Equal jitter: never less than half the step, so retries still spread out under load.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private delayAfter(attempt: number, response: HttpResponse): number {
    if (response.status === 429 || response.status === 503) {
      const header = response.headers['retry-after'];
      const asked = header === undefined ? undefined : parseRetryAfter(header, this.clock.now());
      if (asked !== undefined) return Math.min(asked, this.retryAfterCapMs);
    }
    return this.backoff(attempt);
  }
}

function retryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  // 501 and 505 say the server will never do it; repeating cannot help.
  return idempotent && status >= 500 && status !== 501 && status !== 505;
}

function retryableFailure(error: HttpTransportError, idempotent: boolean): boolean {
  if (HOPELESS_CODES.has(error.code)) return false;
  return idempotent || NOT_SENT_CODES.has(error.code);
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1_000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function errorCode(error: unknown): string {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}
