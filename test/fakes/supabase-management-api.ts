/**
 * A local stand-in for the Supabase Management API calls of a point-in-time restore (PROVIDERS.md
 * §8): the project's backups and PITR window, `restore-pitr`, and the project's status, which reads
 * RESTORING for a few polls after a restore and then ACTIVE_HEALTHY. It checks the Bearer token,
 * records every restore request, and can answer rate limits or no answer at all instead.
 */
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

export interface SupabaseFakeOptions {
  token: string;
  project: string;
  pitrEnabled?: boolean;
  /**
   * Unix seconds; by default from 7 days ago to now. `null` leaves an edge out of the answer, as
   * Supabase does before it has one.
   */
  earliest?: number | null;
  latest?: number | null;
  /** What "now" is for the default window, in ms (a test's FastClock runs ahead of Date.now). */
  now?: () => number;
  /** Polls that still read ACTIVE_HEALTHY after a restore request, before Supabase takes the project down. */
  lagPolls?: number;
  /** Polls that read RESTORING once the restore has begun (Infinity: it never ends). */
  restoringPolls?: number;
  /** What the project reads once the restore is over. */
  afterRestore?: string;
}

export interface RestoreRequest {
  authorization: string | undefined;
  body: unknown;
}

export type SupabaseFailure =
  | { kind: 'rate-limit'; /** X-RateLimit-Reset: seconds until the limit resets. */ reset?: number; count?: number }
  | { kind: 'no-answer'; count?: number }
  | { kind: 'server-error'; status?: number; count?: number };

const RATE_LIMIT = 120;
const message = (status: number, text: string, headers?: Record<string, string>): FakeAnswer => ({ status, body: { message: text }, ...(headers ? { headers } : {}) });

export class FakeSupabase {
  /** Every request, in order, refused ones included. */
  readonly requests: { method: string; path: string; authorization: string | undefined }[] = [];
  /** Every POST to restore-pitr that carried the right token, in order. */
  readonly restoreRequests: RestoreRequest[] = [];
  /** GETs of the project's status that were answered with it. */
  statusPolls = 0;
  private readonly failures = new FailureQueue<SupabaseFailure>();
  /** Polls answered since the restore began; undefined while no restore was asked. */
  private restorePolls: number | undefined;

  private constructor(
    private readonly server: HttpFakeServer,
    readonly options: SupabaseFakeOptions,
  ) {}

  static async start(options: SupabaseFakeOptions): Promise<FakeSupabase> {
    const holder: { fake?: FakeSupabase } = {};
    const server = await HttpFakeServer.listen('fake Supabase', (request) => holder.fake!.handle(request));
    holder.fake = new FakeSupabase(server, options);
    return holder.fake;
  }

  /** The step's `apiUrl`. */
  get url(): string {
    return this.server.base;
  }

  /** The next matching requests (`backups`, `restore`, `project`, or `any`) fail this way. */
  fail(on: 'backups' | 'restore' | 'project' | 'any', failure: SupabaseFailure): this {
    this.failures.add(on, failure);
    return this;
  }

  set(options: Partial<Omit<SupabaseFakeOptions, 'token' | 'project'>>): this {
    Object.assign(this.options, options);
    return this;
  }

  /** A restore someone else (an earlier attempt) already asked for, without a request here. */
  beginRestore(): this {
    this.restorePolls = 0;
    return this;
  }

  /** The PITR window as the fake answers it now, in unix seconds. */
  window(): { earliest?: number; latest?: number } {
    const now = Math.floor((this.options.now ?? Date.now)() / 1_000);
    const earliest = this.options.earliest === undefined ? now - 7 * 86_400 : this.options.earliest;
    const latest = this.options.latest === undefined ? now : this.options.latest;
    return { ...(earliest !== null ? { earliest } : {}), ...(latest !== null ? { latest } : {}) };
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: FakeRequest): FakeAnswer | NoAnswer {
    const path = request.url.pathname;
    const authorization = request.headers.authorization;
    this.requests.push({ method: request.method, path, authorization });
    const match = /^\/v1\/projects\/([^/]+)(\/database\/backups(?:\/restore-pitr)?)?$/.exec(path);
    const route = !match ? undefined : match[2] === '/database/backups' ? 'backups' : match[2] ? 'restore' : 'project';
    if (!match || !route || request.method !== (route === 'restore' ? 'POST' : 'GET')) return message(404, 'Cannot ' + request.method + ' ' + path);
    if (authorization !== `Bearer ${this.options.token}`) return message(401, 'Unauthorized');

    const failure = this.failures.take((key) => key === route || key === 'any');
    if (failure?.kind === 'rate-limit') {
      return message(429, 'Too many requests', { 'x-ratelimit-limit': String(RATE_LIMIT), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(failure.reset ?? 30) });
    }
    if (failure?.kind === 'no-answer') {
      // The request arrived (a restore would have been recorded) and the answer was lost.
      if (route === 'restore') this.restore(request, authorization);
      return { noAnswer: 'reset' };
    }
    if (failure?.kind === 'server-error') return message(failure.status ?? 500, 'Internal server error');
    if (decodeURIComponent(match[1]!) !== this.options.project) return message(404, 'Project not found');

    if (route === 'backups') return { status: 200, body: this.backups() };
    if (route === 'project') return { status: 200, body: this.project() };
    return this.restore(request, authorization);
  }

  private backups(): unknown {
    const { earliest, latest } = this.window();
    const enabled = this.options.pitrEnabled ?? true;
    return {
      region: 'eu-central-1',
      walg_enabled: true,
      pitr_enabled: enabled,
      backups: enabled ? [] : [{ id: 1, is_physical_backup: true, status: 'COMPLETED', inserted_at: '2025-03-01T00:00:00.000Z' }],
      physical_backup_data: {
        ...(earliest !== undefined ? { earliest_physical_backup_date_unix: earliest } : {}),
        ...(latest !== undefined ? { latest_physical_backup_date_unix: latest } : {}),
      },
    };
  }

  private restore(request: FakeRequest, authorization: string | undefined): FakeAnswer {
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return message(400, 'Body must be JSON');
    }
    this.restoreRequests.push({ authorization, body });
    const target = (body as { recovery_time_target_unix?: unknown } | null)?.recovery_time_target_unix;
    if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) return message(400, 'recovery_time_target_unix must be a non-negative integer');
    if (!(this.options.pitrEnabled ?? true)) return message(400, 'Point in time recovery is not enabled for this project');
    const { earliest, latest } = this.window();
    if ((earliest !== undefined && target < earliest) || (latest !== undefined && target > latest)) return message(400, 'recovery_time_target_unix is outside the recovery window');
    this.restorePolls = 0;
    return { status: 201 };
  }

  private project(): unknown {
    this.statusPolls++;
    return { id: this.options.project, ref: this.options.project, organization_id: 'org', organization_slug: 'acme', name: 'shop', region: 'eu-central-1', created_at: '2024-01-01T00:00:00Z', status: this.status(), database: { host: `db.${this.options.project}.supabase.co`, version: '15.8.1.079', postgres_engine: '15', release_channel: 'ga' } };
  }

  private status(): string {
    if (this.restorePolls === undefined) return 'ACTIVE_HEALTHY';
    const poll = this.restorePolls++;
    const lag = this.options.lagPolls ?? 0;
    if (poll < lag) return 'ACTIVE_HEALTHY';
    if (poll < lag + (this.options.restoringPolls ?? 3)) return 'RESTORING';
    return this.options.afterRestore ?? 'ACTIVE_HEALTHY';
  }
}
