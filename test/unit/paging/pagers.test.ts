/**
 * The pagers against local fakes that follow PagerDuty's and Opsgenie's documented shapes: what is
 * sent for each milestone, which answers are retried (429 after Retry-After, 5xx, no answer) and
 * which are refusals logged once; and the PagerSink's rules (trigger on a critical start or any
 * failure, resolve only what was triggered, each milestone once), with keys kept out of every log.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { systemClock } from '../../../src/app/system-clock';
import { InMemoryChatRefs } from '../../fakes/in-memory-chat-refs';
import { NO_COMMS, type IncidentComms } from '../../../src/domain/incident-comms';
import { RetryLaterError } from '../../../src/domain/errors';
import { Message } from '../../../src/domain/message';
import type { Milestone, OutboundEvent } from '../../../src/domain/outbound-event';
import type { Conversation } from '../../../src/domain/ports';
import { milestonesOf } from '../../../src/engine/course';
import { createLogger } from '../../../src/observability/logger';
import { SecretScrubber } from '../../../src/observability/secret-scrubber';
import { HttpClient } from '../../../src/outbound/http-client';
import { createAlert, Opsgenie } from '../../../src/paging/opsgenie';
import { PagerDuty, triggerEvent } from '../../../src/paging/pagerduty';
import { PagerRefusal, PagerSink, type Page, type Pager } from '../../../src/paging/pager';
import { CreateAlert, FakeOpsgenie } from '../../fakes/opsgenie-api';
import { FakePagerDuty, PagerDutyEvent } from '../../fakes/pagerduty-api';
import { makeRecord } from '../../support/record-factory';

const PD_KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const OG_KEY = 'opsgenie-key-for-unit-tests-42';
const where: Conversation = { id: 'rb_PAGING', service: 'checkout-api', environment: 'production', channels: { slack: [], discord: [], console: [] } };

const started = milestonesOf(undefined, makeRecord({ state: 'queued' }))[0]!;
const failed = milestonesOf(makeRecord({ state: 'verifying' }), makeRecord({ state: 'failed' }))[0]!;
const succeeded = milestonesOf(makeRecord({ state: 'verifying' }), makeRecord({ state: 'succeeded' }))[0]!;

function page(milestone: Milestone, links: Page['links'] = []): Page {
  return { rollbackId: where.id, service: where.service, environment: where.environment, milestone, at: Date.UTC(2026, 10, 23, 9, 45, 12), links };
}

let seq = 0;
function header(milestones: Milestone[]): OutboundEvent {
  seq += 1;
  const message = Message.parse({ kind: 'notification', tone: 'progress', title: 'Rollback', fallback: 'Rollback' });
  return { seq, rollbackId: where.id, at: Date.now(), kind: 'header', broadcast: false, supersedes: 'header', message, milestones };
}

describe('what is sent', () => {
  it('a PagerDuty trigger is a valid Events API v2 event: dedup_key is the rollback, the facts are custom_details, the thread is linked', () => {
    const event = PagerDutyEvent.parse(triggerEvent(PD_KEY, page(failed, [{ href: 'https://rewind-test.slack.com/archives/C1/p1', text: 'Rollback thread in Slack' }])));
    expect(event).toMatchObject({
      event_action: 'trigger',
      dedup_key: where.id,
      payload: { severity: 'critical', source: 'checkout-api/production', component: 'checkout-api', group: 'production', class: 'rollback failed', timestamp: '2026-11-23T09:45:12.000Z' },
      links: [{ href: 'https://rewind-test.slack.com/archives/C1/p1', text: 'Rollback thread in Slack' }],
    });
    expect(event.payload!.custom_details).toMatchObject({ 'Stopped at': 'Verify (step 5 of 6)', 'Next steps': expect.any(String) });
  });

  it('severity follows seed 004 (critical pages, the rest is an error at worst when it fails)', () => {
    const high = milestonesOf(makeRecord({ state: 'verifying', severity: 'high' }), makeRecord({ state: 'failed', severity: 'high' }))[0]!;
    const low = milestonesOf(makeRecord({ state: 'verifying', severity: 'low' }), makeRecord({ state: 'failed', severity: 'low' }))[0]!;
    expect([high, low].map((m) => (triggerEvent(PD_KEY, page(m)).payload as { severity: string }).severity)).toEqual(['error', 'error']);
    expect([started, high, low].map((m) => createAlert(page(m))['priority'])).toEqual(['P1', 'P2', 'P2']);
  });

  it('an Opsgenie alert stays within the documented limits however long the facts are', () => {
    const long: Milestone = { ...failed, summary: 'x'.repeat(900), details: Array.from({ length: 40 }, (_, i) => ({ label: `fact ${i}`, value: 'y'.repeat(480) })) };
    const alert = CreateAlert.parse(createAlert(page(long)));
    expect(alert.message).toHaveLength(130);
    expect(alert).toMatchObject({ alias: where.id, source: 'Rewind', entity: 'checkout-api/production' });
    expect(JSON.stringify(alert.details).length).toBeLessThan(8_000);
  });
});

describe('PagerDuty and Opsgenie over HTTP', () => {
  let pagerduty: FakePagerDuty;
  let opsgenie: FakeOpsgenie;
  const http = new HttpClient({ logger: pino({ level: 'silent' }), clock: systemClock });
  beforeEach(async () => {
    pagerduty = await FakePagerDuty.start({ routingKeys: [PD_KEY] });
    opsgenie = await FakeOpsgenie.start({ apiKeys: [OG_KEY] });
  });
  afterEach(async () => {
    await pagerduty.close();
    await opsgenie.close();
  });

  it('triggers and resolves one PagerDuty alert per rollback', async () => {
    const pd = new PagerDuty(http, systemClock);
    const settings = { routingKey: PD_KEY, apiUrl: `${pagerduty.apiUrl}/` };
    await pd.trigger(settings, page(started));
    await pd.trigger(settings, page(failed));
    expect(pagerduty.alert(where.id)).toMatchObject({ status: 'triggered', triggers: [expect.anything(), expect.anything()] });
    await pd.resolve(settings, page(succeeded));
    expect(pagerduty.alert(where.id)?.status).toBe('resolved');
  });

  it('retries 429 after its Retry-After and 5xx later; refuses for good on 400', async () => {
    const pd = new PagerDuty(http, systemClock);
    const settings = { routingKey: PD_KEY, apiUrl: pagerduty.apiUrl };
    pagerduty.failNext({ status: 429, retryAfterSeconds: 7 }).failNext({ status: 502 });
    await expect(pd.trigger(settings, page(started))).rejects.toMatchObject({ name: 'RetryLaterError', retryAfterMs: 7_000 });
    await expect(pd.trigger(settings, page(started))).rejects.toBeInstanceOf(RetryLaterError);
    const refused = pd.trigger({ ...settings, routingKey: 'b'.repeat(32) }, page(started));
    await expect(refused).rejects.toBeInstanceOf(PagerRefusal);
    await expect(refused).rejects.toThrow('PagerDuty answered 400: Event object is invalid: Invalid routing key');
  });

  it('an unreachable pager is retried later', async () => {
    const pd = new PagerDuty(http, systemClock);
    await expect(pd.trigger({ routingKey: PD_KEY, apiUrl: 'http://127.0.0.1:1' }, page(started))).rejects.toBeInstanceOf(RetryLaterError);
  });

  it('creates, notes and closes an Opsgenie alert by alias with the GenieKey', async () => {
    const og = new Opsgenie(http, systemClock);
    const settings = { apiKey: OG_KEY, apiUrl: opsgenie.apiUrl };
    await og.trigger(settings, page(started), false);
    await og.trigger(settings, page(failed), true);
    await og.resolve(settings, page(succeeded));
    expect(opsgenie.calls.map((c) => `${c.path} ${c.status} ${c.authorization}`)).toEqual([
      `/v2/alerts 202 GenieKey ${OG_KEY}`,
      `/v2/alerts/${where.id}/notes?identifierType=alias 202 GenieKey ${OG_KEY}`,
      `/v2/alerts/${where.id}/close?identifierType=alias 202 GenieKey ${OG_KEY}`,
    ]);
    expect(opsgenie.alert(where.id)).toMatchObject({ status: 'closed', count: 1, notes: [expect.stringContaining('Rollback failed')] });
    await expect(og.trigger({ ...settings, apiKey: 'wrong-key-0123456789' }, page(started), false)).rejects.toThrow('Opsgenie answered 401: Could not authenticate');
  });
});

describe('PagerSink', () => {
  class RecordingPager implements Pager<{ key: string }> {
    readonly name = 'recording-pager';
    readonly title = 'Recorder';
    readonly sent: string[] = [];
    refuse = false;
    throttle = false;
    settings(comms: IncidentComms) {
      return comms === NO_COMMS ? undefined : { key: 'k' };
    }
    async trigger(_s: { key: string }, p: Page, open: boolean) {
      if (this.throttle) throw new RetryLaterError('Recorder is throttling (429)', 3_000);
      if (this.refuse) throw new PagerRefusal(400, 'Recorder answered 400: bad key');
      this.sent.push(`trigger:${p.milestone.kind}${open ? ':open' : ''}`);
    }
    async resolve(_s: { key: string }, p: Page) {
      this.sent.push(`resolve:${p.milestone.kind}`);
    }
  }

  function sink() {
    const pager = new RecordingPager();
    const lines: string[] = [];
    const logger = createLogger({ scrubber: new SecretScrubber(), level: 'info', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) });
    const comms: IncidentComms = { ...NO_COMMS, paging: { pagerduty: { routingKey: PD_KEY, apiUrl: 'http://unused' } } };
    return { pager, lines, sink: new PagerSink(pager, new InMemoryChatRefs(), () => comms, logger) };
  }

  it('pages a critical start and a failure, resolves only what it triggered, and sends each milestone once', async () => {
    const { pager, sink: s } = sink();
    expect(s.handles(where)).toBe(true);
    await s.deliver(header([started]), where);
    await s.deliver(header([started]), where);
    await s.deliver(header([failed]), where);
    await s.deliver(header([succeeded]), where);
    expect(pager.sent).toEqual(['trigger:started', 'trigger:failed:open', 'resolve:succeeded']);
  });

  it('does not page a start below critical, nor resolve a rollback it never paged', async () => {
    const { pager, sink: s } = sink();
    const highStart = milestonesOf(undefined, makeRecord({ state: 'queued', severity: 'high' }))[0]!;
    await s.deliver(header([highStart, succeeded]), where);
    expect(pager.sent).toEqual([]);
  });

  it('lets a 429 through to the drainer (which waits Retry-After) and sends it once it passes', async () => {
    const { pager, sink: s } = sink();
    pager.throttle = true;
    await expect(s.deliver(header([started]), where)).rejects.toMatchObject({ retryAfterMs: 3_000 });
    pager.throttle = false;
    await s.deliver(header([started]), where);
    expect(pager.sent).toEqual(['trigger:started']);
  });

  it('logs a refusal once with what to check, and goes on without retrying it', async () => {
    const { pager, lines, sink: s } = sink();
    pager.refuse = true;
    await s.deliver(header([started]), where);
    await s.deliver(header([started, succeeded]), where);
    expect(pager.sent).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, rollbackId: where.id, status: 400, msg: expect.stringContaining('Recorder refused the trigger for rollback rb_PAGING (Recorder answered 400: bad key); not retried') });
  });
});

describe('keys in logs', () => {
  it('a GenieKey header or a routing key in an event is redacted even when the catalog wrote it as is', () => {
    const lines: string[] = [];
    const logger = createLogger({ scrubber: new SecretScrubber(), destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) });
    logger.warn({ sent: `Authorization: GenieKey ${OG_KEY}` }, 'opsgenie call');
    logger.warn({ body: JSON.stringify(triggerEvent(PD_KEY, page(started))) }, 'pagerduty call');
    logger.warn(`raw body {"routing_key":"${PD_KEY}","event_action":"resolve"}`);
    const out = lines.join('');
    expect(out).not.toContain(OG_KEY);
    expect(out).not.toContain(PD_KEY);
    expect(out).toContain('GenieKey [redacted]');
  });
});
