/**
 * Incident communications end to end (issue 15, first half), with real Redis and BullMQ and local
 * fakes of Slack, Discord, PagerDuty's Events API v2 and Opsgenie's Alert API:
 * - a critical rollback pages at its start and resolves (PagerDuty) / closes (Opsgenie) on success;
 * - a failing rollback pages with its failure summary (where it stopped, what was seen, what next);
 * - 429s (Retry-After honoured) and 5xx from a pager are retried, and the rollback never waits;
 * - a pager that refuses the key (400, 401) is logged once and not retried;
 * - the on-call is mentioned where configured, only at a critical start and on failure (Slack's
 *   text and blocks, Discord's content with allowed_mentions limited to exactly that role);
 * - each announce channel gets exactly two messages per rollback on each platform, none for a
 *   rollback that was rejected before it ran;
 * - the routing key and the GenieKey are in no log line, chat call or stored event.
 */
import { Writable } from 'node:stream';
import type Redis from 'ioredis';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { RedisOutboxLog } from '../../../src/store/redis-outbox-log';
import { FakeDiscord, type DiscordCall } from '../../fakes/discord-api';
import { FakeOpsgenie } from '../../fakes/opsgenie-api';
import { FakePagerDuty } from '../../fakes/pagerduty-api';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { startTarget } from '../../support/bluegreen-target';
import { generateDiscordKeys } from '../../support/discord-signing';
import { bluegreenCatalog, LEAD, ONCALL, startHarness, type Harness } from '../../support/harness';
import { connect } from '../../support/redis';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(60_000);

const PD_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const OG_KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';
const ROLE = '123456789012345678';
const INCIDENT = { slack: 'C0INCIDENT', discord: '222' };
const STAKEHOLDERS = { slack: 'C0STAKE', discord: '333' };
const SLACK_ONCALL = '<!subteam^S0ONCALL>';
const DISCORD_ONCALL = `<@&${ROLE}>`;

