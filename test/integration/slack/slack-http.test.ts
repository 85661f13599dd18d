/**
 * Slack in HTTP mode, end to end: signed requests in at POST /slack/events, a local fake of
 * Slack's Web API out. Covers the ack, the header/thread/update/summary sequence, signature
 * refusals, approval clicks, and a rate-limited chat.postMessage.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { FakeSlack, FAKE_SLACK_TOKEN, type FakeMessage } from '../../fakes/slack-api';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { buttonClickForm, postToSlackEndpoint, SIGNING_SECRET, slashCommandForm, slackSignature } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

describe('Slack (HTTP mode)', () => {
  let slack: FakeSlack;
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    slack = await FakeSlack.start();
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const catalog = bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`).replace(
      'high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2] }',
      'high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2, S0SRE] }',
    );
    h = await startHarness(catalog, {
      http: true,
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
    await slack.close();
  });

  const slash = (text: string, user = 'U0ONCALL', key = 'oncall') =>
    postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text, user_id: user, response_url: slack.responseUrl(key) }) });
  const click = (actionId: string, value: string, user: string, messageTs: string, actionTs?: string) =>
    postToSlackEndpoint(h.rewind.url!, {
      body: buttonClickForm({ actionId, value, user_id: user, response_url: slack.responseUrl(user), message_ts: messageTs, ...(actionTs ? { action_ts: actionTs } : {}) }),
    });
  const responseTexts = (key: string) => slack.responses(key).map((r) => JSON.stringify(r));
  const commandJobs = async () => Object.values(await h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0);

  async function headerOf(channel: string): Promise<FakeMessage> {
    return (await waitFor(() => slack.messages(channel).find((m) => !m.thread_ts), (m) => m !== undefined, { what: `a header in ${channel}` }))!;
  }

  it('acks a critical /rollback at once, then posts header, thread, header edits and the broadcast summary', async () => {
    target.holdSwitches();
    const ack = await slash('checkout-api production --severity critical --reason "500s after deploy"');
    // Answered while the provider is still holding the switch: the ack does not wait for the work.
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('checkout-api (production) requested') });
    expect(target.switches).toBeLessThanOrEqual(1);
    target.releaseSwitches();

    const header = await headerOf('C0INCIDENT');
    const [record] = await h.rewind.store.list({ service: 'checkout-api', limit: 1 });
    await h.waitForState(record!.id, 'succeeded');
    await waitFor(() => slack.thread('C0INCIDENT', header.ts), (t) => t.some((m) => m.reply_broadcast), { what: 'the broadcast summary' });

    const posts = slack.callsTo('chat.postMessage').map((c) => c.args);
    expect(posts[0]).toMatchObject({ channel: 'C0INCIDENT' });
    expect(posts[0]!['thread_ts']).toBeUndefined();
    expect(posts.slice(1).every((p) => p['thread_ts'] === header.ts)).toBe(true);
    const thread = slack.thread('C0INCIDENT', header.ts);
    expect(thread.at(-1)!.reply_broadcast).toBe(true);
    expect(JSON.stringify(thread.at(-1)!.blocks)).toMatch(/RTO/);
    // Thread order follows the plan: the preview first, the summary last.
    expect(JSON.stringify(thread[0]!.blocks)).toMatch(/2\.4\.1 → 2\.4\.0/);
    expect(slack.callsTo('chat.update').some((c) => c.args['ts'] === header.ts)).toBe(true);
    expect(JSON.stringify(slack.messages('C0INCIDENT').find((m) => m.ts === header.ts)!.blocks)).toMatch(/[Ss]ucceeded/);
    expect(target.rollbackRequests).toBe(1);
    expect(slack.calls.every((c) => !c.error)).toBe(true);
    // The requester got a private confirmation naming the rollback.
    await waitFor(() => responseTexts('oncall'), (r) => r.some((t) => t.includes(record!.id)), { what: 'the requester’s confirmation' });
  });

  it('refuses unsigned, stale and tampered requests with 401 and enqueues nothing', async () => {
    const body = slashCommandForm({ text: 'checkout-api --severity critical', user_id: 'U0ONCALL' });
    const unsigned = await postToSlackEndpoint(h.rewind.url!, { body, headers: {} });
    const stale = await postToSlackEndpoint(h.rewind.url!, { body, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const now = Math.floor(Date.now() / 1000);
    const tampered = await postToSlackEndpoint(h.rewind.url!, {
      body: body.replace('critical', 'low'),
      headers: { 'x-slack-request-timestamp': String(now), 'x-slack-signature': slackSignature(body, now) },
    });
    const wrongSecret = await postToSlackEndpoint(h.rewind.url!, { body, secret: 'not-the-secret' });
    expect([unsigned.status, stale.status, tampered.status, wrongSecret.status]).toEqual([401, 401, 401, 401]);
    expect(await commandJobs()).toBe(0);
    expect(await h.rewind.store.list({ limit: 5 })).toEqual([]);
  });

  it('answers a malformed command privately with what is valid, and enqueues nothing', async () => {
    const typo = await slash('chekout-api --severity critical');
    expect(JSON.stringify(await typo.json())).toContain('Did you mean `checkout-api`?');
    const badSeverity = await slash('checkout-api --severity crit');
    expect(JSON.stringify(await badSeverity.json())).toMatch(/critical, high, medium, low/);
    expect(await commandJobs()).toBe(0);
  });

  it('refuses the requester and a non-approver, runs once on an approver’s double click', async () => {
    await slash('checkout-api production --severity high --reason checkout-broken', 'U0LEAD', 'U0LEAD');
    const header = await headerOf('C0INCIDENT');
    const [record] = await h.rewind.store.list({ service: 'checkout-api', limit: 1 });
    expect(record!.state).toBe('pending_approval');
    expect(JSON.stringify(header.blocks)).toContain('rewind:approve');

    expect((await click('rewind:approve', record!.id, 'U0LEAD', header.ts)).status).toBe(200);
    expect((await click('rewind:approve', record!.id, 'U0STRANGER', header.ts)).status).toBe(200);
    await waitFor(() => responseTexts('U0LEAD'), (r) => r.some((t) => t.includes('cannot approve')), { what: 'the requester’s refusal' });
    await waitFor(() => responseTexts('U0STRANGER'), (r) => r.some((t) => t.includes('not an approver')), { what: 'the stranger’s refusal' });
    expect((await h.rewind.store.get(record!.id))!.state).toBe('pending_approval');

    await Promise.all([click('rewind:approve', record!.id, 'U0LEAD2', header.ts, '1.1'), click('rewind:approve', record!.id, 'U0LEAD2', header.ts, '1.2')]);
    await h.waitForState(record!.id, 'succeeded');
    await waitFor(() => responseTexts('U0LEAD2'), (r) => r.some((t) => t.includes('Already decided')), { what: 'the second click’s answer' });
    expect(target.rollbackRequests).toBe(1);
  });

  it('accepts an approver through a Slack user group', async () => {
    slack.setUsergroup('S0SRE', ['U0GROUPIE']);
    await slash('checkout-api --severity high', 'U0LEAD', 'U0LEAD');
    const header = await headerOf('C0INCIDENT');
    const [record] = await h.rewind.store.list({ service: 'checkout-api', limit: 1 });
    await click('rewind:approve', record!.id, 'U0GROUPIE', header.ts);
    await h.waitForState(record!.id, 'succeeded');
    expect(slack.callsTo('usergroups.users.list').map((c) => c.args['usergroup'])).toContain('S0SRE');
  });

  it('retries a 429 from chat.postMessage after Retry-After and keeps the thread in order', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1, count: 2 });
    await slash('checkout-api --severity critical');
    const header = await headerOf('C0INCIDENT');
    const [record] = await h.rewind.store.list({ service: 'checkout-api', limit: 1 });
    await h.waitForState(record!.id, 'succeeded');
    const thread = await waitFor(() => slack.thread('C0INCIDENT', header.ts), (t) => t.some((m) => m.reply_broadcast), { what: 'the summary after the 429s', timeoutMs: 20_000 });
    const limited = slack.calls.filter((c) => c.status === 429);
    expect(limited).toHaveLength(2);
    // That each 429's Retry-After is waited out is test/integration/engine/outbox-retry-after.test.ts.
    expect(JSON.stringify(thread[0]!.blocks)).toMatch(/2\.4\.1 → 2\.4\.0/);
    expect(thread.at(-1)!.reply_broadcast).toBe(true);
    // Nothing lost: every thread event of the outbox appears (collapsed ones as one edited post).
    const events = await h.rewind.store.outboxEvents(record!.id);
    const expected = new Set(events.filter((e) => e.kind === 'thread').map((e) => e.supersedes ?? `seq:${e.seq}`));
    expect(thread).toHaveLength(expected.size);
  });

  it('opens the request form on a bare /rollback and the root-cause form from the summary', async () => {
    const bare = await slash('');
    expect(bare.status).toBe(200);
    await waitFor(() => slack.callsTo('views.open'), (c) => c.length === 1, { what: 'views.open' });
    expect(slack.callsTo('views.open')[0]!.args['view']).toMatchObject({ callback_id: 'rollback_request' });

    await slash('checkout-api --severity critical');
    const header = await headerOf('C0INCIDENT');
    const [record] = await h.rewind.store.list({ service: 'checkout-api', limit: 1 });
    await h.waitForState(record!.id, 'succeeded');
    await click('rewind:root_cause', record!.id, 'U0ONCALL', header.ts);
    await waitFor(() => slack.callsTo('views.open'), (c) => c.length === 2, { what: 'the root-cause form' });
    expect(slack.callsTo('views.open')[1]!.args['view']).toMatchObject({ callback_id: 'root_cause', private_metadata: record!.id });
  });

  it('stores impact, root cause and prevention from the form and shows them in a new summary', async () => {
    await slash('checkout-api --severity critical');
    const header = await headerOf('C0INCIDENT');
    const [record] = await h.rewind.store.list({ service: 'checkout-api', limit: 1 });
    await h.waitForState(record!.id, 'succeeded');
    const value = (text: string) => ({ type: 'plain_text_input', value: text });
    const payload = {
      type: 'view_submission',
      team: { id: 'T0001', domain: 'example' },
      user: { id: 'U0ONCALL', username: 'oncall', name: 'oncall', team_id: 'T0001' },
      api_app_id: 'A123456',
      trigger_id: 'view-trigger',
      view: {
        id: 'V0ROOT',
        type: 'modal',
        callback_id: 'root_cause',
        private_metadata: record!.id,
        hash: 'h1',
        state: {
          values: {
            impact: { impact_input: value('Checkout failed for 12% of users for 9 minutes') },
            cause: { cause_input: value('Null pointer in the new tax calculation') },
            prevention: { prevention_input: value('Contract test for tax service') },
          },
        },
      },
      response_urls: [],
    };
    const submitted = await postToSlackEndpoint(h.rewind.url!, { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() });
    expect(submitted.status).toBe(200);
    const updated = await waitFor(() => h.rewind.store.get(record!.id), (r) => r?.postmortem?.rootCause !== undefined, { what: 'the stored root cause' });
    expect(updated!.postmortem).toMatchObject({ impact: 'Checkout failed for 12% of users for 9 minutes', rootCause: 'Null pointer in the new tax calculation', prevention: 'Contract test for tax service', by: { id: 'U0ONCALL' } });
    await waitFor(
      () => slack.thread('C0INCIDENT', header.ts),
      (t) => t.some((m) => JSON.stringify(m.blocks).includes('Null pointer in the new tax calculation')),
      { what: 'the summary with the root cause' },
    );
    const history = await h.rewind.service.history('checkout-api', 5);
    expect(JSON.stringify(history)).toContain('Null pointer in the new tax calculation');
  });
});
