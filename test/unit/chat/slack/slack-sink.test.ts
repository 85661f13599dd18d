/**
 * SlackSink when a post's outcome is unknown (the call timed out after Slack carried it out, or the
 * process died before recording the ts): the next try finds the message by its metadata and adopts
 * it, looks nothing up when there was no earlier attempt, and never posts blindly after a failed
 * look-up. Against the local fake of Slack's Web API, through the real @slack/web-api client.
 */
import pino from 'pino';
import { RetryLaterError } from '../../../../src/domain/errors';
import { Message } from '../../../../src/domain/message';
import type { OutboundEvent } from '../../../../src/domain/outbound-event';
import type { Conversation } from '../../../../src/domain/ports';
import { InMemoryChatRefs } from '../../../fakes/in-memory-chat-refs';
import { MESSAGE_EVENT_TYPE, SlackSink } from '../../../../src/chat/slack/slack-sink';
import { createSlackWebClient } from '../../../../src/chat/slack/slack-web-client';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../../fakes/slack-api';

const CHANNEL = 'C0INCIDENT';
const record: Conversation = { id: 'rb_TIMEOUTS', service: 'checkout-api', environment: 'production', channels: { slack: [CHANNEL], discord: [], console: [] } };

let seq = 0;
function event(kind: OutboundEvent['kind'], title: string, options: { supersedes?: string; broadcast?: boolean } = {}): OutboundEvent {
  const message = Message.parse({ kind: 'progress', tone: 'progress', title, fallback: title });
  return { seq: ++seq, rollbackId: record.id, at: Date.now(), kind, broadcast: options.broadcast ?? false, message, ...(options.supersedes ? { supersedes: options.supersedes } : {}) };
}

const titleOf = (blocks: unknown[] | undefined) => (blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text ?? '';

describe('SlackSink after unknown outcomes', () => {
  let slack: FakeSlack;
  let refs: InMemoryChatRefs;
  let warnings: string[];
  let sink: SlackSink;

  beforeEach(async () => {
    slack = await FakeSlack.start({ ts: 'wall' });
    refs = new InMemoryChatRefs();
    warnings = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    sink = new SlackSink(createSlackWebClient({ botToken: FAKE_SLACK_TOKEN, apiUrl: slack.apiUrl, timeoutMs: 200 }), refs, logger, { now: () => Date.now() });
  });
  afterEach(() => slack.close());

  it('posts with metadata naming the rollback and the message, and looks nothing up on a first attempt', async () => {
    await sink.deliver(event('header', 'Header'), record);
    await sink.deliver(event('thread', 'Step', { supersedes: 'step:a' }), record);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((c) => c.args['metadata'])).toEqual([
      { event_type: MESSAGE_EVENT_TYPE, event_payload: { rollback: record.id, key: 'header' } },
      { event_type: MESSAGE_EVENT_TYPE, event_payload: { rollback: record.id, key: 'key:step:a' } },
    ]);
    expect(slack.calls.filter((c) => c.method.startsWith('conversations.'))).toEqual([]);
  });

  it('adopts a header whose post landed but timed out, instead of posting it twice', async () => {
    slack.hangNext('chat.postMessage');
    await expect(sink.deliver(event('header', 'Header v1'), record)).rejects.toBeInstanceOf(RetryLaterError);
    expect(slack.messages(CHANNEL)).toHaveLength(1);

    await sink.deliver(event('header', 'Header v2'), record);
    const messages = slack.messages(CHANNEL);
    expect(messages).toHaveLength(1);
    // Found in the history by its metadata, then brought up to date.
    expect(slack.callsTo('conversations.history')[0]!.args).toMatchObject({ channel: CHANNEL, include_all_metadata: true });
    expect(titleOf(messages[0]!.blocks)).toContain('Header v2');
    expect(await refs.get(record.id, `slack:${CHANNEL}:header`)).toBe(messages[0]!.ts);
  });

  it('adopts a keyed thread reply whose first version landed unanswered, and shows the latest version', async () => {
    await sink.deliver(event('header', 'Header'), record);
    slack.hangNext('chat.postMessage');
    await expect(sink.deliver(event('thread', 'Step started', { supersedes: 'step:a' }), record)).rejects.toBeInstanceOf(RetryLaterError);
    await sink.deliver(event('thread', 'Step finished', { supersedes: 'step:a' }), record);
    await sink.deliver(event('thread', 'Next', {}), record);

    const header = slack.messages(CHANNEL).find((m) => !m.thread_ts)!;
    const thread = slack.thread(CHANNEL, header.ts);
    expect(thread.map((m) => titleOf(m.blocks))).toEqual([expect.stringContaining('Step finished'), expect.stringContaining('Next')]);
    expect(slack.callsTo('conversations.replies')[0]!.args).toMatchObject({ channel: CHANNEL, ts: header.ts, include_all_metadata: true });
  });

  it('posts again when the earlier attempt did not land', async () => {
    await sink.deliver(event('header', 'Header'), record);
    slack.failNext('chat.postMessage', { status: 503 });
    const plain = event('thread', 'Plain');
    await expect(sink.deliver(plain, record)).rejects.toBeInstanceOf(RetryLaterError);
    await sink.deliver(plain, record);
    const header = slack.messages(CHANNEL).find((m) => !m.thread_ts)!;
    expect(slack.thread(CHANNEL, header.ts).map((m) => titleOf(m.blocks))).toEqual([expect.stringContaining('Plain')]);
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
  });

  it('never posts blindly after a failed look-up: the outbox retries it later', async () => {
    slack.hangNext('chat.postMessage');
    await expect(sink.deliver(event('header', 'Header'), record)).rejects.toBeInstanceOf(RetryLaterError);
    slack.failNext('conversations.history', { status: 500 }).failNext('conversations.history', { status: 429, retryAfterSeconds: 1 });
    await expect(sink.deliver(event('header', 'Header'), record)).rejects.toBeInstanceOf(RetryLaterError);
    await expect(sink.deliver(event('header', 'Header'), record)).rejects.toBeInstanceOf(RetryLaterError);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);

    await sink.deliver(event('header', 'Header'), record);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('when it may not read the channel, posts again (a duplicate is possible) and says so', async () => {
    slack.hangNext('chat.postMessage');
    await expect(sink.deliver(event('header', 'Header'), record)).rejects.toBeInstanceOf(RetryLaterError);
    slack.failNext('conversations.history', { status: 200, error: 'not_in_channel' });
    await sink.deliver(event('header', 'Header'), record);
    expect(slack.messages(CHANNEL)).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/cannot check whether an earlier Slack post landed/);
    expect(warnings.join('\n')).not.toContain(FAKE_SLACK_TOKEN);
  });
});
