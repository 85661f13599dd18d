/**
 * Bolt's Receiver for HTTP mode, mounted on Rewind's own server at POST /slack/events. Unsigned,
 * stale (> 5 min) or tampered requests get 401 before Bolt sees them, so nothing is enqueued.
 * The HTTP answer is whatever the listener acks, sent as soon as it acks.
 */
import { verifySlackRequest, type App, type Receiver } from '@slack/bolt';
import type { Clock } from '../../domain/ports';
import type { HttpRequest, HttpResponse, Route } from '../../inbound/route';
import type { Logger } from '../../observability/logger';
import { HandledSlackBody } from './slack-payloads';

/** Slack gives up after 3 s; answer a little before that if a listener never acks. */
const ACK_DEADLINE_MS = 2_800;
/** Slack's own window, applied to both sides of now. */
const MAX_CLOCK_AHEAD_S = 5 * 60;

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The JSON object in the body (form-encoded, with or without `payload`, or JSON); undefined for anything else. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> | undefined {
  let value: unknown;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(raw));
    value = typeof form['payload'] === 'string' ? JSON.parse(form['payload']) : form;
  } else {
    value = JSON.parse(raw);
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function toResponse(acked: unknown): HttpResponse {
  if (acked === undefined || acked === null || acked === '') return { status: 200 };
  if (typeof acked === 'string') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: acked };
  return { status: 200, body: acked };
}

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly signingSecret: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  /** The server belongs to Rewind; nothing to start or stop here. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  route(): Route {
    return { method: 'POST', path: '/slack/events', handler: (request) => this.handle(request) };
  }

  private async handle(request: HttpRequest): Promise<HttpResponse> {
    const raw = request.rawBody.toString('utf8');
    const signature = header(request, 'x-slack-signature');
    const timestamp = Number(header(request, 'x-slack-request-timestamp'));
    try {
      if (!signature || !Number.isFinite(timestamp)) throw new Error('missing x-slack-signature or x-slack-request-timestamp');
      // Bolt refuses only the stale side; a request dated ahead could be replayed until that time comes.
      if (timestamp > this.clock.now() / 1000 + MAX_CLOCK_AHEAD_S) throw new Error('x-slack-request-timestamp is more than 5 minutes in the future');
      verifySlackRequest({
        signingSecret: this.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: this.clock.now(),
      });
    } catch (error) {
      this.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'rejected a Slack request that failed signature verification');
      return { status: 401, body: { error: 'invalid Slack request signature' } };
    }

    let body: Record<string, unknown> | undefined;
    try {
      body = parseBody(raw, header(request, 'content-type'));
    } catch {
      body = undefined;
    }
    if (!body) return { status: 400, body: { error: 'unreadable Slack request body: expected a form or JSON object' } };
    if (body['ssl_check']) return { status: 200 };
    if (body['type'] === 'url_verification') return { status: 200, body: { challenge: body['challenge'] } };
    // Malformed payloads are the sender's mistake: a 400 here, rather than a crash inside Bolt.
    if (!HandledSlackBody.safeParse(body).success) return { status: 400, body: { error: 'not a Slack request Rewind handles (a slash command, block action, view submission or options request)' } };
    if (!this.app) return { status: 503, body: { error: 'Slack is not ready yet' } };

    let acknowledge!: (value: unknown) => void;
    const acked = new Promise<unknown>((resolve) => (acknowledge = resolve));
    const processing = this.app
      .processEvent({
        body,
        ack: async (response?: unknown) => acknowledge(response),
        ...(header(request, 'x-slack-retry-num') ? { retryNum: Number(header(request, 'x-slack-retry-num')) } : {}),
        ...(header(request, 'x-slack-retry-reason') ? { retryReason: header(request, 'x-slack-retry-reason')! } : {}),
      })
      .then(
        () => 'done' as const,
        (error: unknown) => {
          this.logger.error({ err: error }, 'Slack listener failed');
          return 'failed' as const;
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ACK_DEADLINE_MS)));
    // A listener acks before it returns: once Bolt is done without an ack, no listener took the request.
    const first = await Promise.race([acked.then((response) => ({ response })), processing, deadline]);
    clearTimeout(timer);
    if (first === 'failed') return { status: 500, body: { error: 'internal error' } };
    if (first === 'done') return { status: 200 };
    if (first === 'late') {
      this.logger.warn('a Slack listener did not ack within 2.8 s; answered empty');
      return { status: 200 };
    }
    return toResponse(first.response);
  }
}
