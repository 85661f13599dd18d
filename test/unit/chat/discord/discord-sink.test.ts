/**
 * DiscordSink when a create's answer is lost after Discord carried it out: every create carries a
 * nonce derived from the rollback and the message, with `enforce_nonce`, so a repeat (by REST
 * itself or by the outbox later) is answered with the first message; a keyed message found that
 * way is brought up to the latest version. Against the local fake of Discord's REST API, through
 * the real @discordjs/rest client.
 */
import pino from 'pino';
import { messageNonce, DiscordSink } from '../../../../src/chat/discord/discord-sink';
import { createDiscordRest } from '../../../../src/chat/discord/discord-rest';
import { InMemoryChatRefs } from '../../../fakes/in-memory-chat-refs';
import { Message } from '../../../../src/domain/message';
import type { OutboundEvent } from '../../../../src/domain/outbound-event';
import type { Conversation } from '../../../../src/domain/ports';
import { FakeDiscord, FAKE_DISCORD_TOKEN } from '../../../fakes/discord-api';

const CHANNEL = '1110000000000000000';
const record: Conversation = { id: 'rb_TIMEOUTS', service: 'checkout-api', environment: 'production', channels: { slack: [], discord: [CHANNEL], console: [] } };

let seq = 0;
function event(kind: OutboundEvent['kind'], title: string, options: { supersedes?: string; broadcast?: boolean } = {}): OutboundEvent {
  const message = Message.parse({ kind: 'progress', tone: 'progress', title, fallback: title });
  return { seq: ++seq, rollbackId: record.id, at: Date.now(), kind, broadcast: options.broadcast ?? false, message, ...(options.supersedes ? { supersedes: options.supersedes } : {}) };
}

/**
 * Delivers as the outbox does: again after a failure. REST re-sends a timed-out call itself under
 * plain Node; under Jest it cannot recognise the abort (a DOMException from another realm fails its
 * `instanceof Error`), so the outbox's retry does it. The nonce must cover both.
 */
async function deliverUntilDone(sink: DiscordSink, outbound: OutboundEvent): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sink.deliver(outbound, record);
    } catch (error) {
      if (attempt >= 6) throw error;
    }
  }
}

describe('messageNonce', () => {
  it('is the same for every attempt at one message, different for any other, and at most 25 characters', () => {
    const nonce = messageNonce('rb_1', 'discord:1:seq:3');
    expect(nonce).toBe(messageNonce('rb_1', 'discord:1:seq:3'));
    expect(nonce.length).toBeLessThanOrEqual(25);
    expect(new Set([nonce, messageNonce('rb_2', 'discord:1:seq:3'), messageNonce('rb_1', 'discord:2:seq:3'), messageNonce('rb_1', 'discord:1:seq:4')]).size).toBe(4);
  });
});

describe('DiscordSink after unknown outcomes', () => {
  let discord: FakeDiscord;
  let sink: DiscordSink;

  beforeEach(async () => {
    discord = await FakeDiscord.start({ channels: [CHANNEL] });
    const rest = createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: discord.apiBase, timeoutMs: 200 });
    sink = new DiscordSink(rest, new InMemoryChatRefs(), pino({ level: 'silent' }));
  });
  afterEach(() => discord.close());

  it('a create that landed but timed out is answered with the first message when it is sent again', async () => {
    discord.hangNext('POST /channels/:channel/messages');
    await deliverUntilDone(sink, event('header', 'Header'));
    expect(discord.messages(CHANNEL)).toHaveLength(1);
    const creates = discord.callsTo('POST', '/channels/:id/messages');
    expect(creates).toHaveLength(2);
    expect(creates.map((c) => c.body)).toEqual([expect.objectContaining({ enforce_nonce: true, nonce: messageNonce(record.id, `discord:${CHANNEL}:header`) }), creates[0]!.body]);
  });

  it('a keyed post whose every attempt lost its answer ends as one message showing the latest version', async () => {
    await sink.deliver(event('header', 'Header'), record);
    // As many lost answers as REST makes attempts (three retries): the outbox gets the failure, and
    // by its next try the step has finished.
    discord.hangNext('POST /channels/:channel/messages', { count: 4, when: ({ path }) => !path.startsWith(`/channels/${CHANNEL}/`) });
    await expect(sink.deliver(event('thread', 'Step started', { supersedes: 'step:a' }), record)).rejects.toThrow();
    await deliverUntilDone(sink, event('thread', 'Step finished', { supersedes: 'step:a' }));

    const [thread] = discord.threads();
    expect(discord.messages(thread!.id).map((m) => m.embeds[0]?.title)).toEqual([expect.stringContaining('Step finished')]);
  });

  it('a thread start that landed but timed out is adopted (160004), and the summary echo is posted once', async () => {
    await sink.deliver(event('header', 'Header'), record);
    discord.hangNext('POST /channels/:channel/messages/:message/threads');
    const summary = event('thread', 'Summary', { broadcast: true });
    discord.hangNext('POST /channels/:channel/messages', { when: ({ path }) => path.startsWith(`/channels/${CHANNEL}/`) });
    await deliverUntilDone(sink, summary);
    await deliverUntilDone(sink, summary);

    expect(discord.threads()).toHaveLength(1);
    expect(discord.callsTo('POST', '/channels/:id/messages/:id/threads').map((c) => c.status)).toEqual([201, 400]);
    expect(discord.messages(discord.threads()[0]!.id)).toHaveLength(1);
    expect(discord.messages(CHANNEL).map((m) => m.embeds[0]?.title)).toEqual([expect.stringContaining('Header'), expect.stringContaining('Summary')]);
  });
});