describe('incident communications', () => {
  const keys = generateDiscordKeys();
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let pagerduty: FakePagerDuty;
  let opsgenie: FakeOpsgenie;
  let target: BlueGreenService | undefined;
  let h: Harness | undefined;
  let redis: Redis;
  let logLines: string[];

  beforeEach(async () => {
    slack = await FakeSlack.start();
    discord = await FakeDiscord.start({ token: 'discord-bot-token', applicationId: '900000000000000001' });
    pagerduty = await FakePagerDuty.start({ routingKeys: [PD_KEY] });
    opsgenie = await FakeOpsgenie.start({ apiKeys: [OG_KEY] });
    redis = connect();
    logLines = [];
  });
  afterEach(async () => {
    await h?.close();
    await target?.close();
    await Promise.all([slack.close(), discord.close(), pagerduty.close(), opsgenie.close()]);
    redis.disconnect();
    h = undefined;
    target = undefined;
  });

  async function start(options: { blueHealthy?: boolean; extra?: string; env?: Record<string, string> } = {}): Promise<Harness> {
    target = await startTarget({ blue: { version: '2.4.0', healthy: options.blueHealthy ?? true }, green: { version: '2.4.1' }, live: 'green' });
    const comms = [
      `        paging:`,
      `          pagerduty: { routingKey: "\${PD_KEY}", apiUrl: "${pagerduty.apiUrl}" }`,
      `          opsgenie: { apiKey: "\${OG_KEY}", apiUrl: "${opsgenie.apiUrl}" }`,
      `        mention: { slack: S0ONCALL, discord: "role:${ROLE}" }`,
      `        announce: { slack: ${STAKEHOLDERS.slack}, discord: "${STAKEHOLDERS.discord}" }`,
      `        verify:`,
      `          - { type: http, name: health, url: ${target.url}/health, expect: { status: 200, json: { health: healthy } } }`,
      options.extra ?? '',
    ].join('\n');
    const catalog = bluegreenCatalog(target.url, comms).replace(`channels: { slack: ${INCIDENT.slack} }`, `channels: { slack: ${INCIDENT.slack}, discord: "${INCIDENT.discord}" }`);
    h = await startHarness(catalog, {
      env: options.env ?? { PD_KEY, OG_KEY },
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: 'unused-signing-secret', mode: 'http', apiUrl: slack.apiUrl },
      discord: { token: 'discord-bot-token', applicationId: '900000000000000001', publicKey: keys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase },
      log: { level: 'debug', destination: new Writable({ write: (chunk, _e, done) => (logLines.push(String(chunk)), done()) }) },
    });
    return h;
  }

  async function rollback(harness: Harness, severity: 'critical' | 'high', states: RollbackRecord['state'][] = ['succeeded', 'failed']): Promise<RollbackRecord> {
    const result = await harness.rewind.service.request({ service: 'checkout-api', severity, reason: 'errors after deploy', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    return harness.waitForState(result.record.id, states);
  }

  /** Every chat event of the rollback delivered to every sink, pagers included. */
  async function settled(harness: Harness, id: string): Promise<void> {
    const log = new RedisOutboxLog(redis, harness.rewind.keys);
    for (const sink of ['slack', 'discord', 'pagerduty', 'opsgenie']) {
      await waitFor(() => log.pending(id, sink, 10), (pending) => pending.length === 0, { what: `${sink} to have every event of ${id}`, timeoutMs: 30_000 });
    }
  }

  const top = (channel: string) => slack.messages(channel).filter((m) => !m.thread_ts);
  /** Discord message creates and edits, with their bodies. */
  const discordWrites = (): DiscordCall[] => discord.calls.filter((c) => /^\/channels\/\d+\/messages(\/\d+)?$/.test(c.path) && (c.method === 'POST' || c.method === 'PATCH') && c.status < 300);
  const discordBody = (c: DiscordCall) => c.body as { content?: string; allowed_mentions?: unknown; components?: unknown[] };

  it('a critical rollback pages both pagers at its start and resolves them on success; the header mentions the on-call; stakeholders get two messages', async () => {
    const harness = await start();
    const done = await rollback(harness, 'critical');
    expect(done.state).toBe('succeeded');
    await settled(harness, done.id);

    // PagerDuty: one alert per rollback (dedup_key = its id), triggered as critical at the start, then resolved.
    const events = pagerduty.accepted();
    expect(events.map((e) => `${e.event_action}:${e.dedup_key}`)).toEqual([`trigger:${done.id}`, `resolve:${done.id}`]);
    expect(events[0]).toMatchObject({
      routing_key: PD_KEY,
      payload: { severity: 'critical', source: 'checkout-api/production', component: 'checkout-api', group: 'production', summary: expect.stringContaining('Critical rollback started: checkout-api (production)') },
    });
    expect(events[0]!.payload!.custom_details).toMatchObject({ Rollback: done.id, Reason: 'errors after deploy', Release: '2.4.1 → 2.4.0 (blue)' });
    expect(events[0]!.links).toEqual(expect.arrayContaining([{ href: expect.stringMatching(/^https:\/\/rewind-test\.slack\.com\/archives\/C0INCIDENT\/p\d{16}$/), text: 'Rollback thread in Slack' }]));
    expect(pagerduty.alert(done.id)).toMatchObject({ status: 'resolved' });

    // Opsgenie: created (P1, alias = rollback id), then closed by alias; every call carries the GenieKey.
    expect(opsgenie.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /v2/alerts 202',
      `POST /v2/alerts/${done.id}/close?identifierType=alias 202`,
    ]);
    expect(opsgenie.calls.every((c) => c.authorization === `GenieKey ${OG_KEY}`)).toBe(true);
    expect(opsgenie.alert(done.id)).toMatchObject({ status: 'closed', count: 1, create: { priority: 'P1', alias: done.id, source: 'Rewind' } });

    // Slack: the header addresses the on-call from its first post (a critical start); nothing else does.
    const [header] = top(INCIDENT.slack);
    const headerPost = slack.callsTo('chat.postMessage').find((c) => c.args['channel'] === INCIDENT.slack && c.args['thread_ts'] === undefined)!;
    expect(String(headerPost.args['text'])).toMatch(/^<!subteam\^S0ONCALL> /);
    expect(JSON.stringify(headerPost.args['blocks'])).toContain(SLACK_ONCALL);
    const thread = slack.thread(INCIDENT.slack, header!.ts);
    expect(thread.at(-1)!.reply_broadcast).toBe(true);
    expect(thread.filter((m) => `${m.text} ${JSON.stringify(m.blocks)}`.includes('<!subteam'))).toEqual([]);

    // Discord: the header pings exactly the on-call role; every other message allows no ping at all.
    const headerId = discord.messages(INCIDENT.discord)[0]!.id;
    const writes = discordWrites();
    const pinging = writes.filter((c) => discordBody(c).content?.includes(DISCORD_ONCALL));
    expect(pinging.length).toBeGreaterThanOrEqual(1);
    for (const call of pinging) {
      expect(call.path).toMatch(new RegExp(`^/channels/${INCIDENT.discord}/messages(/${headerId})?$`));
      expect(discordBody(call).allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
    }
    for (const call of writes.filter((c) => !pinging.includes(c))) expect(discordBody(call).allowed_mentions).toEqual({ parse: [] });

    // Stakeholders: exactly two messages on each platform, no thread, no buttons; the first edited to the outcome.
    const announced = slack.messages(STAKEHOLDERS.slack);
    expect(announced).toHaveLength(2);
    expect(announced.every((m) => !m.thread_ts && !JSON.stringify(m.blocks).includes('"actions"'))).toBe(true);
    expect(announced.map((m) => m.text)).toEqual([expect.stringContaining('Deployment rollback executed'), expect.stringContaining('Rollback completed')]);
    expect(JSON.stringify(announced[0]!.blocks)).toContain('Rolled back — stable and monitoring');
    expect(JSON.stringify(announced[1]!.blocks)).toMatch(/Root cause[^"]*\\n[^"]*Being assessed/);
    const onDiscord = discord.messages(STAKEHOLDERS.discord);
    expect(onDiscord.map((m) => m.embeds[0]?.title)).toEqual([expect.stringContaining('Deployment rollback executed'), expect.stringContaining('Rollback completed')]);
    expect(onDiscord.every((m) => m.components.length === 0 && m.thread === undefined)).toBe(true);

    // A root cause filled in later edits the closing message in place: still two messages.
    await harness.rewind.service.recordPostmortem(done.id, LEAD, { rootCause: 'a bad feature flag', impact: 'checkout errors for 4 minutes' });
    await waitFor(() => JSON.stringify(slack.messages(STAKEHOLDERS.slack)[1]?.blocks), (b) => b?.includes('a bad feature flag') === true, { what: 'the closing message with the root cause' });
    await waitFor(() => JSON.stringify(discord.messages(STAKEHOLDERS.discord)[1]?.embeds), (e) => e?.includes('a bad feature flag') === true, { what: 'the Discord closing message with the root cause' });
    expect([slack.messages(STAKEHOLDERS.slack).length, discord.messages(STAKEHOLDERS.discord).length]).toEqual([2, 2]);
    await settled(harness, done.id);
    expect(pagerduty.accepted()).toHaveLength(2);

    // Secret hygiene: the keys were used for real, and appear nowhere Rewind writes.
    const written = {
      logs: logLines.join(''),
      slackCalls: JSON.stringify(slack.calls),
      discordCalls: JSON.stringify(discord.calls),
      stored: JSON.stringify([await harness.rewind.store.get(done.id), await harness.rewind.store.auditTrail(done.id), await harness.rewind.store.outboxEvents(done.id)]),
    };
    expect(written.logs).toContain('PagerDuty: trigger sent');
    const leaks = Object.entries(written).flatMap(([where, text]) => [PD_KEY, OG_KEY].filter((key) => text.includes(key)).map((key) => `${key.slice(0, 4)}… in ${where}`));
    expect(leaks).toEqual([]);
  });

  it('a failing rollback pages with its failure summary, and the broadcast failure summary mentions the on-call', async () => {
    // High severity without approval: no page at the start (not critical), one on failure.
    const harness = await start({ blueHealthy: false, extra: '        approvals: { high: { required: 0 } }' });
    const done = await rollback(harness, 'high');
    expect(done.state).toBe('failed');
    await settled(harness, done.id);

    const [trigger, ...rest] = pagerduty.accepted();
    expect(rest).toEqual([]);
    expect(trigger).toMatchObject({ event_action: 'trigger', dedup_key: done.id, payload: { severity: 'error', summary: expect.stringContaining('Rollback failed: checkout-api (production) — stopped at Verify') } });
    const details = trigger!.payload!.custom_details as Record<string, string>;
    expect(details['Stopped at']).toMatch(/^Verify/);
    expect(details['What was seen']).toMatch(/health: fail, measured .*503/);
    expect(details['Provider']).toBe('Traffic was switched to 2.4.0 (blue)');
    expect(details['Next steps']).toEqual(expect.any(String));
    expect(pagerduty.alert(done.id)).toMatchObject({ status: 'triggered' });

    expect(opsgenie.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v2/alerts']);
    const alert = opsgenie.alert(done.id)!;
    expect(alert).toMatchObject({ status: 'open', create: { priority: 'P2', message: expect.stringContaining('Rollback failed') } });
    expect(alert.create.description).toMatch(/What was seen: .*health: fail/);

    // Slack: the header (not critical) mentions nobody; the broadcast failure summary does.
    const [header] = top(INCIDENT.slack);
    expect(`${header!.text} ${JSON.stringify(header!.blocks)}`).not.toContain('<!subteam');
    const mentioning = slack.messages(INCIDENT.slack).filter((m) => m.text?.startsWith(SLACK_ONCALL));
    expect(mentioning).toHaveLength(1);
    expect(mentioning[0]).toMatchObject({ thread_ts: header!.ts, reply_broadcast: true });
    expect(mentioning[0]!.text).toContain('Rollback failed');

    // Discord: only the summary's echo in the channel pings, and only the role.
    const pinging = discordWrites().filter((c) => discordBody(c).content?.includes(DISCORD_ONCALL));
    expect(pinging).toHaveLength(1);
    expect(pinging[0]).toMatchObject({ method: 'POST', path: `/channels/${INCIDENT.discord}/messages` });
    expect(discordBody(pinging[0]!).allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
    for (const call of discordWrites().filter((c) => c !== pinging[0])) expect(discordBody(call).allowed_mentions).toEqual({ parse: [] });

    // Stakeholders: the start, then the failed variant.
    expect(slack.messages(STAKEHOLDERS.slack).map((m) => m.text)).toEqual([expect.stringContaining('Deployment rollback executed'), expect.stringContaining('Rollback failed')]);
    expect(discord.messages(STAKEHOLDERS.discord).map((m) => m.embeds[0]?.title)).toEqual([expect.stringContaining('Deployment rollback executed'), expect.stringContaining('Rollback failed')]);
  });

  it('retries 429s after their Retry-After and 5xx until the pagers recover, without the rollback waiting for them', async () => {
    pagerduty.fail({ status: 503 });
    opsgenie.failNext({ status: 429, retryAfterSeconds: 2 });
    const harness = await start();
    const done = await rollback(harness, 'critical');
    expect(done.state).toBe('succeeded');
    // The rollback finished while PagerDuty has accepted nothing yet.
    await waitFor(() => pagerduty.calls.length, (n) => n >= 1, { what: 'a first PagerDuty attempt' });
    expect(pagerduty.accepted()).toEqual([]);

    pagerduty.recover();
    await settled(harness, done.id);
    expect(pagerduty.calls.filter((c) => c.status === 503).length).toBeGreaterThanOrEqual(1);
    // Each milestone once: the retried trigger did not pile up duplicates.
    expect(pagerduty.accepted().map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(pagerduty.alert(done.id)).toMatchObject({ status: 'resolved', triggers: [expect.anything()] });

    // Opsgenie said "retry after 2 s" and got the alert on the next try (the wait itself is
    // test/unit/paging/pagers.test.ts and test/integration/engine/outbox-retry-after.test.ts).
    const [limited, next] = opsgenie.calls;
    expect([limited?.status, next?.status]).toEqual([429, 202]);
    expect(opsgenie.alert(done.id)).toMatchObject({ status: 'closed', count: 1 });
  });

  it('a pager that refuses the key is logged once, clearly, and not retried; the keys stay out of the logs', async () => {
    const wrongPd = 'ffffffffffffffffffffffffffffffff';
    const wrongOg = 'not-the-opsgenie-key-0123456789';
    const harness = await start({ env: { PD_KEY: wrongPd, OG_KEY: wrongOg } });
    const done = await rollback(harness, 'critical');
    expect(done.state).toBe('succeeded');
    await settled(harness, done.id);

    // One attempt each (the trigger); no resolve for an alert that was never opened.
    expect(pagerduty.calls.map((c) => c.status)).toEqual([400]);
    expect(opsgenie.calls.map((c) => c.status)).toEqual([401]);
    const logs = logLines.join('');
    const refusals = logLines.filter((line) => line.includes('refused the trigger'));
    expect(refusals).toHaveLength(2);
    expect(logs).toContain('PagerDuty answered 400: Event object is invalid: Invalid routing key');
    expect(logs).toContain('Opsgenie answered 401: Could not authenticate');
    expect(logs).not.toContain(wrongPd);
    expect(logs).not.toContain(wrongOg);
    // Chat went on as usual.
    expect(top(INCIDENT.slack)).toHaveLength(1);
  });

  it('a rollback rejected before it ran pages nobody and announces nothing', async () => {
    const harness = await start();
    const result = await harness.rewind.service.request({ service: 'checkout-api', severity: 'high', reason: 'maybe', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    expect(result.record.state).toBe('pending_approval');
    await harness.rewind.service.reject(result.record.id, LEAD, 'not needed');
    await harness.waitForState(result.record.id, 'rejected');
    await settled(harness, result.record.id);
    expect(top(INCIDENT.slack)).toHaveLength(1);
    expect([slack.messages(STAKEHOLDERS.slack), discord.messages(STAKEHOLDERS.discord), pagerduty.calls, opsgenie.calls]).toEqual([[], [], [], []]);
    expect(JSON.stringify(slack.messages(INCIDENT.slack))).not.toContain('<!subteam');
  });
});
