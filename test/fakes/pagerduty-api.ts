/**
 * A local stand-in for PagerDuty's Events API v2 (`POST /v2/enqueue`) on a real HTTP server.
 *
 * Shapes, as checked against PagerDuty's developer documentation (PagerDuty/developer-docs:
 * docs/events-API-v2/01-Overview.md "Response Codes & Retry Logic", 02-Trigger-Events.md "Send an
 * Alert Event", 05-Rate-Limits.md):
 * - Request: `routing_key` (the 32-character integration key), `event_action` trigger | acknowledge |
 *   resolve, `dedup_key` (≤ 255; needed to acknowledge or resolve), and for a trigger a `payload` with
 *   `summary` (≤ 1024), `source` and `severity` (critical | error | warning | info) required and
 *   `timestamp`, `component`, `group`, `class`, `custom_details` optional; `links` [{href, text?}],
 *   `images` [{src, href?, alt?}], `client`, `client_url` optional. Payloads are limited to 512 KB.
 * - Answers: 202 `{status: "success", message: "Event processed", dedup_key}`; 400 `{status: "invalid
 *   event", message: "Event object is invalid", errors: [...]}` (do not retry); 429 when throttled and
 *   5xx on PagerDuty's errors (retry later; the fake adds Retry-After when told to).
 * - Alerts: a trigger opens the dedup_key's alert or adds a trigger to the open one; resolve closes
 *   it; events for a dedup_key whose alert is resolved are dropped (a trigger opens a new one).
 * An unknown routing key is answered 400 with "Invalid routing key", as the Events API does.
 */
import { z } from 'zod';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest } from './http-fake-base';

const Link = z.object({ href: z.string().min(1), text: z.string().optional() }).strict();
const Image = z.object({ src: z.string().min(1), href: z.string().optional(), alt: z.string().optional() }).strict();

const Payload = z
  .object({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const PagerDutyEvent = z
  .object({
    routing_key: z.string().length(32, 'routing_key must be 32 characters'),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: Payload.optional(),
    links: z.array(Link).optional(),
    images: z.array(Image).optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if (event.event_action === 'trigger' && !event.payload) ctx.addIssue({ code: 'custom', message: "'payload' is missing or blank", path: ['payload'] });
    if (event.event_action !== 'trigger' && !event.dedup_key) ctx.addIssue({ code: 'custom', message: "'dedup_key' is missing or blank", path: ['dedup_key'] });
  });
export type PagerDutyEvent = z.infer<typeof PagerDutyEvent>;

export interface PagerDutyCall {
  /** The raw body as sent. */
  body: string;
  /** The event, when it was valid JSON and a valid event. */
  event?: PagerDutyEvent;
  status: number;
  at: number;
}

export interface PagerDutyAlert {
  dedupKey: string;
  status: 'triggered' | 'resolved';
  /** Every trigger event applied to it, oldest first. */
  triggers: PagerDutyEvent[];
}

export type PagerDutyFailure = { status: 429; retryAfterSeconds?: number; count?: number } | { status: 500 | 502 | 503; retryAfterSeconds?: number; count?: number };

const MAX_BYTES = 512 * 1024;

export class FakePagerDuty {
  readonly calls: PagerDutyCall[] = [];
  private readonly alertsByKey = new Map<string, PagerDutyAlert>();
  private readonly failures = new FailureQueue<PagerDutyFailure>();
  private outage: PagerDutyFailure | undefined;
  private server!: HttpFakeServer;

  private constructor(private readonly routingKeys: ReadonlySet<string>) {}

  static async start(options: { routingKeys: string[] }): Promise<FakePagerDuty> {
    const fake = new FakePagerDuty(new Set(options.routingKeys));
    fake.server = await HttpFakeServer.listen('fake PagerDuty', (request) => fake.handle(request));
    return fake;
  }

  /** What a catalog's `paging.pagerduty.apiUrl` points at. */
  get apiUrl(): string {
    return this.server.base;
  }

  /** The next `count` (default 1) events are answered with this failure. */
  failNext(failure: PagerDutyFailure): this {
    this.failures.add('enqueue', failure);
    return this;
  }

  /** Every event is answered with this failure until `recover()`. */
  fail(failure: PagerDutyFailure): this {
    this.outage = failure;
    return this;
  }

  recover(): this {
    this.outage = undefined;
    return this;
  }

  /** Accepted events, oldest first. */
  accepted(): PagerDutyEvent[] {
    return this.calls.filter((c) => c.status === 202 && c.event).map((c) => c.event!);
  }

  alert(dedupKey: string): PagerDutyAlert | undefined {
    return this.alertsByKey.get(dedupKey);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: FakeRequest): FakeAnswer {
    const call: PagerDutyCall = { body: request.body, status: 0, at: Date.now() };
    this.calls.push(call);
    const answer = this.answer(request, call);
    call.status = answer.status;
    return answer;
  }

  private answer(request: FakeRequest, call: PagerDutyCall): FakeAnswer {
    if (request.method !== 'POST' || request.url.pathname !== '/v2/enqueue') return { status: 404, body: { status: 'not found', message: 'Not Found' } };
    const failure = this.outage ?? this.failures.take(() => true);
    if (failure) {
      const headers = failure.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(failure.retryAfterSeconds) };
      const body = failure.status === 429 ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' } : { status: 'error', message: 'Internal Server Error' };
      return { status: failure.status, body, ...(headers ? { headers } : {}) };
    }
    if (Buffer.byteLength(request.body) > MAX_BYTES) return invalid(['Event payload exceeds 512 KB']);
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return invalid(['Could not parse the request body as JSON']);
    }
    const parsed = PagerDutyEvent.safeParse(json);
    if (!parsed.success) return invalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`));
    const event = parsed.data;
    if (!this.routingKeys.has(event.routing_key)) return invalid(['Invalid routing key']);
    call.event = event;
    const dedupKey = event.dedup_key ?? `generated-${this.calls.length}`;
    this.apply(dedupKey, event);
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }

  private apply(dedupKey: string, event: PagerDutyEvent): void {
    const open = this.alertsByKey.get(dedupKey);
    if (event.event_action === 'trigger') {
      if (open?.status === 'triggered') open.triggers.push(event);
      else this.alertsByKey.set(dedupKey, { dedupKey, status: 'triggered', triggers: [event] });
    } else if (event.event_action === 'resolve' && open?.status === 'triggered') {
      open.status = 'resolved';
    }
    // An acknowledge, or anything for a resolved alert, is dropped.
  }
}

function invalid(errors: string[]): FakeAnswer {
  return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}
