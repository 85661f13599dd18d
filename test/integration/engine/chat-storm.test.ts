/**
 * Chat platforms in trouble (issue 13): Slack and Discord answer 429s (with Retry-After) and 5xx on
 * every call type Rewind makes (post, update, thread start), or carry a call out and lose its answer
 * (the client times out). The rollback does not wait for chat. Once the platform recovers every
 * message arrives, each once, in the order it was written.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { FakeDiscord } from '../../fakes/discord-api';
import { FakeSlack, FAKE_SLACK_TOKEN, type FakeMessage } from '../../fakes/slack-api';
import type { Conversation } from '../../../src/domain/ports';
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
    // Wall-clock ts, as Slack's: finding a post that may have landed searches history by time.
    slack = await FakeSlack.start({ ts: 'wall' });
    discord = await FakeDiscord.start({ token: 'discord-bot-token', applicationId: '900000000000000001' });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterEach(async () => {
    await h?.close();
    await target.close();
    await slack.close();
    await discord.close();
  });

  async function start(timeouts: { timeoutMs?: number } = {}): Promise<void> {
    h = await startHarness(bluegreenCatalog(target.url).replace('channels: { slack: C0INCIDENT }', 'channels: { slack: C0INCIDENT, discord: "222" }'), {
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: 'unused-signing-secret', mode: 'http', apiUrl: slack.apiUrl, ...timeouts },
      discord: { token: 'discord-bot-token', applicationId: '900000000000000001', publicKey: keys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase, ...timeouts },
    });
  }

  async function rollback(reason: string): Promise<Conversation> {
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason, requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    return done;
  }

  /** Each thread key's last version, in the order the key first appeared: what the thread must show. */
  async function expectedThreadTitles(id: string): Promise<string[]> {
    const written: string[] = [];
    const latest = new Map<string, string>();
    for (const event of (await h.rewind.store.outboxEvents(id)).filter((e) => e.kind === 'thread')) {
      const key = event.supersedes ?? `seq:${event.seq}`;
      if (!latest.has(key)) written.push(key);
      latest.set(key, event.message.title);
    }
    return written.map((key) => latest.get(key)!);
  }

  /** A Slack message's header block text (tone mark and title). */
  const slackTitle = (message: FakeMessage) => (message.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text ?? '';

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

  it('calls that take effect but time out (every call type, both platforms) leave every message once, in order', async () => {
    // Each of these is carried out by the platform, but its answer never comes: the client gives up
    // after 300 ms and cannot know whether the message exists.
    slack
      .hangNext('chat.postMessage', { when: (args) => args['thread_ts'] === undefined })
      .hangNext('chat.postMessage', { when: (args) => args['thread_ts'] !== undefined })
      .hangNext('chat.update');
    const inThread = ({ path }: { path: string }) => !path.startsWith('/channels/222/');
    discord
      .hangNext('POST /channels/222/messages')
      .hangNext('POST /channels/:channel/messages', { when: inThread })
      .hangNext('POST /channels/:channel/messages/:message/threads')
      .hangNext('PATCH /channels/:channel/messages/:message');
    await start({ timeoutMs: 300 });
    const done = await rollback('timeouts');
    const expected = await expectedThreadTitles(done.id);

    // Slack: one header, its thread complete with the summary broadcast last, nothing twice.
    await waitFor(() => slack.messages('C0INCIDENT'), (all) => all.some((m) => m.reply_broadcast), { what: 'the Slack summary', timeoutMs: 30_000 });
    const headers = slack.messages('C0INCIDENT').filter((m) => !m.thread_ts);
    expect(headers).toHaveLength(1);
    const header = headers[0]!;
    const thread = slack.thread('C0INCIDENT', header.ts);
    expect(thread.at(-1)!.reply_broadcast).toBe(true);
    expect(thread.map(slackTitle)).toEqual(expected.map((title) => expect.stringContaining(title.slice(0, 40))));
    // The header ends showing the outcome, whichever update was lost on the way.
    await waitFor(() => JSON.stringify(slack.messages('C0INCIDENT').find((m) => m.ts === header.ts)!.blocks), (b) => /[Ss]ucceeded/.test(b), { what: 'the final Slack header' });

    // Discord: one header and one summary echo in the channel, one thread, its posts once and in order.
    const discordThread = (await waitFor(() => discord.threads()[0], (t) => t !== undefined, { what: 'the Discord thread', timeoutMs: 30_000 }))!;
    const posted = await waitFor(() => discord.messages(discordThread.id), (m) => m.length >= expected.length, { what: 'every Discord thread post', timeoutMs: 30_000 });
    await waitFor(() => discord.messages('222'), (m) => m.length >= 2, { what: 'the Discord summary echo', timeoutMs: 30_000 });
    expect(discord.threads()).toHaveLength(1);
    expect(discord.messages('222')).toHaveLength(2);
    expect(discord.messages(discordThread.id).map((m) => m.embeds[0]?.title ?? '')).toEqual(expected.map((title) => expect.stringContaining(title.slice(0, 40))));
    expect(posted).toHaveLength(expected.length);

    // Every programmed loss happened: the faults were really injected.
    const hungSlack = slack.calls.filter((c) => c.hung);
    expect(hungSlack.map((c) => `${c.method}${c.method === 'chat.postMessage' ? (c.args['thread_ts'] ? ' reply' : ' header') : ''}`).sort()).toEqual([
      'chat.postMessage header',
      'chat.postMessage reply',
      'chat.update',
    ]);
    expect(discord.calls.filter((c) => c.hung).map((c) => `${c.method} ${c.route}`)).toEqual(
      expect.arrayContaining([
        'POST /channels/:channel/messages',
        'POST /channels/:channel/messages/:message/threads',
        'PATCH /channels/:channel/messages/:message',
      ]),
    );
    expect(discord.calls.filter((c) => c.hung)).toHaveLength(4);
    expect([target.rollbackRequests, target.switches]).toEqual([1, 1]);
  });
});
