/**
 * Issue 15: an environment overdue for a drill is reminded once, with two `rewind worker` OS
 * processes running the check (the scheduled job lands on either; a retry or a second check in
 * the same overdue period must not post again).
 */
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Keys } from '../../src/store/keys';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../fakes/slack-api';
import { SIGNING_SECRET } from '../support/slack-signing';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const DAY = 86_400_000;

const CATALOG = `
defaults:
  approvals:
    critical: { required: 0 }
    high: { required: 0 }
    medium: { required: 0 }
services:
  checkout-api:
    environments:
      staging:
        channels: { slack: C0STAGING }
        provider: { type: bluegreen, baseUrl: "http://127.0.0.1:9" }
        drills: { every: 30d }
      production:
        channels: { slack: C0INCIDENT }
        provider: { type: bluegreen, baseUrl: "http://127.0.0.1:9" }
`;

describe('drill reminders across two worker processes', () => {
  let slack: FakeSlack;
  const workers: RewindProcess[] = [];
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });

  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await slack.close();
    redis.disconnect();
  });

  it('posts one reminder however many checks the two processes run', async () => {
    const prefix = uniquePrefix('drills');
    // The last drill of staging ended 31 days ago, as a drill's end records it.
    await redis.zadd(new Keys(prefix).drills('checkout-api', 'staging'), Date.now() - 31 * DAY, 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7');
    const env = workerEnv(CATALOG, prefix, {
      REWIND_DRILL_CHECK_INTERVAL_MS: '200',
      SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_MODE: 'http',
      SLACK_API_URL: slack.apiUrl,
    });
    workers.push(await spawnRewind('worker', env), await spawnRewind('worker', env));

    const reminders = () => slack.messages('C0STAGING').filter((m) => JSON.stringify(m.blocks ?? []).includes('Drill due'));
    await waitFor(reminders, (found) => found.length >= 1, { what: 'the drill reminder', timeoutMs: 30_000 });

    // Let the scheduled check run several more times, on whichever process takes it.
    const outbox = new Queue('outbox', { connection: redis, prefix });
    try {
      const seen = (await outbox.getJobScheduler('drill-check'))?.iterationCount ?? 0;
      await waitFor(() => outbox.getJobScheduler('drill-check'), (s) => (s?.iterationCount ?? 0) >= seen + 5, { what: 'five more checks', timeoutMs: 30_000 });
      await waitFor(() => outbox.getJobCounts('waiting', 'active'), (c) => (c['waiting'] ?? 0) + (c['active'] ?? 0) === 0, { what: 'the checks to finish' });
    } finally {
      await outbox.close();
    }
    expect(reminders()).toHaveLength(1);
    expect(JSON.stringify(reminders()[0]!.blocks)).toContain('/rollback drill checkout-api staging');
    // Production has no `drills`: nothing there.
    expect(slack.messages('C0INCIDENT')).toHaveLength(0);
  });
});
