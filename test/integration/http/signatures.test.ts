/**
 * Signatures, one table per sender: unsigned, stale, future-dated, tampered and wrongly keyed
 * requests are refused with 401 and enqueue nothing; a correctly signed request sent twice (a
 * replay) is one job. Webhooks' HMAC and bearer schemes are covered in test/integration/auto/.
 */
import { FakeDiscord } from '../../fakes/discord-api';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { commandInteraction, generateDiscordKeys, postInteraction } from '../../support/discord-signing';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { postToSlackEndpoint, SIGNING_SECRET, slackSignature, slashCommandForm } from '../../support/slack-signing';

const MINUTE_S = 60;

describe('request signatures', () => {
  const keys = generateDiscordKeys();
  const otherKeys = generateDiscordKeys();
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let h: Harness;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    discord = await FakeDiscord.start({ token: 'discord-bot-token', applicationId: '900000000000000001' });
    h = await startHarness(bluegreenCatalog('http://127.0.0.1:9').replace('channels: { slack: C0INCIDENT }', 'channels: { slack: C0INCIDENT, discord: "222" }'), {
      roles: { ingress: true, worker: false },
      http: true,
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
      discord: { token: 'discord-bot-token', applicationId: '900000000000000001', publicKey: keys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase },
    });
  });
  afterAll(async () => {
    await h?.close();
    await slack?.close();
    await discord?.close();
  });
  beforeEach(() => h.rewind.queues.commands.obliterate({ force: true }));

  const jobs = async () => Object.values(await h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0);
  const now = () => Math.floor(Date.now() / 1000);

  describe('Slack', () => {
    const body = slashCommandForm({ text: 'status', user_id: 'U0ONCALL', trigger_id: '12345.98765.abcdef' });
    const send = (options: { timestamp?: number; secret?: string; body?: string; headers?: Record<string, string> }) =>
      postToSlackEndpoint(h.rewind.url!, { body: options.body ?? body, ...(options.timestamp ? { timestamp: options.timestamp } : {}), ...(options.secret ? { secret: options.secret } : {}), ...(options.headers ? { headers: options.headers } : {}) });

    it.each([
      ['unsigned', () => send({ headers: {} })],
      ['stale (6 minutes old)', () => send({ timestamp: now() - 6 * MINUTE_S })],
      ['future-dated (6 minutes ahead)', () => send({ timestamp: now() + 6 * MINUTE_S })],
      ['tampered (signed, then changed)', () => send({ headers: { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': slackSignature(body, now()) }, body: body.replace('status', 'help') })],
      ['signed with another secret', () => send({ secret: 'not-the-signing-secret' })],
    ])('refuses a request that is %s with 401, enqueueing nothing', async (_what, request) => {
      const answer = await request();
      expect(answer.status).toBe(401);
      expect(await jobs()).toBe(0);
    });

    it('accepts a request signed a little ahead (clock skew within 5 minutes)', async () => {
      expect((await send({ timestamp: now() + 2 * MINUTE_S })).status).toBe(200);
    });

    it('runs a replayed request once', async () => {
      const timestamp = now();
      const [first, again] = [await send({ timestamp }), await send({ timestamp })];
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(await jobs()).toBe(1);
    });
  });

  describe('Discord', () => {
    const interaction = commandInteraction({ subcommand: 'status', userId: '300000000000000001', channelId: '222', id: '400000000000000001' });
    const send = (options: Parameters<typeof postInteraction>[2] = {}, changed?: object) => postInteraction(h.rewind.url!, changed ?? interaction, { keys, ...options });

    it.each([
      ['unsigned', () => send({ headers: {} })],
      ['stale (6 minutes old)', () => send({ timestamp: String(now() - 6 * MINUTE_S) })],
      ['future-dated (6 minutes ahead)', () => send({ timestamp: String(now() + 6 * MINUTE_S) })],
      ['signed with a bad signature (as Discord sends on purpose)', () => send({ badSignature: true })],
      ['signed by another key', () => send({ keys: otherKeys })],
    ])('refuses a request that is %s with 401, enqueueing nothing', async (_what, request) => {
      const answer = await request();
      expect(answer.status).toBe(401);
      expect(await jobs()).toBe(0);
    });

    it('refuses a body changed after signing', async () => {
      const timestamp = String(now());
      const signature = keys.sign(timestamp, JSON.stringify(interaction));
      const tampered = JSON.stringify({ ...interaction, channel_id: '223' });
      const answer = await fetch(`${h.rewind.url}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body: tampered });
      expect(answer.status).toBe(401);
      expect(await jobs()).toBe(0);
    });

    it('runs a replayed interaction once', async () => {
      const timestamp = String(now());
      const [first, again] = [await send({ timestamp }), await send({ timestamp })];
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(await jobs()).toBe(1);
    });
  });
});
