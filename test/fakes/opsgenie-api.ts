/**
 * A local stand-in for Opsgenie's Alert API on a real HTTP server: create, close and add a note,
 * by alias, behind `Authorization: GenieKey <key>`.
 *
 * Shapes, as checked against Opsgenie's Alert API documentation and its OpenAPI description
 * (api-evangelist/opsgenie: openapi/opsgenie-alerts-api-openapi.yml, json-schema/…createalertrequest,
 * …closealertrequest, …asyncrequestresponse, …errorresponse):
 * - `POST /v2/alerts`: `message` (required, ≤ 130), `alias` (≤ 512), `description` (≤ 15,000),
 *   `responders`, `visibleTo`, `actions` (≤ 10), `tags` (≤ 20), `details` (string → string),
 *   `entity` (≤ 512), `source` (≤ 100), `priority` P1–P5, `user` (≤ 100), `note` (≤ 25,000).
 *   Answers 202, 400, 401 or 422.
 * - `POST /v2/alerts/{identifier}/close?identifierType=id|tiny|alias` `{user?, source?, note?}`:
 *   202, 401, 404. `POST /v2/alerts/{identifier}/notes?identifierType=…` `{note, user?, source?}`: 202, 401.
 * - Requests are processed asynchronously: 202 `{result: "Request will be processed", took,
 *   requestId}`; errors `{message, took, requestId}`; 429 when throttled.
 * - A create with the alias of an open alert does not open a second one: it counts on the first.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest } from './http-fake-base';

const Responder = z.object({ type: z.enum(['team', 'user', 'escalation', 'schedule']), id: z.string().optional(), name: z.string().optional(), username: z.string().optional() });

export const CreateAlert = z
  .object({
    message: z.string().min(1).max(130),
    alias: z.string().max(512).optional(),
    description: z.string().max(15_000).optional(),
    responders: z.array(Responder).optional(),
    visibleTo: z.array(Responder).optional(),
    actions: z.array(z.string()).max(10).optional(),
    tags: z.array(z.string().max(50)).max(20).optional(),
    details: z.record(z.string(), z.string()).optional(),
    entity: z.string().max(512).optional(),
    source: z.string().max(100).optional(),
    priority: z.enum(['P1', 'P2', 'P3', 'P4', 'P5']).optional(),
    user: z.string().max(100).optional(),
    note: z.string().max(25_000).optional(),
  })
  .strict();
export type CreateAlert = z.infer<typeof CreateAlert>;

const CloseAlert = z.object({ user: z.string().max(100).optional(), source: z.string().max(100).optional(), note: z.string().max(25_000).optional() }).strict();
const AddNote = z.object({ note: z.string().min(1).max(25_000), user: z.string().max(100).optional(), source: z.string().max(100).optional() }).strict();

export interface OpsgenieCall {
  method: string;
  /** Path and query, e.g. `/v2/alerts/rb_1/close?identifierType=alias`. */
  path: string;
  authorization: string | undefined;
  body: string;
  status: number;
  at: number;
}

export interface OpsgenieAlert {
  alias: string;
  status: 'open' | 'closed';
  create: CreateAlert;
  /** Creates folded into it while open (Opsgenie's de-duplication). */
  count: number;
  notes: string[];
  closeNote?: string;
}

export type OpsgenieFailure = { status: 429 | 500 | 502 | 503; retryAfterSeconds?: number; count?: number };

export class FakeOpsgenie {
  readonly calls: OpsgenieCall[] = [];
  private readonly alertsByAlias = new Map<string, OpsgenieAlert>();
  private readonly failures = new FailureQueue<OpsgenieFailure>();
  private outage: OpsgenieFailure | undefined;
  private server!: HttpFakeServer;

  private constructor(private readonly apiKeys: ReadonlySet<string>) {}

  static async start(options: { apiKeys: string[] }): Promise<FakeOpsgenie> {
    const fake = new FakeOpsgenie(new Set(options.apiKeys));
    fake.server = await HttpFakeServer.listen('fake Opsgenie', (request) => fake.handle(request));
    return fake;
  }

