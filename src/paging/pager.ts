/**
 * Paging through the chat outbox: a pager is a ChatSink, so the OutboxDrainer gives it what it gives
 * Slack and Discord — delivery in order, retries, a per-pager pause when the service says
 * "retry after N", and a rollback that never waits for any of it.
 *
 * What to page is read from the event alone (its milestones, written with the commit that passed
 * them), never from the record's state at delivery: `trigger` when a critical rollback starts and
 * when any rollback fails, `resolve` when it succeeds, and only if a trigger went out for it. One
 * alert per rollback (its id is the dedup key or alias). Each milestone is sent at most once per
 * pager, so a re-delivered event sends nothing twice; a refusal no retry can fix (400, 401, 403,
 * 404) is logged once, loudly, and skipped.
 */
import { RetryLaterError } from '../domain/errors';
import type { IncidentComms } from '../domain/incident-comms';
import type { Milestone, OutboundEvent } from '../domain/outbound-event';
import type { ChatSink, Conversation } from '../domain/ports';
import type { Severity } from '../domain/severity';
import type { ChatRefs } from '../domain/chat-refs';
import { threadLinkKey, type CommsLookup } from '../domain/comms-lookup';
import { HttpTransportError } from '../outbound/http-errors';
import { parseRetryAfter, type HttpResponse } from '../outbound/http-client';
import type { Logger } from '../observability/logger';

/** Everything a pager is told about one milestone of one rollback. */
export interface Page {
  rollbackId: string;
  service: string;
  environment: string;
  milestone: Milestone;
  /** When the event was written: the outbox may deliver it later. */
  at: number;
  /** Where the rollback's thread is, as far as the chat sinks have said. */
  links: { href: string; text: string }[];
}

export interface Pager<S> {
  /** The sink's name (delivery cursors, pauses and metrics go by it). */
  readonly name: string;
  /** How people call it, for logs. */
  readonly title: string;
  /** This environment's settings for the pager; undefined when it does not page through it. */
  settings(comms: IncidentComms): S | undefined;
  /** Opens the rollback's alert, or adds to it when one is already `open`. */
  trigger(settings: S, page: Page, open: boolean): Promise<void>;
  resolve(settings: S, page: Page): Promise<void>;
}

/** A pager's answer that no retry will change: the event is skipped, with one clear log line. */
export class PagerRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PagerRefusal';
  }
}

export type PageLevel = 'critical' | 'error' | 'warning' | 'info';

const LEVELS: Readonly<Record<Severity, PageLevel>> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' };

/** Seed 004's routing by severity; a failed rollback is at least an error, whatever it was for. */
export function pageLevel(milestone: Milestone): PageLevel {
  const level = LEVELS[milestone.severity];
  return milestone.kind === 'failed' && (level === 'warning' || level === 'info') ? 'error' : level;
}

export type PageAction = 'trigger' | 'resolve';

/** What a milestone asks of a pager, if anything. */
export function pageAction(milestone: Milestone): PageAction | undefined {
  switch (milestone.kind) {
    case 'started':
      return milestone.severity === 'critical' ? 'trigger' : undefined;
    case 'failed':
      return 'trigger';
    case 'succeeded':
      return 'resolve';
    case 'stopped':
      // Cancelled or aborted by a person: an open alert stays open for whoever handles it now.
      return undefined;
  }
}

const DEFAULT_THROTTLE_MS = 10_000;
const DEFAULT_OUTAGE_MS = 2_000;

/** A pager's HTTP answer: nothing on 2xx; RetryLaterError on 429/5xx (Retry-After honoured); PagerRefusal otherwise. */
export function checkAnswer(title: string, response: HttpResponse, reason: (body: unknown) => string | undefined, now: number): void {
  const { status } = response;
  if (status >= 200 && status < 300) return;
  const header = response.headers['retry-after'];
  const asked = header === undefined ? undefined : parseRetryAfter(header, now);
  if (status === 429) throw new RetryLaterError(`${title} is throttling (429)`, asked ?? DEFAULT_THROTTLE_MS);
  if (status >= 500 || status === 408) throw new RetryLaterError(`${title} answered ${status}`, asked ?? DEFAULT_OUTAGE_MS);
  let said: string | undefined;
  try {
    said = reason(response.json());
  } catch {
    said = response.text.trim() || undefined;
  }
  throw new PagerRefusal(status, `${title} answered ${status}${said ? `: ${said.slice(0, 300)}` : ''}`);
}

/** A call that got no HTTP answer is tried again later, like a 5xx. */
export function unreachable(title: string, error: unknown): never {
  if (error instanceof HttpTransportError) throw new RetryLaterError(`${title} could not be reached: ${error.message}`, DEFAULT_OUTAGE_MS);
  throw error;
}

const LINK_TEXT = { slack: 'Rollback thread in Slack', discord: 'Rollback thread in Discord' } as const;

export class PagerSink<S> implements ChatSink {
  readonly name: string;

  constructor(
    private readonly pager: Pager<S>,
    private readonly refs: ChatRefs,
    private readonly comms: CommsLookup,
    private readonly logger: Logger,
  ) {
    this.name = pager.name;
  }

  handles(conversation: Conversation): boolean {
    return this.pager.settings(this.comms(conversation)) !== undefined;
  }

  async deliver(event: OutboundEvent, conversation: Conversation): Promise<void> {
    if (!event.milestones?.length) return;
    const settings = this.pager.settings(this.comms(conversation));
    if (!settings) return;
    for (const milestone of event.milestones) {
      const action = pageAction(milestone);
      if (action) await this.send(action, settings, milestone, event, conversation);
    }
  }

  private async send(action: PageAction, settings: S, milestone: Milestone, event: OutboundEvent, conversation: Conversation): Promise<void> {
    const id = conversation.id;
    const done = `${this.name}:${milestone.kind}:${milestone.run}`;
    if ((await this.refs.get(id, done)) !== undefined) return;
    const alertKey = `${this.name}:alert`;
    const alert = await this.refs.get(id, alertKey);
    // Only a rollback this pager was told about has an alert to resolve.
    if (action === 'resolve' && alert !== 'open') return;
    const page: Page = { rollbackId: id, service: conversation.service, environment: conversation.environment, milestone, at: event.at, links: await this.links(id) };
    try {
      if (action === 'trigger') await this.pager.trigger(settings, page, alert === 'open');
      else await this.pager.resolve(settings, page);
    } catch (error) {
      if (!(error instanceof PagerRefusal)) throw error;
      this.logger.error(
        { rollbackId: id, pager: this.name, action, milestone: milestone.kind, status: error.status, reason: error.message },
        `${this.pager.title} refused the ${action} for rollback ${id} (${error.message}); not retried — check the integration key and the ${this.name} settings of ${conversation.service} ${conversation.environment}`,
      );
      await this.refs.set(id, done, 'refused');
      return;
    }
    await this.refs.set(id, alertKey, action === 'trigger' ? 'open' : 'resolved');
    await this.refs.set(id, done, 'sent');
    this.logger.info({ rollbackId: id, pager: this.name, action, milestone: milestone.kind }, `${this.pager.title}: ${action} sent`);
  }

  private async links(rollbackId: string): Promise<Page['links']> {
    const out: Page['links'] = [];
    for (const platform of ['slack', 'discord'] as const) {
      const href = await this.refs.get(rollbackId, threadLinkKey(platform));
      if (href) out.push({ href, text: LINK_TEXT[platform] });
    }
    return out;
  }
}
