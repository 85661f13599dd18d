/**
 * Slack says "retry after N s": the drainer holds that sink back for N s across every drainer (a
 * Redis key), and a drain inside that window does not call Slack at all. Checked from the recorded
 * pause and the fake's calls, not by timing the retries.
 */
import pino from 'pino';
import { SlackSink } from '../../../src/chat/slack/slack-sink';
import { createSlackWebClient } from '../../../src/chat/slack/slack-web-client';
import { RetryLaterError } from '../../../src/domain/errors';
import { Message } from '../../../src/domain/message';
import { OutboxDrainer } from '../../../src/engine/outbox-drainer';
import { Keys } from '../../../src/store/keys';
import { RedisChatRefs } from '../../../src/store/redis-chat-refs';
import { RedisOutboxLog } from '../../../src/store/redis-outbox-log';
import { RedisRollbackStore } from '../../../src/store/redis-rollback-store';
import { SecretScrubber } from '../../../src/observability/secret-scrubber';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { makeRecord } from '../../support/record-factory';
import { connect, uniquePrefix } from '../../support/redis';

describe('Retry-After from Slack', () => {
  const redis = connect();
  let slack: FakeSlack;
  afterAll(() => redis.quit());
  beforeEach(async () => {
    slack = await FakeSlack.start();
  });
  afterEach(() => slack.close());

  it('pauses the Slack sink for the time Slack asked, and calls Slack not once during the pause', async () => {
    const keys = new Keys(uniquePrefix('retryafter'));
    const store = new RedisRollbackStore(redis, keys, new SecretScrubber(), () => Date.now());
    const record = makeRecord({ state: 'queued', channels: { slack: ['C0INCIDENT'], discord: [], console: [] } });
    const message = Message.parse({ kind: 'progress', tone: 'progress', title: 'Rollback queued', fallback: 'Rollback queued' });
    const created = await store.create({ record, audit: [], outbox: [{ kind: 'header', message }] }, {});
    expect(created.status).toBe('created');

    const log = new RedisOutboxLog(redis, keys);
    const logger = pino({ level: 'silent' });
    const sink = new SlackSink(createSlackWebClient({ botToken: FAKE_SLACK_TOKEN, apiUrl: slack.apiUrl }), new RedisChatRefs(redis, keys), logger, { now: () => Date.now() });
    const drainer = new OutboxDrainer(store, log, [sink], logger);

    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
    const refused = await drainer.drain(record.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RetryLaterError);
    expect((refused as RetryLaterError).retryAfterMs).toBe(7_000);
    const pause = await log.sinkPause(record.id, 'slack');
    expect(pause).toBeGreaterThan(5_000);
    expect(pause).toBeLessThanOrEqual(7_000);

    // Another drain (another worker, the sweep) inside the pause leaves Slack alone.
    const calls = slack.callsTo('chat.postMessage').length;
    await expect(drainer.drain(record.id)).rejects.toBeInstanceOf(RetryLaterError);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(calls);

    // Once the pause is over, the header goes out.
    await redis.del(keys.outboxPause(record.id, 'slack'));
    expect(await log.sinkPause(record.id, 'slack')).toBe(0);
    await drainer.drain(record.id);
    expect(slack.messages('C0INCIDENT').map((m) => m.text)).toEqual([expect.stringContaining('Rollback queued')]);
  });
});