  get apiUrl(): string {
    return this.server.base;
  }

  failNext(failure: OpsgenieFailure): this {
    this.failures.add('any', failure);
    return this;
  }

  fail(failure: OpsgenieFailure): this {
    this.outage = failure;
    return this;
  }

  recover(): this {
    this.outage = undefined;
    return this;
  }

  alert(alias: string): OpsgenieAlert | undefined {
    return this.alertsByAlias.get(alias);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: FakeRequest): FakeAnswer {
    const call: OpsgenieCall = { method: request.method, path: `${request.url.pathname}${request.url.search}`, authorization: request.headers.authorization, body: request.body, status: 0, at: Date.now() };
    this.calls.push(call);
    const answer = this.answer(request);
    call.status = answer.status;
    return answer;
  }

  private answer(request: FakeRequest): FakeAnswer {
    const failure = this.outage ?? this.failures.take(() => true);
    if (failure) {
      const headers = failure.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(failure.retryAfterSeconds) };
      return { status: failure.status, body: error(failure.status === 429 ? 'You are making too many requests! To avoid errors, we recommend you limit requests.' : 'Internal Server Error'), ...(headers ? { headers } : {}) };
    }
    const key = /^GenieKey (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!key || !this.apiKeys.has(key)) return { status: 401, body: error('Could not authenticate') };
    let json: unknown;
    try {
      json = request.body === '' ? {} : JSON.parse(request.body);
    } catch {
      return { status: 400, body: error('Could not parse the request body') };
    }
    const { pathname } = request.url;
    if (request.method === 'POST' && pathname === '/v2/alerts') return this.create(json);
    const action = /^\/v2\/alerts\/([^/]+)\/(close|notes)$/.exec(pathname);
    if (request.method === 'POST' && action) {
      const identifierType = request.url.searchParams.get('identifierType') ?? 'id';
      if (identifierType !== 'alias') return { status: 404, body: error('Alert does not exist') };
      const alias = decodeURIComponent(action[1]!);
      return action[2] === 'close' ? this.closeAlert(alias, json) : this.addNote(alias, json);
    }
    return { status: 404, body: error('Not found') };
  }

  private create(json: unknown): FakeAnswer {
    const parsed = CreateAlert.safeParse(json);
    if (!parsed.success) return { status: 422, body: error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')) };
    const create = parsed.data;
    const alias = create.alias ?? create.message;
    const open = this.alertsByAlias.get(alias);
    if (open?.status === 'open') open.count += 1;
    else this.alertsByAlias.set(alias, { alias, status: 'open', create, count: 1, notes: [] });
    return accepted();
  }

  private closeAlert(alias: string, json: unknown): FakeAnswer {
    const parsed = CloseAlert.safeParse(json);
    if (!parsed.success) return { status: 422, body: error(parsed.error.issues.map((i) => i.message).join('; ')) };
    const alert = this.alertsByAlias.get(alias);
    if (!alert) return { status: 404, body: error(`Alert with alias ${alias} does not exist`) };
    alert.status = 'closed';
    if (parsed.data.note) alert.closeNote = parsed.data.note;
    return accepted();
  }

  private addNote(alias: string, json: unknown): FakeAnswer {
    const parsed = AddNote.safeParse(json);
    if (!parsed.success) return { status: 422, body: error(parsed.error.issues.map((i) => i.message).join('; ')) };
    const alert = this.alertsByAlias.get(alias);
    if (!alert) return { status: 404, body: error(`Alert with alias ${alias} does not exist`) };
    alert.notes.push(parsed.data.note);
    return accepted();
  }
}

function accepted(): FakeAnswer {
  return { status: 202, body: { result: 'Request will be processed', took: 0.01, requestId: randomUUID() } };
}

function error(message: string): { message: string; took: number; requestId: string } {
  return { message, took: 0.001, requestId: randomUUID() };
}
