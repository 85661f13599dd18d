/**
 * Records in Discord, end to end over HTTP interactions: `/rollback postmortem` posts the draft as a
 * message attachment (multipart: payload_json + files[0]) in the rollback's thread, a history export
 * is attached in the channel where it was asked, and the deferred answer says where it went.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { csvRecords } from '../../support/csv-reader';
import { FakeDiscord } from '../../fakes/discord-api';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { commandInteraction, DISCORD_TEST_IDS, generateDiscordKeys, postInteraction } from '../../support/discord-signing';
import { waitFor } from '../../support/wait-for';

const TOKEN = 'discord-bot-token-for-tests';
const APP = DISCORD_TEST_IDS.applicationId;
const INCIDENT = '222';
const OPS = '333';
const REQUESTER = '1120000000000000000';

describe('Discord: post-mortem drafts and history exports as attachments', () => {
  const keys = generateDiscordKeys();
  let discord: FakeDiscord;
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    discord = await FakeDiscord.start({ token: TOKEN, applicationId: APP });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const catalog = bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`).replace('channels: { slack: C0INCIDENT }', `channels: { discord: "${INCIDENT}" }`);
    h = await startHarness(catalog, {
      http: true,
      recordReplies: false,
      discord: { token: TOKEN, applicationId: APP, publicKey: keys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase },
    });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
    await discord.close();
  });

  const send = (subcommand: string, options: Record<string, string>, channelId: string, token: string) =>
    postInteraction(h.rewind.url!, commandInteraction({ subcommand, options, userId: REQUESTER, channelId, token }), { keys });
  const answerOf = (token: string) => JSON.stringify(discord.original(token) ?? {});

  async function criticalRollback(): Promise<string> {
    await send('start', { service: 'checkout-api', severity: 'critical', reason: '500s after deploy' }, INCIDENT, 'tok-start');
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'checkout-api', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    await h.waitForState(record!.id, 'succeeded');
    await waitFor(() => discord.threads(), (t) => t.length === 1, { what: 'the thread' });
    return record!.id;
  }

  it('/rollback postmortem attaches the Markdown draft in the rollback’s thread and answers where it went', async () => {
    const id = await criticalRollback();
    const thread = discord.threads()[0]!.id;
    const deferred = await send('postmortem', { rollback_id: id }, INCIDENT, 'tok-draft');
    expect(await deferred.json()).toEqual({ type: 5, data: { flags: 64 } });

    const posted = await waitFor(() => discord.messages(thread).filter((m) => m.attachments?.length), (m) => m.length === 1, { what: 'the draft in the thread' });
    const [attachment] = posted[0]!.attachments!;
    expect(attachment).toMatchObject({ filename: `postmortem-checkout-api-production-${id}.md`, content_type: 'text/markdown' });
    expect(attachment!.content.split('\n')[0]).toBe('# Post-mortem draft: checkout-api (production) rollback 2.4.1 → 2.4.0 (blue)');
    expect(attachment!.content).toMatch(/\*\*RTO met\*\*/);
    expect(attachment!.content).toContain(`- Discord thread in \`${INCIDENT}\`: https://discord.com/channels/${DISCORD_TEST_IDS.guildId}/${thread}`);
    expect(posted[0]!.content).toContain(`rollback ${id}`);
    // Sent the way Discord documents uploads: payload_json naming files[0] in `attachments`.
    const create = discord.callsTo('POST', `/channels/${thread}/messages`).find((c) => c.files?.length)!;
    expect(create.files).toEqual([expect.objectContaining({ field: 'files[0]', filename: attachment!.filename, contentType: 'text/markdown' })]);
    expect(create.body).toMatchObject({ attachments: [{ id: 0, filename: attachment!.filename }], allowed_mentions: { parse: [] }, enforce_nonce: true });

    // Embeds escape Markdown, so the id's underscore arrives as `\_`; read the title as a person would.
    const title = () => (discord.original('tok-draft')?.embeds[0]?.title ?? '').replace(/\\_/g, '_');
    await waitFor(title, (t) => t.includes(`Posted postmortem-checkout-api-production-${id}.md in the rollback's thread`), { what: 'the answer' });
    expect(answerOf('tok-draft')).toContain(`https://discord.com/channels/${DISCORD_TEST_IDS.guildId}/${thread}/${posted[0]!.id}`);
  });

  it('attaches a filtered CSV export in the channel where it was asked', async () => {
    const id = await criticalRollback();
    await send('history', { service: 'checkout-api', trigger: 'manual', since: '1h', format: 'csv' }, OPS, 'tok-csv');
    const [message] = await waitFor(() => discord.messages(OPS), (m) => m.length === 1, { what: 'the export' });
    const [attachment] = message!.attachments!;
    expect(attachment).toMatchObject({ filename: 'rollback-history-checkout-api-manual.csv', content_type: 'text/csv' });
    expect(csvRecords(attachment!.content).map((r) => [r['id'], r['outcome'], r['rto_met']])).toEqual([[id, 'succeeded', 'true']]);
    await waitFor(() => answerOf('tok-csv'), (t) => t.includes('in this channel'), { what: 'the answer' });
  });

  it('refuses a bad filter privately and at once', async () => {
    const response = await send('history', { since: 'last tuesday' }, OPS, 'tok-bad');
    expect(JSON.stringify(await response.json())).toContain('`since` needs a duration back from now such as 30d');
    const report = await send('report', { service: 'checkout-api', since: '7d' }, OPS, 'tok-report');
    expect(await report.json()).toEqual({ type: 5, data: { flags: 64 } });
    await waitFor(() => answerOf('tok-report'), (t) => t.includes('RTO report: no rollbacks of checkout-api in the last week.'), { what: 'the report' });
  });
});
