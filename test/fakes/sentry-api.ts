/**
 * A local stand-in for Sentry's Discover table endpoint (PROVIDERS.md §9):
 * `GET /api/0/organizations/{org}/events/?field=count()&dataset=errors&project=ID&…` answering
 * `{"data": [{"count()": N}], "meta": …}` from a list of error events. It is as strict as the
 * verifier needs Sentry to be (Bearer token, numeric project, ISO start/end, only `release:`
 * queries) and can answer a rate limit, a server error or a bad query instead.
 */
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest } from './http-fake-base';

export interface SentryEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  environment?: string;
  release?: string;
  /** Defaults to the fake's project. */
  project?: string;
}

export type SentryFailure =
  | { kind: 'rate-limit'; /** Epoch seconds the limit resets at. */ reset: number; count?: number }
  | { kind: 'server-error'; status?: number; count?: number }
  | { kind: 'bad-query'; detail: string; count?: number }
  | { kind: 'no-data'; count?: number };

export interface SentryQuery {
  org: string;
  authorization: string | undefined;
  params: Record<string, string[]>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const detail = (status: number, text: string, headers?: Record<string, string>): FakeAnswer => ({ status, body: { detail: text }, ...(headers ? { headers } : {}) });

export class FakeSentry {
  /** Every request to the events endpoint, in order (including refused ones). */
  readonly queries: SentryQuery[] = [];
  private readonly events: SentryEvent[] = [];
  private readonly failures = new FailureQueue<SentryFailure>();

  private constructor(
    private readonly server: HttpFakeServer,
    readonly options: { token: string; org: string; project: string },
  ) {}

  static async start(options: { token: string; org?: string; project?: string }): Promise<FakeSentry> {
    // The server needs its handler before the fake that handles exists.
    const holder: { fake?: FakeSentry } = {};
    const server = await HttpFakeServer.listen('fake Sentry', (request) => holder.fake!.handle(request));
    holder.fake = new FakeSentry(server, { org: 'acme', project: '4501', ...options });
    return holder.fake;
  }

  /** `http://127.0.0.1:PORT`, the check's `apiUrl`. */
  get url(): string {
    return this.server.base;
  }

  add(...events: SentryEvent[]): this {
    this.events.push(...events);
    return this;
  }

  fail(failure: SentryFailure): this {
    this.failures.add('events', failure);
    return this;
  }

  /** The query parameter `name` of the last request. */
  lastParam(name: string): string | undefined {
    return this.queries.at(-1)?.params[name]?.[0];
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: FakeRequest): FakeAnswer {
    const match = /^\/api\/0\/organizations\/([^/]+)\/events\/$/.exec(request.url.pathname);
    if (request.method !== 'GET' || !match) return detail(404, 'The requested resource does not exist');
    const params: Record<string, string[]> = {};
    for (const [name, value] of request.url.searchParams) (params[name] ??= []).push(value);
    const authorization = request.headers.authorization;
    this.queries.push({ org: match[1]!, authorization, params });

    if (authorization !== `Bearer ${this.options.token}`) return detail(401, 'Invalid token');
    if (match[1] !== this.options.org) return detail(404, 'The requested resource does not exist');
    const failure = this.failures.take(() => true);
    if (failure?.kind === 'rate-limit') {
      return detail(429, 'You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds', {
        'x-sentry-rate-limit-limit': '40',
        'x-sentry-rate-limit-remaining': '0',
        'x-sentry-rate-limit-reset': String(failure.reset),
      });
    }
    if (failure?.kind === 'server-error') return detail(failure.status ?? 500, 'Internal Error');
    if (failure?.kind === 'bad-query') return detail(400, failure.detail);

    const problem = this.invalid(params);
    if (problem) return detail(400, problem);
    const project = params['project']![0]!;
    if (project !== this.options.project) return detail(403, 'You do not have permission to perform this action.');
    const rows = failure?.kind === 'no-data' ? [] : [{ 'count()': this.count(params) }];
    return { status: 200, body: { data: rows, meta: { fields: { 'count()': 'integer' }, units: { 'count()': null } } } };
  }

  /** What real Sentry would refuse with a 400, as the verifier could get it wrong. */
  private invalid(params: Record<string, string[]>): string | undefined {
    if (params['dataset']?.[0] !== 'errors') return 'this fake only answers dataset=errors';
    if (params['field']?.length !== 1 || params['field'][0] !== 'count()') return 'this fake only answers field=count()';
    const projects = params['project'] ?? [];
    if (projects.length !== 1 || !/^\d+$/.test(projects[0]!)) return 'Invalid project parameter. Values must be numbers.';
    for (const name of ['start', 'end']) {
      const value = params[name]?.[0];
      if (!value || !ISO.test(value)) return `${name} must be an ISO 8601 date`;
    }
    if (params['statsPeriod']) return 'statsPeriod cannot be used with start and end';
    const query = params['query']?.[0] ?? '';
    if (query !== '' && parseRelease(query) === undefined) return `Invalid query: ${query}`;
    return undefined;
  }

  private count(params: Record<string, string[]>): number {
    const start = Date.parse(params['start']![0]!);
    const end = Date.parse(params['end']![0]!);
    const environment = params['environment']?.[0];
    const query = params['query']?.[0] ?? '';
    const release = query === '' ? undefined : parseRelease(query);
    return this.events.filter(
      (e) =>
        e.timestamp >= start &&
        e.timestamp <= end &&
        (e.project ?? this.options.project) === this.options.project &&
        (environment === undefined || e.environment === environment) &&
        (release === undefined || e.release === release),
    ).length;
  }
}

/** `release:2.4.0` or `release:"my app@2.4.0"`; undefined for any other search. */
function parseRelease(query: string): string | undefined {
  const quoted = /^release:"((?:[^"\\]|\\.)*)"$/.exec(query);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  const bare = /^release:([^\s"]+)$/.exec(query);
  return bare?.[1];
}
