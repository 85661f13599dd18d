/**
 * The private PostgreSQL of test/support/postgres-server.ts: one server for the file, used through
 * its URL by psql, pg_dump and pg_restore, then stopped without leftovers. Without PostgreSQL the
 * file is skipped visibly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAvailable, postgresBin, postgresUnavailableReason, startPostgres, type PostgresServer } from '../../support/postgres-server';

const available = postgresAvailable();
if (!available) console.warn(`PostgreSQL is not installed: the private PostgreSQL server tests are skipped (${postgresUnavailableReason()})`);

/** Live processes whose command line mentions `text` (the postmaster names its data directory there), plus `parent` and its children. */
function processesOf(text: string, parent: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const [state, ppid] = (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      if (state === 'Z') continue; // exited, waiting for init to reap it
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmdline.includes(text) || Number(ppid) === parent || Number(entry) === parent) found.push(`${entry}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function runTool(name: string, args: string[]): void {
  const result = spawnSync(postgresBin(name), args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status}): ${result.stderr}`);
}

(available ? describe : describe.skip)('private PostgreSQL server', () => {
  let server: PostgresServer | undefined;
  let dbUrl = '';
  const work = mkdtempSync(join(tmpdir(), 'rewind-pg-test-'));

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with a password, as a superuser', () => {
    const url = new URL(server!.url);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBe(server!.port);
    expect(url.password.length).toBeGreaterThan(10);
    expect(server!.psql(server!.url, 'select current_user, rolsuper from pg_roles where rolname = current_user').trim()).toBe('rewind_test|t');
    expect(server!.psql(server!.url, 'show fsync').trim()).toBe('off');
    // Without the password there is no way in.
    const noPassword = new URL(server!.url);
    noPassword.password = '';
    expect(() => server!.psql(noPassword.toString(), 'select 1')).toThrow(/password/);
  });

  it('creates a database; rows go in and come back out through psql', async () => {
    dbUrl = await server!.createDatabase('rewind_roundtrip');
    expect(new URL(dbUrl).pathname).toBe('/rewind_roundtrip');
    server!.psql(dbUrl, "create table releases (id int primary key, version text not null); insert into releases values (1, '2.3.0'), (2, '2.4.0');");
    expect(server!.psql(dbUrl, 'select id, version from releases order by id')).toBe('1|2.3.0\n2|2.4.0\n');
    expect(() => server!.psql(dbUrl, 'select * from no_such_table')).toThrow(/no_such_table/);
  });

  it('pg_dump --format=custom and pg_restore round-trip through the URL', () => {
    const dump = join(work, 'releases.dump');
    runTool('pg_dump', ['--format=custom', `--file=${dump}`, `--dbname=${dbUrl}`]);
    server!.psql(dbUrl, 'drop table releases');
    expect(server!.psql(dbUrl, "select count(*) from pg_tables where tablename = 'releases'").trim()).toBe('0');
    runTool('pg_restore', [`--dbname=${dbUrl}`, '--clean', '--if-exists', '--no-owner', '--single-transaction', dump]);
    expect(server!.psql(dbUrl, 'select id, version from releases order by id')).toBe('1|2.3.0\n2|2.4.0\n');
  });

  it('stop() leaves no process for its data directory and removes the directory', async () => {
    const { pid, dataDir, dir } = server!;
    expect(processesOf(dataDir, pid).length).toBeGreaterThan(0);
    await server!.stop();
    // The watchdog (which also names the directory) is ended by stop(); give it a moment.
    const deadline = Date.now() + 3000;
    while (processesOf(dir, pid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesOf(dir, pid)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    await server!.stop(); // twice is fine
  });
});
