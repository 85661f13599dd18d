/**
 * Crash safety of a database restore: the worker running pg_restore is killed with SIGKILL while
 * pg_restore waits on a lock. Its pg_restore lives on (its own process group); the worker that
 * resumes the restore stops it first, so two restores never race, then restores once more. The
 * rows end exactly as in the backup, and the audit trail shows one start, one resume, one success.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { Command } from '../../src/engine/commands';
import { startTarget } from '../support/bluegreen-target';
import { bluegreenCatalog, LEAD, ONCALL, startHarness, type Harness } from '../support/harness';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../support/postgres-server';
import { uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const withPostgres = describeWithPostgres('the killed-restore test');

withPostgres('a worker killed in the middle of a database restore', () => {
  let pg: PostgresServer;
  let target: BlueGreenService;
  let ingress: Harness;
  let backups: string;
  let blocker: Client | undefined;
  const workers: RewindProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await blocker?.end().catch(() => undefined);
    await ingress?.close();
    await target?.close();
    await pg?.stop();
    if (backups) rmSync(backups, { recursive: true, force: true });
  });

  it('is finished by another worker that stops the dead one’s pg_restore first', async () => {
    pg = await startPostgres();
    const db = await pg.createDatabase('killed_restore');
    pg.psql(db, 'create table orders (id int primary key, total numeric(8,2)); insert into orders values (1, 42.50), (2, 10.00);');
    const backedUp = pg.psql(db, 'select * from orders order by id');
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    backups = mkdtempSync(join(tmpdir(), 'rewind-backups-'));
    const catalog = bluegreenCatalog(target.url, ['        steps:', '          before:', `            - { type: postgres-backup, database: "\${DATABASE_URL}", dir: "${backups}" }`].join('\n'));
    const prefix = uniquePrefix('killrestore');
    const env = workerEnv(catalog, prefix, { DATABASE_URL: db });
    ingress = await startHarness(catalog, { roles: { ingress: true, worker: false }, prefix, env: { DATABASE_URL: db } });
    const first = await spawnRewind('worker', env);
    workers.push(first);

    const result = await ingress.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const id = result.record.id;
    expect((await ingress.waitForState(id, ['succeeded', 'failed'], 30_000)).state).toBe('succeeded');
    // Written after the backup: the restore takes it back.
    pg.psql(db, 'update orders set total = 0;');

    // A reader holds the table, so pg_restore's DROP TABLE waits: the restore is caught midway.
    blocker = new Client({ connectionString: db });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select * from orders');

    const send = (input: Record<string, unknown>) => ingress.rewind.service.handle(Command.parse({ rollbackId: id, ...input }), ingress.replier);
    await send({ type: 'restore', actor: ONCALL, step: 'before.0' });
    await send({ type: 'approve_restore', actor: LEAD, restore: 1 });
    const sessions = () => pg.psql(db, `select pid, wait_event_type from pg_stat_activity where application_name = 'rewind restore ${id}#1' order by pid`).trim();
    /** The one session of this restore, waiting on the lock: its backend pid. */
    const waitingPid = async (what: string, not?: string) =>
      (await waitFor(async () => sessions(), (rows) => /^\d+\|Lock$/.test(rows) && rows.split('|')[0] !== not, { what, timeoutMs: 30_000 })).split('|')[0]!;
    const firstPid = await waitingPid('pg_restore to wait on the lock');

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // The dead worker's pg_restore lives on, still waiting: it has its own process group.
    expect(sessions()).toBe(`${firstPid}|Lock`);
    const second = await spawnRewind('worker', env);
    workers.push(second);

    // The resumed attempt ends the dead worker's pg_restore and starts its own, which waits in turn: one session, a new one.
    await waitFor(async () => (await ingress.rewind.store.auditTrail(id)).some((e) => e.type === 'restore.progress'), (found) => found, { what: 'the leftover pg_restore to be stopped', timeoutMs: 30_000 });
    const secondPid = await waitingPid('the second pg_restore to wait on the lock, alone', firstPid);
    expect(secondPid).not.toBe(firstPid);
    expect((await ingress.rewind.store.get(id))!.restores[0]!.attempts).toBe(2);
    await blocker.query('commit');

    const restore = await waitFor(async () => (await ingress.rewind.store.get(id))!.restores[0]!, (r) => r.state === 'succeeded' || r.state === 'failed', { what: 'the restore to end', timeoutMs: 30_000 });
    expect(restore.detail).toMatch(/^pg_restore of .* into killed_restore: back to /);
    expect(restore.state).toBe('succeeded');
    expect(pg.psql(db, 'select * from orders order by id')).toEqual(backedUp);

    const audit = await ingress.rewind.store.auditTrail(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    const count = (type: string) => audit.filter((e) => e.type === type).length;
    expect([count('restore.started'), count('restore.resumed'), count('restore.succeeded')]).toEqual([1, 1, 1]);
    expect(audit.find((e) => e.type === 'restore.progress')?.reason).toMatch(/stopped the pg_restore a stopped worker left running/);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
