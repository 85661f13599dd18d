/**
 * Redis killed (SIGKILL) and restarted with its append-only file, mid-rollback and mid-approval:
 * nothing recorded is lost, /readyz says 503 during the outage and 200 after, and what someone sends
 * from Slack meanwhile is refused at once with a message that says it did not happen, and never runs later.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { stepOf } from '../../src/domain/rollback-record';
import { QUEUE_DOWN } from '../../src/messages/templates/replies';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../fakes/slack-api';
import { startTarget } from '../support/bluegreen-target';
import { bluegreenCatalog, startHarness, type Harness } from '../support/harness';
import { startRedisServer, type RunningRedis } from '../support/redis-server';
import { buttonClickForm, postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../support/slack-signing';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

describe('Redis killed and restarted', () => {
  let redis: RunningRedis;
  let slack: FakeSlack;
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    redis = await startRedisServer({ appendOnly: true });
    slack = await FakeSlack.start();
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url), {
      http: true,
      recordReplies: false,
      redisUrl: redis.url,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
    await slack.close();
    await redis.stop();
  });

  const slash = (text: string, user = 'U0ONCALL') => postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text, user_id: user, response_url: slack.responseUrl(user) }) });
  const click = (action: string, value: string, user: string) =>
    postToSlackEndpoint(h.rewind.url!, { body: buttonClickForm({ actionId: `rewind:${action}`, value, user_id: user, response_url: slack.responseUrl(user), message_ts: '1.1' }) });
  const ready = async () => (await fetch(`${h.rewind.url}/readyz`)).status;

  async function outage(during: () => Promise<void>): Promise<void> {
    redis.process.kill('SIGKILL');
    await waitFor(ready, (status) => status === 503, { what: '/readyz to say 503' });
    await during();
    redis = await startRedisServer({ appendOnly: true, port: redis.port, dir: redis.dir });
    await waitFor(ready, (status) => status === 200, { what: '/readyz to say 200 again', timeoutMs: 20_000 });
  }

  it('mid-rollback: the rollback finishes with one switch, and a command sent meanwhile is refused, not run later', async () => {
    target.holdSwitches();
    expect((await slash('checkout-api production --severity critical --reason "500s"')).status).toBe(200);
    const [record] = await waitFor(() => h.rewind.store.list({ limit: 5 }), (list) => list.length === 1, { what: 'the rollback' });
    const id = record!.id;
    await waitFor(() => h.rewind.store.get(id), (r) => r !== undefined && stepOf(r, 'wait_live').status === 'running', { what: 'the rollback to wait for the switch' });

    await outage(async () => {
      const refused = await slash('checkout-api production --severity critical --reason "again"');
      expect(refused.status).toBe(200);
      expect(JSON.stringify(await refused.json())).toContain(QUEUE_DOWN);
    });

    target.releaseSwitches();
    const done = await h.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.state).toBe('succeeded');
    expect([target.rollbackRequests, target.switches]).toEqual([1, 1]);
    const audit = await h.rewind.store.auditTrail(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    // What was refused during the outage did not run once Redis came back.
    expect((await h.rewind.store.list({ limit: 5 })).map((r) => r.id)).toEqual([id]);
    expect(Object.values(await h.rewind.queues.commands.getJobCounts('wait', 'delayed', 'active')).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('mid-approval: the request waits through the outage, an approval sent meanwhile is refused, the next one counts', async () => {
    expect((await slash('checkout-api production --severity high --reason "slow"')).status).toBe(200);
    const [record] = await waitFor(() => h.rewind.store.list({ limit: 5 }), (list) => list.length === 1 && list[0]!.state === 'pending_approval', { what: 'the request to wait for approval' });
    const id = record!.id;

    await outage(async () => {
      expect((await click('approve', id, 'U0LEAD')).status).toBe(200);
      await waitFor(() => slack.responses('U0LEAD').map((r) => JSON.stringify(r)), (said) => said.some((t) => t.includes(QUEUE_DOWN)), { what: 'the approver to be told it did not count' });
    });

    expect((await h.rewind.store.get(id))!).toMatchObject({ state: 'pending_approval', approvals: [] });
    expect((await click('approve', id, 'U0LEAD')).status).toBe(200);
    const done = await h.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.state).toBe('succeeded');
    expect(done.approvals.map((a) => a.actor.id)).toEqual(['U0LEAD']);
    expect(target.switches).toBe(1);
  });
});
