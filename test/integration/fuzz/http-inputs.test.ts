/**
 * Property-based fuzzing (fast-check) of everything Rewind takes in over HTTP, correctly signed so
 * the input reaches the parsers: Slack interaction payloads and slash commands, Discord
 * interactions, and the alert and deploy webhooks. Every answer is a 2xx or a 4xx (never a 5xx or a
 * reset), nothing is enqueued for what is refused, and no promise is left rejected.
 */
import fc from 'fast-check';
import { parseCommandText } from '../../../src/chat/command-grammar';
import { BUTTON_ACTIONS } from '../../../src/domain/message';
import { Command } from '../../../src/engine/commands';
import { signBody } from '../../../src/triggers/webhook-auth';
import { FakeDiscord } from '../../fakes/discord-api';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { generateDiscordKeys, postInteraction } from '../../support/discord-signing';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { buttonClickForm, postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';

jest.setTimeout(120_000);

const HMAC = 'alertmanager-hmac-secret-0123456789';
const BEARER = 'hook-bearer-token-0123456789abcdef';
const RUNS = 120;

/** A JSON body that is anything but what the route expects: any value, or an object of near-miss fields. */
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      type: fc.oneof(fc.integer({ min: -1, max: 6 }), fc.string({ maxLength: 20 }), fc.constant('block_actions')),
      id: fc.string({ maxLength: 30 }),
      token: fc.string({ maxLength: 30 }),
      data: fc.jsonValue({ maxDepth: 3 }),
      actions: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
      alerts: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }),
      status: fc.oneof(fc.constant('firing'), fc.string({ maxLength: 10 })),
      service: fc.string({ maxLength: 20 }),
      user: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
);

describe('fuzzing what comes in over HTTP', () => {
  const discordKeys = generateDiscordKeys();
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let h: Harness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const tally = { inputs: 0, refusals: 0 };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    slack = await FakeSlack.start();
    discord = await FakeDiscord.start({ token: 'discord-bot-token', applicationId: '900000000000000001' });
    const catalog = bluegreenCatalog('http://127.0.0.1:9').replace(
      'services:',
      `hooks:
  alertmanager: { auth: { type: hmac, secret: "${HMAC}" } }
  grafana: { auth: { type: bearer, token: "${BEARER}" } }
  generic: { auth: { type: bearer, token: "${BEARER}" } }
  deploy: { auth: { type: bearer, token: "${BEARER}" } }
services:`,
    );
    // Ingress only: whatever is enqueued stays in the queue, where the test can count it.
    h = await startHarness(catalog, {
      roles: { ingress: true, worker: false },
      http: true,
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
      discord: { token: 'discord-bot-token', applicationId: '900000000000000001', publicKey: discordKeys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase },
    });
  });
  afterAll(async () => {
    await h?.close();
    await slack?.close();
    await discord?.close();
    process.off('unhandledRejection', onUnhandled);
    console.info(`fuzzing (HTTP): ${tally.inputs} signed inputs, ${tally.refusals} refused with a 4xx or a message, 0 answered 5xx, 0 enqueued`);
  });

  const jobs = async () => Object.values(await h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0);

  /** Runs `send` for each input; every answer is below 500 and the queue never grows. */
  async function fuzz<T>(inputs: fc.Arbitrary<T>, send: (input: T) => Promise<Response>): Promise<void> {
    const before = await jobs();
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        tally.inputs++;
        const answer = await send(input);
        await answer.arrayBuffer();
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) tally.refusals++;
      }),
      { numRuns: RUNS },
    );
    expect(await jobs()).toBe(before);
    expect(unhandled).toEqual([]);
  }

  it('Slack: any interaction payload, signed', async () => {
    await fuzz(jsonBody, (body) => postToSlackEndpoint(h.rewind.url!, { body: new URLSearchParams({ payload: JSON.stringify(body) }).toString() }));
  });

  it('Slack: any form body, signed', async () => {
    await fuzz(fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 6 }), (fields) => postToSlackEndpoint(h.rewind.url!, { body: new URLSearchParams(fields).toString() }));
  });

  it('Slack: a /rollback the grammar refuses is answered privately with why, and nothing is enqueued', async () => {
    const refused = fc.string({ maxLength: 80 }).filter((text) => {
      try {
        parseCommandText(text);
        return false;
      } catch {
        return true;
      }
    });
    await fuzz(refused, async (text) => {
      const answer = await postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text, user_id: 'U0ONCALL', response_url: slack.responseUrl('fuzz') }) });
      const said = (await answer.clone().json()) as { response_type?: string; text?: string };
      expect(said).toMatchObject({ response_type: 'ephemeral' });
      expect(said.text?.length).toBeGreaterThan(10);
      tally.refusals++;
      return answer;
    });
  });

  it('Slack: clicks on any Rewind button with any value: answered, and whatever is queued is a valid command', async () => {
    const clicks = fc.record({ action: fc.constantFrom(...BUTTON_ACTIONS, 'bogus'), value: fc.oneof(fc.string({ maxLength: 60 }), fc.constant('rb_1|before.0'), fc.constant('a|b|c')) });
    await fc.assert(
      fc.asyncProperty(clicks, async ({ action, value }) => {
        tally.inputs++;
        const answer = await postToSlackEndpoint(h.rewind.url!, { body: buttonClickForm({ actionId: `rewind:${action}`, value, user_id: 'U0FUZZ', response_url: slack.responseUrl('fuzz'), message_ts: '1.1' }) });
        await answer.arrayBuffer();
        expect(answer.status).toBe(200);
      }),
      { numRuns: RUNS },
    );
    const queued = await h.rewind.queues.commands.getJobs(['wait', 'delayed', 'prioritized']);
    expect(queued.filter((job) => !Command.safeParse(job.data).success).map((job) => job.data)).toEqual([]);
    await h.rewind.queues.commands.obliterate({ force: true });
    expect(unhandled).toEqual([]);
  });

  it('Discord: any interaction body, signed', async () => {
    await fuzz(jsonBody, (body) => postInteraction(h.rewind.url!, body as object, { keys: discordKeys }));
  });

  it.each(['alertmanager', 'grafana', 'generic', 'deploy'])('webhook /hooks/%s: any JSON body, authenticated', async (hook) => {
    await fuzz(jsonBody, (body) => {
      const raw = JSON.stringify(body);
      const auth: Record<string, string> = hook === 'alertmanager' ? { 'x-rewind-signature': signBody(HMAC, raw) } : { authorization: `Bearer ${BEARER}` };
      return fetch(`${h.rewind.url}/hooks/${hook}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: raw });
    });
  });
});
