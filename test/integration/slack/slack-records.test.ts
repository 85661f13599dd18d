/**
 * Records in Slack, end to end: `/rollback postmortem` uploads the draft through Slack's current
 * upload flow into the rollback's thread (the fake checks every step), `/rollback history … --format
 * csv` uploads the export in the channel where it was typed, and bad options are refused at once.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { csvRecords } from '../../support/csv-reader';
import { FakeSlack, FAKE_SLACK_TOKEN, type FakeMessage } from '../../fakes/slack-api';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

describe('Slack: post-mortem drafts and history exports as files', () => {
  let slack: FakeSlack;
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    slack = await FakeSlack.start({ channels: ['C0INCIDENT', 'C0OPS'] });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`), {
      http: true,
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
    await slack.close();
  });

  const slash = (text: string, key: string, channel = 'C0INCIDENT') =>
    postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text, user_id: 'U0ONCALL', channel_id: channel, response_url: slack.responseUrl(key) }) });
  const responseTexts = (key: string) => slack.responses(key).map((r) => JSON.stringify(r));

  async function criticalRollback(): Promise<{ id: string; header: FakeMessage }> {
    await slash('checkout-api --severity critical --reason "500s after deploy"', 'start');
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'checkout-api', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    await h.waitForState(record!.id, 'succeeded');
    const header = (await waitFor(() => slack.messages('C0INCIDENT').find((m) => !m.thread_ts), (m) => m !== undefined, { what: 'the header' }))!;
    // The summary is the last post of the run; the file must come after it, in the same thread.
    await waitFor(() => slack.thread('C0INCIDENT', header.ts), (t) => t.some((m) => m.reply_broadcast), { what: 'the summary' });
    return { id: record!.id, header };
  }

  it('/rollback postmortem uploads the Markdown draft into the rollback’s thread and says so', async () => {
    const { id, header } = await criticalRollback();
    const ack = await slash(`postmortem ${id.toLowerCase()}`, 'draft');
    expect(ack.status).toBe(200);
    expect(JSON.stringify(await ack.json())).toContain(`Drafting the post-mortem of ${id}`);

    const [file] = await waitFor(() => slack.files('C0INCIDENT'), (f) => f.length === 1, { what: 'the uploaded draft' });
    expect(file).toMatchObject({ name: `postmortem-checkout-api-production-${id}.md`, channel: 'C0INCIDENT', thread_ts: header.ts });
    expect(file!.content.split('\n')[0]).toBe('# Post-mortem draft: checkout-api (production) rollback 2.4.1 → 2.4.0 (blue)');
    expect(file!.content).toContain('| Severity | Critical |');
    expect(file!.content).toMatch(/\*\*RTO met\*\*/);
    expect(file!.content).toContain('- **u0oncall** (slack `U0ONCALL`): requested the rollback');
    expect(file!.initial_comment).toContain(`rollback ${id}`);
    // Its links section points at the thread itself (chat.getPermalink of the header).
    expect(file!.content).toContain(`- Slack thread in \`C0INCIDENT\`: https://rewind-test.slack.com/archives/C0INCIDENT/p${header.ts.replace('.', '')}`);
    // The share itself is a reply in the thread, after the summary.
    expect(slack.thread('C0INCIDENT', header.ts).at(-1)!.files).toEqual([file!.id]);
    // The three steps of the upload flow, in order, with the size announced up front.
    const methods = slack.calls.map((c) => c.method).filter((m) => m.startsWith('files.'));
    expect(methods).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    expect(slack.callsTo('files.getUploadURLExternal')[0]!.args).toMatchObject({ filename: file!.name, length: String(Buffer.byteLength(file!.content)) });
    expect(slack.callsTo('files.upload')).toEqual([]);

    await waitFor(() => responseTexts('draft'), (r) => r.some((t) => t.includes(`Posted postmortem-checkout-api-production-${id}.md in the rollback's thread`)), { what: 'the confirmation' });
    expect(responseTexts('draft').join(' ')).toContain(file!.permalink);
  });

  it('exports the history as CSV in the channel where it was asked, under filters', async () => {
    const { id } = await criticalRollback();
    await slash('history checkout-api --outcome succeeded --since 1h --format csv', 'export', 'C0OPS');
    const [file] = await waitFor(() => slack.files('C0OPS'), (f) => f.length === 1, { what: 'the CSV' });
    expect(file!.name).toBe('rollback-history-checkout-api-succeeded.csv');
    expect(file!.thread_ts).toBeUndefined();
    const rows = csvRecords(file!.content);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id, service: 'checkout-api', outcome: 'succeeded', trigger_kind: 'manual', severity: 'critical', rto_met: 'true', reason: '500s after deploy' });
    await waitFor(() => responseTexts('export'), (r) => r.some((t) => t.includes('Posted rollback-history-checkout-api-succeeded.csv in this channel')), { what: 'the confirmation' });

    await slash('history checkout-api --outcome failed --format md', 'none', 'C0OPS');
    const [, empty] = await waitFor(() => slack.files('C0OPS'), (f) => f.length === 2, { what: 'the empty export' });
    expect(empty!.content).toBe('| Date | Time | Trigger | Method | Duration | Root Cause |\n|---|---|---|---|---|---|\n');
  });

  it('says so when Slack will not take the file in that channel, and where to fetch it instead', async () => {
    await criticalRollback();
    await slash('history --format csv', 'elsewhere', 'C0PRIVATE');
    const answer = await waitFor(() => responseTexts('elsewhere'), (r) => r.length > 0, { what: 'the answer' });
    expect(answer.join(' ')).toContain('The file could not be posted here: Slack answered channel_not_found.');
    expect(answer.join(' ')).toContain('GET /api/rollbacks?format=csv');
    // Refused once, not retried: a refusal is not a transient failure.
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
    expect(slack.files()).toEqual([]);
  });

  it('refuses a bad format or filter at once, saying what is valid, and queues nothing', async () => {
    const badFormat = await slash('history --format xlsx', 'bad');
    expect(JSON.stringify(await badFormat.json())).toContain('Unknown format `xlsx`. Valid: csv, md, json.');
    const badSince = await slash('report --since yesterday', 'bad');
    expect(JSON.stringify(await badSince.json())).toContain('`--since` needs a duration back from now such as 30d');
    const badId = await slash('postmortem checkout-api', 'bad');
    expect(JSON.stringify(await badId.json())).toContain('`checkout-api` is not a rollback id');
    expect(Object.values(await h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(slack.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('answers an unknown rollback id with where ids are found, and uploads nothing', async () => {
    await slash('postmortem rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7', 'unknown');
    await waitFor(() => responseTexts('unknown'), (r) => r.some((t) => t.includes('No rollback with id `rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7`')), { what: 'the refusal' });
    expect(responseTexts('unknown').join(' ')).toContain('/rollback status');
    expect(slack.files()).toEqual([]);
  });
});
