/**
 * Chat platforms in trouble (issue 13): Slack and Discord answer 429s (with Retry-After) and 5xx on
 * every call type Rewind makes (post, update, thread start). The rollback does not wait for chat:
 * it succeeds while nothing has been posted yet. Once the platform recovers every message arrives,
 * each once, in the order it was written.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { FakeDiscord } from '../../fakes/discord-api';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { startTarget } from '../../support/bluegreen-target';
import { generateDiscordKeys } from '../../support/discord-signing';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(60_000);

describe('chat storms', () => {
  const keys = generateDiscordKeys();
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    slack = await FakeSlack.start();
    discord = await FakeDiscord.start({ token: 'discord-bot-token', applicationId: '900000000000000001' });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterEach(async () => {
    await h?.close();
    await target.close();
    await slack.close();
    await discord.close();
  });

  async function start(): Promise<void> {
    h = await startHarness(bluegreenCatalog(target.url).replace('channels: { slack: C0INCIDENT }', 'channels: { slack: C0INCIDENT, discord: "222" }'), {
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: 'unused-signing-secret', mode: 'http', apiUrl: slack.apiUrl },
      discord: { token: 'discord-bot-token', applicationId: '900000000000000001', publicKey: keys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase },
    });
  }

  it('a rollback succeeds while both platforms refuse every call, and every message arrives once, in order, after', async () => {
    // Long enough that the rollback is over before the first post gets through.
    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 3, count: 2 }).failNext('chat.postMessage', { status: 503, count: 2 }).failNext('chat.update', { status: 500, count: 3 });
    discord
      .failNext('POST /channels/:channel/messages', { status: 429, retryAfterSeconds: 3, count: 2 })
      .failNext('POST /channels/:channel/messages', { status: 502, count: 2 })
      .failNext('POST /channels/:channel/messages/:message/threads', { status: 503, count: 2 })
      .failNext('PATCH /channels/:channel/messages/:message', { status: 429, retryAfterSeconds: 1, count: 2 });
    await start();
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'storm', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    // Chat has not had a single message through yet: the rollback did not wait for it.
    expect([slack.messages('C0INCIDENT').length, discord.messages('222').length]).toEqual([0, 0]);

    // Slack: the header, then the thread in the order written, the broadcast summary last.
    const header = (await waitFor(() => slack.messages('C0INCIDENT').find((m) => !m.thread_ts), (m) => m !== undefined, { what: 'the Slack header', timeoutMs: 30_000 }))!;
    const thread = await waitFor(() => slack.thread('C0INCIDENT', header.ts), (t) => t.some((m) => m.reply_broadcast), { what: 'the Slack summary', timeoutMs: 30_000 });
    const events = await h.rewind.store.outboxEvents(done.id);
    const threadEvents = events.filter((e) => e.kind === 'thread');
    expect(thread).toHaveLength(new Set(threadEvents.map((e) => e.supersedes ?? `seq:${e.seq}`)).size);
    const titles = thread.map((m) => m.text);
    expect(new Set(titles).size).toBe(titles.length);
    expect(thread.at(-1)!.reply_broadcast).toBe(true);

    // Discord: one thread started from the header, the same posts in it, nothing twice.
    const discordThread = await waitFor(() => discord.threads()[0], (t) => t !== undefined, { what: 'the Discord thread', timeoutMs: 30_000 });
    const posted = await waitFor(() => discord.messages(discordThread!.id), (m) => m.length === thread.length, { what: 'every Discord thread post', timeoutMs: 30_000 });
    expect(discord.threads()).toHaveLength(1);
    // In the order written: each key's last version, in the order the key first appeared.
    const written: string[] = [];
    const latest = new Map<string, string>();
    for (const event of threadEvents) {
      const key = event.supersedes ?? `seq:${event.seq}`;
      if (!latest.has(key)) written.push(key);
      latest.set(key, event.message.title);
    }
    const expected = written.map((key) => latest.get(key)!);
    expect(posted.map((m) => m.embeds?.[0]?.title ?? '')).toEqual(expected.map((title) => expect.stringContaining(title.slice(0, 40))));
    expect([target.rollbackRequests, target.switches]).toEqual([1, 1]);
  });
});
