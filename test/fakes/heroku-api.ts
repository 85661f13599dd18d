/**
 * A local fake of the Heroku Platform API (v3) for one app, following PROVIDERS.md §3: Bearer auth
 * and the `application/vnd.heroku+json; version=3` Accept header, releases listed by `Range`
 * (`version ..; max=N, order=desc`; 206 + `Next-Range` while truncated), `POST /apps/{app}/releases
 * {release: <uuid>}` → 201 with a new "Rollback to vN" release, error bodies `{id, message, url}`,
 * `RateLimit-Remaining` on every answer. A rollback release stays `pending` for two reads of it,
 * then succeeds (and becomes current) or fails. It also answers as the deployed app would
 * (`GET /app/version`), for verification.
 */
import { randomUUID } from 'node:crypto';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

export interface FakeHerokuRelease {
  id: string;
  version: number;
  status: 'pending' | 'succeeded' | 'failed';
  current: boolean;
  description: string;
  slug: { id: string } | null;
  user: { id: string; email: string };
  addon_plan_names: string[];
  app: { id: string; name: string };
  created_at: string;
  updated_at: string;
  output_stream_url: string | null;
}

/** What the next rollback calls get instead of the normal answer. */
export type HerokuRollbackFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

interface Range {
  attr: 'id' | 'version';
  start: string;
  startExclusive: boolean;
  end: string;
  endExclusive: boolean;
  max: number;
  order: 'asc' | 'desc';
}

const DEFAULT_PAGE = 200;
const MAX_PAGE = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Reads of a new release that still find it `pending`. */
const PENDING_READS = 2;

function error(status: number, id: string, message: string, extra: Record<string, string> = {}, headers?: Record<string, string>): FakeAnswer {
  return { status, body: { id, message, url: 'https://devcenter.heroku.com/articles/platform-api-reference', ...extra }, ...(headers ? { headers } : {}) };
}

/** `version ]117..; max=100, order=desc` as Heroku's Range grammar reads it; undefined when malformed. */
export function parseRange(header: string | undefined): Range | undefined {
  if (header === undefined) return { attr: 'id', start: '', startExclusive: false, end: '', endExclusive: false, max: DEFAULT_PAGE, order: 'asc' };
  const match = /^\s*(id|version)\s+(\]?)([^.;\s\][]*)\.\.([^;\s\][]*)(\[?)\s*(?:;\s*(.*))?$/.exec(header);
  if (!match) return undefined;
  const options = new Map(
    (match[6] ?? '')
      .split(/[,;]/)
      .map((part) => part.trim().split('='))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k.trim(), v.trim()]),
  );
  const max = Number(options.get('max') ?? DEFAULT_PAGE);
  const order = options.get('order') ?? 'asc';
  if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE || (order !== 'asc' && order !== 'desc')) return undefined;
  return { attr: match[1] as Range['attr'], start: match[3]!, startExclusive: match[2] === ']', end: match[4]!, endExclusive: match[5] === '[', max, order };
}

export class HerokuApiFake {
  readonly requests: { method: string; path: string; authorization?: string | undefined; range?: string | undefined; accept?: string | undefined }[] = [];
  /** POSTs to the releases endpoint, answered or not. */
  rollbackCalls = 0;
  /** Rollback releases Heroku actually created. */
  rollbacksApplied = 0;
  readonly app: { id: string; name: string };
  /** Oldest first; the API sorts on every list. */
  readonly releases: FakeHerokuRelease[] = [];
  private readonly faults = new FailureQueue<HerokuRollbackFault>();
  /** Releases still in their release phase: reads left before they settle, and how they end. */
  private readonly releasePhase = new Map<string, { readsLeft: number; fails: boolean }>();
  /** The version whose slug and config vars each release runs (a rollback runs its target's). */
  private readonly runs = new Map<string, number>();
  private failNext = false;
  private readOnly = false;
  private brokenReads = 0;
  private rateLimitRemaining = 4_500;
  private clock = Date.now() - 30 * 86_400_000;

  private constructor(
    private readonly server: HttpFakeServer,
    private readonly token: string,
    appName: string,
  ) {
    this.app = { id: randomUUID(), name: appName };
  }

  static async start(options: { token: string; app: string }): Promise<HerokuApiFake> {
    const ref: { fake?: HerokuApiFake } = {};
    const server = await HttpFakeServer.listen('heroku fake', (request) => ref.fake!.handle(request));
    ref.fake = new HerokuApiFake(server, options.token, options.app);
    return ref.fake;
  }

