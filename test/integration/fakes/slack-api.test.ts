/** The Slack fake, driven by the real @slack/web-api client, so what passes against it passes the client's parsing too. */
import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type Logger } from '@slack/web-api';
import { FAKE_SLACK_TOKEN, FakeSlack } from '../../fakes/slack-api';

const CHANNEL = 'C0INCIDENT';

const quiet = (): void => undefined;
/** The client logs every refused call; the refusals are what these tests ask for. */
const silentLogger: Logger = { debug: quiet, info: quiet, warn: quiet, error: quiet, setLevel: quiet, getLevel: () => LogLevel.ERROR, setName: quiet };

function clientFor(fake: FakeSlack, token = FAKE_SLACK_TOKEN): WebClient {
  return new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: silentLogger });
}

async function platformError(call: Promise<unknown>): Promise<string> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WebAPIPlatformError)) throw new Error(`expected a platform error, got ${String(error)}`);
  return error.data.error;
}

describe('FakeSlack with the real WebClient', () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeEach(async () => {
    fake = await FakeSlack.start({ channels: [CHANNEL] });
    client = clientFor(fake);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers auth.test as the bot', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({ ok: true, user: 'rewind', team_id: 'T0001', user_id: 'U0BOT', bot_id: 'B0BOT' });
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('posts a header, a thread reply, and updates the header in place', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*checkout-api* rolling back' } }];
    const header = await client.chat.postMessage({ channel: CHANNEL, text: 'Rolling back checkout-api', blocks });
    expect(header).toMatchObject({ ok: true, channel: CHANNEL, message: { text: 'Rolling back checkout-api', blocks } });
    expect(header.ts).toMatch(/^1700000000\.\d{6}$/);

    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: header.ts!, text: 'Step 1 started', reply_broadcast: true });
    expect(Number(reply.ts)).toBeGreaterThan(Number(header.ts));

    const updated = await client.chat.update({ channel: CHANNEL, ts: header.ts!, text: 'Rolled back', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'done' } }] });
    expect(updated).toMatchObject({ ok: true, ts: header.ts });

    const [top, threaded] = fake.messages(CHANNEL);
    expect(top).toMatchObject({ ts: header.ts, text: 'Rolled back', blocks: [{ type: 'section', text: { text: 'done' } }], updates: 1 });
    expect(threaded).toMatchObject({ thread_ts: header.ts, text: 'Step 1 started', reply_broadcast: true, updates: 0 });
    expect(fake.thread(CHANNEL, header.ts!).map((m) => m.text)).toEqual(['Step 1 started']);

    // The form body carried blocks as a JSON string; the fake recorded them decoded, and no token.
    const call = fake.callsTo('chat.postMessage')[0]!;
    expect(call.args).toEqual({ channel: CHANNEL, text: 'Rolling back checkout-api', blocks });
    expect(call.status).toBe(200);
  });

  it('removes the blocks when an update has text only, as Slack does', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [{ type: 'divider' }] });
    await client.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'plain' });
    expect(fake.messages(CHANNEL)[0]).not.toHaveProperty('blocks');
  });

  it('refuses what Slack refuses', async () => {
    expect(await platformError(client.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' }))).toBe('message_not_found');
    expect(await platformError(client.chat.postMessage({ channel: 'C0OTHER', text: 'x' }))).toBe('channel_not_found');
    expect(await platformError(client.chat.postMessage({ channel: CHANNEL, text: '' }))).toBe('no_text');
    expect(await platformError(client.chat.postMessage({ channel: CHANNEL, thread_ts: '1.000001', text: 'x' }))).toBe('thread_not_found');
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await platformError(client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: tooMany }))).toBe('invalid_blocks');
    const longHeader = [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }];
    expect(await platformError(client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: longHeader }))).toBe('invalid_blocks');
    expect(await platformError(client.apiCall('chat.nonsense'))).toBe('unknown_method');
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('surfaces a programmed 429 as WebAPIRateLimitedError with Retry-After, then answers normally', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
    const error = await client.chat.postMessage({ channel: CHANNEL, text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);
    await expect(client.chat.postMessage({ channel: CHANNEL, text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('surfaces programmed 5xx answers as WebAPIHTTPError, count times', async () => {
    fake.failNext('chat.update', { status: 503, count: 2 });
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'x' });
    for (let i = 0; i < 2; i++) {
      const error = await client.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'y' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebAPIHTTPError);
      expect((error as WebAPIHTTPError).statusCode).toBe(503);
    }
    await expect(client.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'y' })).resolves.toMatchObject({ ok: true });
  });

  it('refuses a wrong token with invalid_auth', async () => {
    expect(await platformError(clientFor(fake, 'xoxb-wrong').chat.postMessage({ channel: CHANNEL, text: 'x' }))).toBe('invalid_auth');
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ status: 200, error: 'invalid_auth' });
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('lists usergroup members from the programmed map', async () => {
    fake.setUsergroup('S0ONCALL', ['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S0ONCALL' })).resolves.toMatchObject({ ok: true, users: ['U1', 'U2'] });
    expect(await platformError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).toBe('no_such_subteam');
  });

  it('answers users.info', async () => {
    fake.setUser('U2147483697', { name: 'steve', real_name: 'Steve Example' });
    await expect(client.users.info({ user: 'U2147483697' })).resolves.toMatchObject({ user: { id: 'U2147483697', name: 'steve', real_name: 'Steve Example' } });
  });

  it('posts ephemerals with a message_ts', async () => {
    const result = await client.chat.postEphemeral({ channel: CHANNEL, user: 'U1', text: 'only you' });
    expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals(CHANNEL)).toMatchObject([{ user: 'U1', text: 'only you' }]);
  });

  it('opens, updates and pushes views; a trigger_id works once', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Root cause' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: 'T.1', view });
    expect(opened.view?.id).toMatch(/^V/);
    expect(await platformError(client.views.open({ trigger_id: 'T.1', view }))).toBe('exchanged_trigger_id');
    const updated = await client.views.update({ view_id: opened.view!.id!, view: { ...view, title: { type: 'plain_text', text: 'Impact' } } });
    expect(updated.view?.title?.text).toBe('Impact');
    await expect(client.views.push({ trigger_id: 'T.2', view })).resolves.toMatchObject({ ok: true });
    expect(fake.views().map((v) => [v.opened_via, v.updates])).toEqual([
      ['views.open', 1],
      ['views.push', 0],
    ]);
  });

  it('records what is posted to a response_url, at most five times', async () => {
    const url = fake.responseUrl('cmd-1');
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ response_type: 'ephemeral', text: 'Unknown service', replace_original: false })).status).toBe(200);
    expect(fake.responses('cmd-1')).toMatchObject([{ response_type: 'ephemeral', text: 'Unknown service', replace_original: false }]);
    for (let i = 0; i < 4; i++) await post({ text: `again ${i}` });
    expect((await post({ text: 'sixth' })).status).toBe(404);
    expect(fake.responses('cmd-1')).toHaveLength(5);
    expect(fake.responses('other')).toEqual([]);
  });

  it('accepts JSON bodies and a token field too', async () => {
    const json = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${FAKE_SLACK_TOKEN}` },
      body: JSON.stringify({ channel: CHANNEL, text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, message: { blocks: [{ type: 'divider' }] } });
    const form = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST', body: new URLSearchParams({ token: FAKE_SLACK_TOKEN }) });
    expect(await form.json()).toMatchObject({ ok: true });
    const none = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST' });
    expect(await none.json()).toEqual({ ok: false, error: 'not_authed' });
  });
});
