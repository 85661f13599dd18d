/**
 * Seed 003's "restore if needed", from Slack: a critical rollback takes a pg_dump first and drops
 * the bad release's column after; the summary's "Restore database" button asks for the restore,
 * an approver's click on the restore card runs it, and the card is edited to the outcome.
 * Real PostgreSQL, real BullMQ workers, a local fake of Slack's Web API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { FakeSlack, FAKE_SLACK_TOKEN, type FakeMessage } from '../../fakes/slack-api';
import { startTarget } from '../../support/bluegreen-target';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { describeWithPostgres, postgresBin, startPostgres, type PostgresServer } from '../../support/postgres-server';
import { buttonClickForm, postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

const withPostgres = describeWithPostgres('the Slack restore test');

withPostgres('Slack: restore the database on request', () => {
  let pg: PostgresServer;
  let slack: FakeSlack;
  let target: BlueGreenService;
  let h: Harness;
  let backups: string;

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  afterEach(async () => {
    await h?.close();
    await target?.close();
    await slack?.close();
    rmSync(backups, { recursive: true, force: true });
  });

  const click = (action: string, value: string, user: string, messageTs: string) =>
    postToSlackEndpoint(h.rewind.url!, { body: buttonClickForm({ actionId: `rewind:${action}`, value, user_id: user, response_url: slack.responseUrl(user), message_ts: messageTs }) });
  const buttonsOf = (message: FakeMessage) => JSON.stringify(message.blocks);

  it('asks from the summary, waits for an approver although the rollback was critical, restores and edits the card', async () => {
    const db = await pg.createDatabase('shop');
    pg.psql(db, "create table orders (id int primary key, total numeric(8,2)); insert into orders values (1, 42.50), (2, 10.00);");
    // The bad release's migration, and a customer's discount written with it.
    pg.psql(db, 'alter table orders add column discount numeric(8,2) default 0; update orders set discount = 5 where id = 1;');
    const before = pg.psql(db, 'select * from orders order by id');
    slack = await FakeSlack.start();
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    backups = mkdtempSync(join(tmpdir(), 'rewind-backups-'));
    const steps = [
      '        steps:',
      '          before:',
      `            - { type: postgres-backup, database: "\${DATABASE_URL}", dir: "${backups}" }`,
      '          after:',
      `            - { type: command, name: migrate down, run: ["${postgresBin('psql')}", "\${DATABASE_URL}", "-v", "ON_ERROR_STOP=1", "-c", "alter table orders drop column discount"] }`,
    ].join('\n');
    h = await startHarness(bluegreenCatalog(target.url, steps), {
      http: true,
      recordReplies: false,
      env: { DATABASE_URL: db },
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });

    await postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text: 'checkout-api production --severity critical --reason "bad migration"', user_id: 'U0ONCALL', response_url: slack.responseUrl('oncall') }) });
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'checkout-api', limit: 1 }), (list) => list.length === 1, { what: 'the rollback' });
    await h.waitForState(record!.id, 'succeeded');
    expect(pg.psql(db, 'select * from orders order by id')).not.toEqual(before);

    const header = slack.messages('C0INCIDENT').find((m) => !m.thread_ts)!;
    const summary = await waitFor(() => slack.thread('C0INCIDENT', header.ts).find((m) => m.reply_broadcast), (m) => m !== undefined, { what: 'the summary' });
    expect(buttonsOf(summary!)).toMatch(/Restore database from PostgreSQL backup, \d\d:\d\d UTC/);
    expect((await click('restore', `${record!.id}|before.0`, 'U0ONCALL', summary!.ts)).status).toBe(200);

    const card = await waitFor(() => slack.thread('C0INCIDENT', header.ts).find((m) => buttonsOf(m).includes('rewind:approve_restore')), (m) => m !== undefined, { what: 'the restore card' });
    expect(buttonsOf(card!)).toMatch(/Restore needs approval: database of checkout-api \(production\)/);
    expect(buttonsOf(card!)).toMatch(/public\.orders \(\d+(\.\d)? KiB now\)/);
    expect(pg.psql(db, 'select * from orders order by id')).not.toEqual(before);

    expect((await click('approve_restore', `${record!.id}|1`, 'U0LEAD', card!.ts)).status).toBe(200);
    await waitFor(() => slack.messages('C0INCIDENT').find((m) => m.ts === card!.ts), (m) => buttonsOf(m!).includes('Restore completed'), { what: 'the card edited to the outcome', timeoutMs: 30_000 });
    expect(pg.psql(db, 'select * from orders order by id')).toEqual(before);
    const edited = slack.messages('C0INCIDENT').find((m) => m.ts === card!.ts)!;
    expect(buttonsOf(edited)).not.toContain('rewind:approve_restore');
    expect(slack.calls.every((c) => !c.error)).toBe(true);
  });
});
