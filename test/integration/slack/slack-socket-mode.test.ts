/** Slack in Socket Mode: the same commands and buttons arrive over a WebSocket instead of HTTP. */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { FakeSocketMode } from '../../fakes/slack-socket-mode';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const APP_TOKEN = 'xapp-1-A123456-fake-app-token';

describe('Slack (Socket Mode)', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let target: BlueGreenService;
  let h: Harness;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    socket = await FakeSocketMode.start();
    slack.enableSocketMode(APP_TOKEN, socket.url);
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url), {
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, appToken: APP_TOKEN, mode: 'socket', apiUrl: slack.apiUrl },
    });
    await waitFor(() => socket.connections, (n) => n === 1, { what: 'the Socket Mode connection' });
  });
  afterAll(async () => {
    await h.close();
    await socket.close();
    await target.close();
    await slack.close();
  });

  it('acks a /rollback over the socket and runs it, posting to the incident channel', async () => {
    const ack = await socket.send('slash_commands', {
      command: '/rollback',
      text: 'checkout-api --severity critical',
      user_id: 'U0ONCALL',
      user_name: 'oncall',
      channel_id: 'C0INCIDENT',
      team_id: 'T0001',
      trigger_id: 'socket-trigger-1',
      response_url: slack.responseUrl('oncall'),
    });
    expect(JSON.stringify(ack)).toContain('checkout-api (production) requested');
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'checkout-api', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    await h.waitForState(record!.id, 'succeeded');
    await waitFor(() => slack.messages('C0INCIDENT'), (m) => m.some((x) => x.reply_broadcast), { what: 'the summary in Slack' });
    expect(target.rollbackRequests).toBe(1);
  });

  it('answers a malformed command over the socket and enqueues nothing', async () => {
    const before = (await h.rewind.store.list({ limit: 10 })).length;
    const ack = await socket.send('slash_commands', { command: '/rollback', text: 'checkout-api --sev high', user_id: 'U0ONCALL', channel_id: 'C0INCIDENT', trigger_id: 'socket-trigger-2' });
    expect(JSON.stringify(ack)).toContain('Did you mean `--severity`?');
    expect((await h.rewind.store.list({ limit: 10 })).length).toBe(before);
  });
});