  get url(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- seeding ----

  /** A "Deploy <sha>" release with a new slug; one that succeeds becomes current. */
  deploy(sha: string, options: { status?: 'succeeded' | 'failed'; email?: string } = {}): FakeHerokuRelease {
    return this.add(`Deploy ${sha}`, { slug: { id: randomUUID() }, status: options.status ?? 'succeeded', email: options.email ?? 'dev@example.com' });
  }

  /** A config change: same slug, new config vars. */
  setConfig(names: string, email = 'ops@example.com'): FakeHerokuRelease {
    return this.add(`Set ${names} config vars`, { email });
  }

  /** An add-on attached: a release with one more add-on plan. */
  attachAddon(plan: string, attachment: string): FakeHerokuRelease {
    const plans = [...(this.current()?.addon_plan_names ?? []), plan];
    return this.add(`Attach ${attachment} (@ref:${plan.split(':')[0]}-curly-48213)`, { addons: plans, email: 'ops@example.com' });
  }

  /** A rollback someone made by hand earlier in the history. */
  rolledBackTo(version: number, email = 'dev@example.com'): FakeHerokuRelease {
    const target = this.releases.find((r) => r.version === version)!;
    return this.add(`Rollback to v${version}`, { slug: target.slug, email, runs: this.runs.get(target.id) ?? version });
  }

  current(): FakeHerokuRelease | undefined {
    return this.releases.find((r) => r.current);
  }

  /** The version the app's code and config come from: `v51` after "Rollback to v51". */
  liveVersion(): string {
    const current = this.current();
    return current ? `v${this.runs.get(current.id) ?? current.version}` : 'none';
  }

  failRollbacks(fault: HerokuRollbackFault): void {
    this.faults.add('rollback', fault);
  }

  /** The release the next rollback creates fails its release phase instead of going live. */
  failNextRelease(): void {
    this.failNext = true;
  }

  /** The token may read but not change the app (no write scope): changes answer 403. */
  forbidChanges(): void {
    this.readOnly = true;
  }

  /** The next read of the release list answers with a body that is not Heroku's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  // ---- the API ----

  private async handle(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url, headers } = request;
    const path = url.pathname;
    this.requests.push({ method, path, authorization: headers.authorization, range: headers.range, accept: headers.accept });
    if (path === '/app/version') return { status: 200, body: { version: this.liveVersion() } };
    if (path === '/app/health') return { status: 200, body: { health: 'healthy' } };
    const answer = await this.route(request);
    if ('noAnswer' in answer) return answer;
    this.rateLimitRemaining = Math.max(0, this.rateLimitRemaining - 1);
    return { ...answer, headers: { ...answer.headers, 'ratelimit-remaining': String(this.rateLimitRemaining) } };
  }

  private async route(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url, headers } = request;
    if (!/application\/vnd\.heroku\+json;\s*version=3/.test(headers.accept ?? '')) {
      return error(400, 'missing_version', "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.");
    }
    if (headers.authorization !== `Bearer ${this.token}`) return error(401, 'unauthorized', 'Invalid credentials provided.');
    const match = /^\/apps\/([^/]+)\/releases(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return error(404, 'not_found', 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?');
    const app = decodeURIComponent(match[1]!);
    if (app !== this.app.name && app !== this.app.id) return error(404, 'not_found', "Couldn't find that app.", { resource: 'app' });
    const one = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    if (method === 'GET' && one === undefined) return this.list(headers.range, headers.accept ?? '');
    if (method === 'GET' && one !== undefined) return this.getRelease(one, headers.accept ?? '');
    if (method === 'POST' && one === undefined) return this.rollback(request.body, headers.accept ?? '');
    return error(405, 'method_not_allowed', `${method} is not allowed here.`);
  }

  private list(rangeHeader: string | undefined, accept: string): FakeAnswer {
    if (this.brokenReads > 0) {
      this.brokenReads--;
      return { status: 200, body: [{ id: 'r-1', version: 'v53', status: 'succeeded', current: 'yes' }] };
    }
    const range = parseRange(rangeHeader);
    if (!range) return error(416, 'requested_range_not_satisfiable', `Invalid Range header: ${rangeHeader ?? ''}`);
    const key = (r: FakeHerokuRelease): number | string => (range.attr === 'version' ? r.version : r.id);
    const value = (text: string): number | string => (range.attr === 'version' ? Number(text) : text);
    const direction = range.order === 'desc' ? -1 : 1;
    const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0) * direction;
    const inRange = this.releases
      .filter((r) => {
        if (range.start !== '') {
          const c = compare(key(r), value(range.start));
          if (range.startExclusive ? c <= 0 : c < 0) return false;
        }
        if (range.end !== '') {
          const c = compare(key(r), value(range.end));
          if (range.endExclusive ? c >= 0 : c > 0) return false;
        }
        return true;
      })
      .sort((a, b) => compare(key(a), key(b)));
    const page = inRange.slice(0, range.max);
    const body = page.map((r) => this.view(r, accept));
    const first = page[0];
    const last = page.at(-1);
    const contentRange = first && last ? { 'content-range': `${range.attr} ${key(first)}..${key(last)}` } : undefined;
    if (inRange.length <= range.max || !last) return { status: 200, body, ...(contentRange ? { headers: contentRange } : {}) };
    return { status: 206, body, headers: { ...contentRange, 'next-range': `${range.attr} ]${key(last)}..; max=${range.max}, order=${range.order}` } };
  }

  private getRelease(ref: string, accept: string): FakeAnswer {
    const release = this.releases.find((r) => r.id === ref || String(r.version) === ref);
    if (!release) return error(404, 'not_found', "Couldn't find that release.", { resource: 'release' });
    this.advance(release);
    return { status: 200, body: this.view(release, accept) };
  }

  private rollback(body: string, accept: string): FakeAnswer | NoAnswer {
    this.rollbackCalls++;
    if (this.readOnly) return error(403, 'forbidden', `You do not have access to the app ${this.app.name}.`);
    let input: { release?: unknown };
    try {
      input = JSON.parse(body || '{}') as { release?: unknown };
    } catch {
      return error(400, 'bad_request', 'Invalid JSON.');
    }
    // Strict on purpose: whether Heroku also takes a version number here is not documented.
    if (typeof input.release !== 'string' || !UUID.test(input.release)) return error(422, 'invalid_params', 'release must be a release id (uuid).');
    const target = this.releases.find((r) => r.id === input.release);
    if (!target) return error(404, 'not_found', "Couldn't find that release.", { resource: 'release' });
    if (target.status !== 'succeeded') return error(422, 'invalid_params', `Cannot roll back to v${target.version}: its release did not succeed.`);
    const current = this.current();
    if (current && [...current.addon_plan_names].sort().join() !== [...target.addon_plan_names].sort().join()) {
      return error(422, 'invalid_params', `You cannot roll back to v${target.version}: the add-ons installed have changed since. Rollback affects code and config vars; it doesn't add or remove addons.`);
    }

    const fault = this.faults.take(() => true);
    if (fault) {
      if ('noAnswer' in fault) {
        if (fault.effect) this.startRollback(target);
        return { noAnswer: fault.noAnswer };
      }
      if (fault.effect) this.startRollback(target);
      const retryAfter = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
      if (fault.status === 429) return error(429, 'rate_limit', 'Your account reached the API rate limit. Please wait a few minutes before making new requests.', {}, retryAfter);
      return error(fault.status, 'internal_server_error', `injected ${fault.status}`, {}, retryAfter);
    }
    return { status: 201, body: this.view(this.startRollback(target), accept) };
  }

  private startRollback(target: FakeHerokuRelease): FakeHerokuRelease {
    this.rollbacksApplied++;
    const release = this.add(`Rollback to v${target.version}`, {
      slug: target.slug,
      status: 'pending',
      email: 'rewind-bot@example.com',
      runs: this.runs.get(target.id) ?? target.version,
      at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    this.releasePhase.set(release.id, { readsLeft: PENDING_READS, fails: this.failNext });
    this.failNext = false;
    return release;
  }

  /** One read of a release in its release phase: still pending, or settled as programmed. */
  private advance(release: FakeHerokuRelease): void {
    const phase = this.releasePhase.get(release.id);
    if (!phase || release.status !== 'pending') return;
    if (phase.readsLeft > 0) {
      phase.readsLeft--;
      return;
    }
    this.releasePhase.delete(release.id);
    release.updated_at = new Date().toISOString();
    if (phase.fails) {
      release.status = 'failed';
      return;
    }
    this.makeCurrent(release);
    release.status = 'succeeded';
  }

  private add(
    description: string,
    options: { slug?: { id: string } | null; status?: FakeHerokuRelease['status']; email: string; addons?: string[]; runs?: number; at?: string },
  ): FakeHerokuRelease {
    const previous = this.current();
    const at = options.at ?? this.tick();
    const status = options.status ?? 'succeeded';
    const release: FakeHerokuRelease = {
      id: randomUUID(),
      version: (this.releases.at(-1)?.version ?? 0) + 1,
      status,
      current: false,
      description,
      slug: options.slug !== undefined ? options.slug : (previous?.slug ?? null),
      user: { id: randomUUID(), email: options.email },
      addon_plan_names: options.addons ?? [...(previous?.addon_plan_names ?? [])],
      app: { ...this.app },
      created_at: at,
      updated_at: at,
      output_stream_url: `https://busl.heroku.com/streams/${randomUUID()}`,
    };
    this.releases.push(release);
    this.runs.set(release.id, options.runs ?? release.version);
    if (status === 'succeeded') this.makeCurrent(release);
    return release;
  }

  private makeCurrent(release: FakeHerokuRelease): void {
    for (const r of this.releases) r.current = false;
    release.current = true;
  }

  /** The CLI's `version=3.sdk` variant adds `eligible_for_rollback`; plain v3 does not. */
  private view(release: FakeHerokuRelease, accept: string): Record<string, unknown> {
    const sdk = /version=3\.sdk/.test(accept);
    return { ...release, ...(sdk ? { eligible_for_rollback: release.status === 'succeeded' } : {}) };
  }

  /** Seeded history gets increasing timestamps in the past, so it sorts before anything real. */
  private tick(): string {
    this.clock += 3_600_000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
