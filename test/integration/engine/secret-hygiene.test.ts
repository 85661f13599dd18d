/**
 * Secret hygiene over a whole run (issue 13): every token and secret Rewind is given (Slack's bot
 * token and signing secret, a provider token, a check's token, webhook HMAC and bearer secrets, the
 * API token) is used for real, pasted into a reason, echoed by a check, and sent wrong; then
 * everything Rewind wrote is scanned for each: debug logs, every call to Slack, every answer to a
 * person, the HTTP answers of the API and the webhooks, stored records, audit trails and chat events.
 */
import { Writable } from 'node:stream';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { signBody } from '../../../src/triggers/webhook-auth';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { startTarget } from '../../support/bluegreen-target';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

const SECRETS = {
  DEPLOY_TOKEN: 'deploy-token-hygiene-5f3a9c1e77',
  CHECK_TOKEN: 'check-token-hygiene-0b8d2e4f61',
  HOOK_HMAC: 'hook-hmac-secret-hygiene-9a7c3d1e',
  HOOK_BEARER: 'hook-bearer-hygiene-4e6f8a0c2b',
  API_TOKEN: 'api-token-hygiene-7d5b3f1a9e0c',
};

describe('secret hygiene over a whole run', () => {
  let slack: FakeSlack;
  let target: BlueGreenService;
  let h: Harness;
  const logLines: string[] = [];
  const answers: string[] = [];

  beforeAll(async () => {
    slack = await FakeSlack.start();
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const catalog = bluegreenCatalog(
      target.url,
      ['        verify:', `          - { type: command, name: smoke, run: [sh, -c, 'echo "smoke ok with $CHECK_TOKEN"; echo "TOKEN=$CHECK_TOKEN" >&2'], env: { CHECK_TOKEN: "\${CHECK_TOKEN}" } }`].join('\n'),
    )
      .replace(`baseUrl: ${target.url},`, `baseUrl: ${target.url}, token: "\${DEPLOY_TOKEN}",`)
      .replace('services:', `hooks:\n  alertmanager: { auth: { type: hmac, secret: "\${HOOK_HMAC}" } }\n  generic: { auth: { type: bearer, token: "\${HOOK_BEARER}" } }\nservices:`);
    h = await startHarness(catalog, {
      http: true,
      recordReplies: false,
      apiToken: SECRETS.API_TOKEN,
      env: SECRETS,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
      log: { level: 'debug', destination: new Writable({ write: (chunk, _e, done) => (logLines.push(String(chunk)), done()) }) },
    });
  });
  afterAll(async () => {
    await h?.close();
    await target?.close();
    await slack?.close();
  });

  const keep = async (response: Response) => {
    answers.push(`${response.status} ${await response.text()}`);
    return response;
  };

  it('uses every secret, and none is in anything Rewind wrote', async () => {
    // A rollback from Slack whose reason has a token pasted into it.
    await keep(await postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text: `checkout-api production --severity critical --reason "broke; deploy token ${SECRETS.DEPLOY_TOKEN}"`, user_id: 'U0ONCALL', response_url: slack.responseUrl('oncall') }) }));
    const [record] = await waitFor(() => h.rewind.store.list({ limit: 5 }), (list) => list.length === 1, { what: 'the rollback' });
    const done = await h.waitForState(record!.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    await waitFor(() => slack.messages('C0INCIDENT').length, (n) => n > 0, { what: 'the Slack header' });
    await waitFor(() => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args['reply_broadcast']).length, (n) => n > 0, { what: 'the broadcast summary' });

    // Webhooks: signed right, signed wrong, bearer wrong; the API: right and wrong token.
    const alert = JSON.stringify({ version: '4', status: 'firing', receiver: 'rewind', groupKey: 'g', alerts: [{ status: 'firing', labels: { alertname: 'HighErrorRate', service: 'checkout-api', environment: 'production' }, annotations: {}, startsAt: new Date().toISOString(), fingerprint: 'f1' }] });
    await keep(await fetch(`${h.rewind.url}/hooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-rewind-signature': signBody(SECRETS.HOOK_HMAC, alert) }, body: alert }));
    await keep(await fetch(`${h.rewind.url}/hooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-rewind-signature': signBody('wrong', alert) }, body: alert }));
    await keep(await fetch(`${h.rewind.url}/hooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.HOOK_BEARER}x` }, body: '{}' }));
    await keep(await fetch(`${h.rewind.url}/api/rollbacks/${done.id}`, { headers: { authorization: `Bearer ${SECRETS.API_TOKEN}` } }));
    await keep(await fetch(`${h.rewind.url}/api/rollbacks`, { headers: { authorization: `Bearer ${SECRETS.API_TOKEN}-wrong` } }));
    expect(answers.join('\n')).toContain('[redacted]');

    // The secrets were really used: the provider got its token, the check saw its own.
    expect(target.lastAuthorization).toBe(`Bearer ${SECRETS.DEPLOY_TOKEN}`);
    expect(done.verification?.results[0]?.status).toBe('pass');

    const written = {
      logs: logLines.join(''),
      slackCalls: JSON.stringify(slack.calls),
      slackResponses: JSON.stringify(slack.responses('oncall')),
      httpAnswers: answers.join('\n'),
      stored: JSON.stringify([await h.rewind.store.get(done.id), await h.rewind.store.auditTrail(done.id), await h.rewind.store.outboxEvents(done.id)]),
    };
    expect(written.logs.length).toBeGreaterThan(1_000);
    const leaks = Object.entries(written).flatMap(([where, text]) => Object.entries(SECRETS).filter(([, secret]) => text.includes(secret)).map(([name]) => `${name} in ${where}`));
    expect(leaks).toEqual([]);
    // Slack's own credentials never leave in anything but the Authorization header Slack checks.
    expect(written.logs).not.toContain(FAKE_SLACK_TOKEN);
    expect(written.logs + written.httpAnswers + written.stored).not.toContain(SIGNING_SECRET);
  });
});
