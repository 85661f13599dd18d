/**
 * Seed 003's database procedure as catalog plan steps, against a real PostgreSQL: a backup before
 * the provider's rollback and a migration down after it, each a checkpointed step in the thread;
 * the backup restores the rows exactly as they were. A backup that fails stops the rollback with
 * the platform untouched.
 */
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import type { Actor } from '../../../src/domain/actor';
import type { DatabaseRestore } from '../../../src/domain/database-restore';
import { stepOf } from '../../../src/domain/rollback-record';
import { Command } from '../../../src/engine/commands';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, LEAD, ONCALL, SECOND_LEAD, STRANGER, startHarness, type Harness } from '../../support/harness';
import { describeWithPostgres, postgresBin, startPostgres, type PostgresServer } from '../../support/postgres-server';
import { waitFor } from '../../support/wait-for';

const withPostgres = describeWithPostgres('the database plan step tests');

const ROWS = ['1|42.50|gift wrap', '2|10.00|', '3|99.99|express'];

withPostgres('database steps around a rollback', () => {
  let pg: PostgresServer;
  let target: BlueGreenService;
  let h: Harness;
  let backups: string;
  let db: string;

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  beforeEach(async () => {
    db = await pg.createDatabase(`app_${Math.random().toString(36).slice(2, 8)}`);
    pg.psql(db, "create table orders (id int primary key, total numeric(8,2) not null, note text); insert into orders values (1, 42.50, 'gift wrap'), (2, 10.00, null), (3, 99.99, 'express');");
    target = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    backups = mkdtempSync(join(tmpdir(), 'rewind-backups-'));
  });
  afterEach(async () => {
    await h?.close();
    await target.close();
    rmSync(backups, { recursive: true, force: true });
  });

  const rows = () => pg.psql(db, 'select id, total, note from orders order by id').trim().split('\n');

  const restoreCommand = (rollbackId: string, type: string, actor: Actor, extra: Record<string, unknown>) =>
    h.rewind.service.handle(Command.parse({ type, rollbackId, actor, reply: { platform: 'test', data: { who: actor.id } }, ...extra }), h.replier);
  const restoreCard = (rollbackId: string, kind: string) =>
    waitFor(() => h.sink.forRollback(rollbackId).filter((e) => e.supersedes === 'restore:1').at(-1), (e) => e?.message.kind === kind, { what: `the restore card (${kind})` });
  const restoreEnded = (rollbackId: string) =>
    waitFor(async () => (await h.rewind.store.get(rollbackId))!.restores[0]!, (r) => r.state === 'succeeded' || r.state === 'failed', { what: 'the restore to end', timeoutMs: 30_000 });
  const refusals = () => h.replier.replies.map((r) => renderPlainText(r.message)).join('\n');

  /** Asks for the restore from the summary's button as the requester, is refused as the wrong people, and approved by the lead. */
  async function restoreAndApprove(rollbackId: string): Promise<DatabaseRestore> {
    await restoreCommand(rollbackId, 'restore', ONCALL, { step: 'before.0' });
    const pending = (await h.rewind.store.get(rollbackId))!.restores[0]!;
    expect(pending).toMatchObject({ number: 1, state: 'pending_approval', required: 1 });
    const card = await restoreCard(rollbackId, 'approval');
    const text = renderPlainText(card!.message);
    expect(text).toMatch(/Database app_\w+: 1 table dropped and recreated from the backup of .* UTC .*: public\.orders \(\d+(\.\d)? KiB now\)/);
    expect(text).toContain('Every change written to it after');
    expect(card!.message.buttons.map((b) => b.action)).toEqual(['approve_restore', 'reject_restore']);
    // Critical rollbacks ran without approval; a restore still needs an approver's.
    await restoreCommand(rollbackId, 'approve_restore', ONCALL, { restore: 1 });
    await restoreCommand(rollbackId, 'approve_restore', STRANGER, { restore: 1 });
    expect(refusals()).toMatch(/You are not an approver of checkout-api \(production\), so you cannot decide restore 1\. Approvers: slack:U0LEAD, slack:U0LEAD2\./);
    expect((await h.rewind.store.get(rollbackId))!.restores[0]!.state).toBe('pending_approval');
    await restoreCommand(rollbackId, 'approve_restore', LEAD, { restore: 1 });
    return restoreEnded(rollbackId);
  }

  async function startWith(steps: string): Promise<void> {
    h = await startHarness(bluegreenCatalog(target.url, steps), { env: { DATABASE_URL: db } });
  }

  it('backs up before, migrates down after, and the backup restores the rows as they were before the rollback', async () => {
    // The bad release's migration added a column and customers' orders wrote into it since.
    pg.psql(db, "alter table orders add column discount numeric(8,2) default 0; update orders set discount = 5.00 where id = 1;");
    const beforeRollback = pg.psql(db, 'select * from orders order by id').trim().split('\n');
    expect(beforeRollback).toEqual(['1|42.50|gift wrap|5.00', '2|10.00||0.00', '3|99.99|express|0.00']);
    const psql = postgresBin('psql');
    await startWith(
      [
        '        steps:',
        '          before:',
        `            - { type: postgres-backup, database: "\${DATABASE_URL}", schemas: [public], dir: "${backups}" }`,
        '          after:',
        // A team's own down migration reads DATABASE_URL from its environment, as `npm run migrate:down` would.
        `            - { type: command, name: migrate down, run: [sh, -c, 'exec "${psql}" "$DATABASE_URL" -v ON_ERROR_STOP=1 -c "alter table orders drop column discount"'], env: { DATABASE_URL: "\${DATABASE_URL}" }, timeout: 30s }`,
      ].join('\n'),
    );
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'bad migration', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    expect(result.record.steps.map((s) => s.name)).toEqual(['precheck', 'capture', 'before.0', 'rollback', 'wait_live', 'after.0', 'verify', 'summarize']);
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(target.switches).toBe(1);

    const backup = stepOf(done, 'before.0');
    expect(backup).toMatchObject({ status: 'succeeded', title: 'PostgreSQL backup (public)' });
    const file = /→ (\S+\.dump): /.exec(backup.detail ?? '')?.[1];
    expect(file && existsSync(file)).toBe(true);
    expect(backup.detail).toMatch(/KiB|B in .* s, sha256 [0-9a-f]{16}…$/);
    expect(backup.detail).not.toContain(new URL(db).password);
    expect(stepOf(done, 'after.0')).toMatchObject({ status: 'succeeded', title: 'migrate down' });
    // The migration down dropped the column, and with it the discounts written since the deploy.
    expect(rows()).toEqual(ROWS);

    // The summary offers the restore; nothing restores by itself.
    const summary = await waitFor(() => h.sink.forRollback(done.id).find((e) => e.message.kind === 'summary'), (e) => e !== undefined, { what: 'the summary' });
    const restoreButton = summary!.message.buttons.find((b) => b.action === 'restore');
    expect(restoreButton).toMatchObject({ label: expect.stringMatching(/^Restore database from PostgreSQL backup \(public\), \d\d:\d\d UTC$/), value: `${done.id}|before.0` });
    expect(rows()).toEqual(ROWS);

    const asked = await restoreAndApprove(done.id);
    expect(asked.state).toBe('succeeded');
    expect(asked.detail).toMatch(new RegExp(`^pg_restore of .*\\.dump into ${new URL(db).pathname.slice(1)}: back to `));
    // The rows are exactly as they were before the rollback, the discounts written since the deploy included.
    expect(pg.psql(db, 'select * from orders order by id').trim().split('\n')).toEqual(beforeRollback);
    const audit = (await h.rewind.store.auditTrail(done.id)).map((e) => `${e.type} ${e.actor.id}`);
    expect(audit.filter((line) => line.startsWith('restore.'))).toEqual([
      'restore.requested U0ONCALL',
      'restore.refused U0ONCALL',
      'restore.refused U0STRANGER',
      'restore.approved U0LEAD',
      'restore.started rewind',
      'restore.succeeded rewind',
    ]);

    const thread = h.sink.forRollback(done.id).map((e) => renderPlainText(e.message)).join('\n');
    expect(thread).toContain('PostgreSQL backup (public) done (step 3 of 8)');
    expect(thread).toContain('migrate down done (step 6 of 8)');
  });

  /** A finished critical rollback whose plan took a backup (no migration down: the data stays as it is). */
  async function rolledBackWithBackup(): Promise<string> {
    await startWith(['        steps:', '          before:', `            - { type: postgres-backup, database: "\${DATABASE_URL}", schemas: [public], dir: "${backups}" }`].join('\n'));
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    expect((await h.waitForState(result.record.id, ['succeeded', 'failed'])).state).toBe('succeeded');
    return result.record.id;
  }

  it('a restore can be rejected, is never approved by whoever asked, and one from a file changed since the backup fails with the database untouched', async () => {
    const id = await rolledBackWithBackup();
    pg.psql(db, "update orders set note = 'written after the backup' where id = 2;");
    const now = rows();

    await restoreCommand(id, 'restore', STRANGER, { step: 'before.0' });
    expect(refusals()).toContain("Only the rollback's requester or an approver of this environment may ask for a restore.");
    await restoreCommand(id, 'restore', ONCALL, { step: 'before.0' });
    await restoreCommand(id, 'restore', ONCALL, { step: 'before.0' });
    expect(refusals()).toContain('Restore 1 is already pending approval; wait for it to end. Nothing changed.');
    await restoreCommand(id, 'reject_restore', LEAD, { restore: 1 });
    expect(renderPlainText((await restoreCard(id, 'progress'))!.message)).toMatch(/^Restore rejected: database of checkout-api \(production\) was not changed\n.*lead rejected it\. Nothing was changed\./);

    // A second request after the rejection; the lead asks, so another lead must approve.
    await restoreCommand(id, 'restore', LEAD, { step: 'before.0' });
    const record = (await h.rewind.store.get(id))!;
    expect(record.restores.map((r) => `${r.number} ${r.state}`)).toEqual(['1 rejected', '2 pending_approval']);
    await restoreCommand(id, 'approve_restore', LEAD, { restore: 2 });
    expect(refusals()).toContain('You asked for restore 2, so you cannot approve it. Another approver must.');
    const dump = record.restores[1]!.point;
    if (dump.kind !== 'postgres-dump') throw new Error('expected a dump');
    appendFileSync(dump.file, 'tampered');
    await restoreCommand(id, 'approve_restore', SECOND_LEAD, { restore: 2 });
    const ended = await waitFor(async () => (await h.rewind.store.get(id))!.restores[1]!, (r) => r.state === 'failed' || r.state === 'succeeded', { what: 'restore 2 to end', timeoutMs: 30_000 });
    expect(ended.state).toBe('failed');
    expect(ended.detail).toMatch(/changed since it was taken .*Rewind will not restore from it/);
    expect(rows()).toEqual(now);
    const card = await waitFor(() => h.sink.forRollback(id).filter((e) => e.supersedes === 'restore:2').at(-1), (e) => e?.message.kind !== 'progress' && e?.message.kind !== 'approval', { what: 'the restore card to show the outcome' });
    expect(card!.message).toMatchObject({ kind: 'failure', tone: 'danger' });
    // Once it has ended, the header offers the restore again.
    const header = await waitFor(() => h.sink.forRollback(id).filter((e) => e.kind === 'header').at(-1), (e) => e?.message.buttons.some((b) => b.action === 'restore') === true, { what: 'the header with a restore button' });
    expect(header!.message.buttons.map((b) => b.action)).toEqual(['restore', 'root_cause']);
  });

  it('a restore whose backup file is gone is refused before anyone is asked', async () => {
    const id = await rolledBackWithBackup();
    const point = stepOf((await h.rewind.store.get(id))!, 'before.0').restorePoint;
    if (point?.kind !== 'postgres-dump') throw new Error('expected a dump');
    rmSync(point.file);
    await restoreCommand(id, 'restore', ONCALL, { step: 'before.0' });
    expect(refusals()).toMatch(/Could not prepare the restore: the backup file .*\.dump is gone .*Nothing was changed\./);
    expect((await h.rewind.store.get(id))!.restores).toEqual([]);
    await restoreCommand(id, 'restore', ONCALL, { step: 'rollback' });
    expect(refusals()).toContain('Step Roll back kept nothing to restore from. Nothing changed.');
  });

  it('a backup that fails stops the rollback before anything changes', async () => {
    await startWith(
      [
        '        steps:',
        '          before:',
        `            - { type: postgres-backup, database: "postgres://nobody:wrong-password@127.0.0.1:${new URL(db).port}/missing", dir: "${backups}" }`,
      ].join('\n'),
    );
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'plan_step_failed', stoppedAt: 'before.0', providerChanged: false });
    expect(done.outcome?.message).toMatch(/^PostgreSQL backup failed: pg_dump of missing failed: .*(password authentication failed|does not exist)/);
    expect(done.outcome?.message).not.toContain('wrong-password');
    expect(stepOf(done, 'rollback').status).toBe('pending');
    expect(target.rollbackRequests).toBe(0);
    const failure = await waitFor(() => h.sink.forRollback(done.id).find((e) => e.message.kind === 'failure'), (e) => e !== undefined, { what: 'the failure summary' });
    expect(renderPlainText(failure!.message)).toContain('Nothing was changed on the provider');
  });

  it('an optional step that fails is reported and passed over', async () => {
    await startWith(['        steps:', '          after:', '            - { type: command, name: flush cache, run: [node, -e, "process.exit(3)"], optional: true }'].join('\n'));
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(stepOf(done, 'after.0').detail).toMatch(/^failed, and is optional, so the rollback goes on: flush cache failed|node exited 3/);
  });
});
