/**
 * A private PostgreSQL server for the tests, the way redis-server.ts gives them a private Redis:
 * Debian's `postgresql` package (initdb, pg_ctl from the newest /usr/lib/postgresql/<major>/bin),
 * a fresh data directory in a temporary folder, a free loopback port, password authentication.
 *
 * Root: initdb and pg_ctl refuse to run as root, and CI runs the tests as root, so there they run as
 * the `postgres` system user (created by the package) through `runuser -u postgres --`, in a
 * temporary directory chowned to that user. As any other user they run directly.
 *
 * Leftovers: the caller stops the server in `afterAll` (`await server?.stop()`). Should it not get
 * there, the server is stopped anyway: synchronously when the jest worker exits normally, and by a
 * detached watchdog (`sh`) that stops it and removes its directory once the worker's process is gone,
 * even after a SIGKILL.
 *
 * Skipping: `postgresAvailable()` says whether the binaries are there, so a test file can skip
 * visibly (`console.warn` + `describe.skip`) on a machine without PostgreSQL. In CI (.ci/run installs
 * `postgresql`) a missing PostgreSQL is an error, not a skip, as with Chromium in browser.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';

export interface PostgresServer {
  /** `postgres://rewind_test:<password>@127.0.0.1:<port>/postgres`; the role is a superuser. */
  url: string;
  port: number;
  /** The temporary folder (data directory, log, socket); removed by `stop()`. */
  dir: string;
  dataDir: string;
  /** The postmaster's pid. */
  pid: number;
  /** Creates database `name` (lower-case letters, digits, `_`) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs `sql` with psql (ON_ERROR_STOP, unaligned, tuples only: rows are lines, columns split by `|`); returns stdout, throws with stderr. */
  psql(url: string, sql: string): string;
  /** `pg_ctl stop -m immediate`, then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export const POSTGRES_USER = 'rewind_test';
const SYSTEM_USER = 'postgres';
const START_TIMEOUT_S = 30;
export const POSTGRES_INSTALL_HINT = 'install PostgreSQL: apt-get install -y postgresql (Debian/Ubuntu)';

/** The newest /usr/lib/postgresql/<major>/bin holding initdb (or $POSTGRES_BIN_DIR), undefined when none. */
export function postgresBinDir(): string | undefined {
  const override = process.env['POSTGRES_BIN_DIR'];
  if (override) return existsSync(join(override, 'initdb')) ? override : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

/** A PostgreSQL client or server binary of the same version as the server (psql, pg_dump, pg_restore…). */
export function postgresBin(name: string): string {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`PostgreSQL not found; ${POSTGRES_INSTALL_HINT}`);
  return join(bin, name);
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function systemUserIds(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function missingReason(): string | undefined {
  const bin = postgresBinDir();
  if (!bin) return `no initdb under /usr/lib/postgresql/*/bin; ${POSTGRES_INSTALL_HINT}`;
  for (const name of ['initdb', 'pg_ctl', 'postgres', 'psql']) if (!existsSync(join(bin, name))) return `${join(bin, name)} is missing; ${POSTGRES_INSTALL_HINT}`;
  if (isRoot()) {
    if (!systemUserIds()) return `running as root but there is no '${SYSTEM_USER}' system user to run initdb and pg_ctl as; ${POSTGRES_INSTALL_HINT}`;
    if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0) return 'running as root but runuser (util-linux) is missing';
  }
  return undefined;
}

/** Whether a PostgreSQL server can be started here. In CI a missing PostgreSQL throws instead of returning false. */
export function postgresAvailable(): boolean {
  const reason = missingReason();
  if (reason === undefined) return true;
  if (process.env['CI']) throw new Error(`PostgreSQL is not usable: ${reason} (.ci/run installs it)`);
  return false;
}

/** The reason postgresAvailable() is false, for the skip message. */
export function postgresUnavailableReason(): string {
  return missingReason() ?? 'PostgreSQL is available';
}

/** `describe` where PostgreSQL can run; elsewhere a visible skip of `what` (in CI, postgresAvailable throws instead). */
export function describeWithPostgres(what: string): jest.Describe {
  if (postgresAvailable()) return describe;
  console.warn(`PostgreSQL is not installed: ${what} skipped (${postgresUnavailableReason()})`);
  return describe.skip;
}

/** initdb and pg_ctl refuse root: as root they run as the postgres system user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', SYSTEM_USER, '--', command, ...args]] : [command, args];
}

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  const [cmd, argv] = asServerUser(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The caller's environment without PG* variables, so a developer's PGHOST or PGPASSWORD cannot redirect the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  env['LC_ALL'] = 'C';
  return env;
}

/** A temporary folder the server user owns and can reach (as root: chowned to postgres; falls back to /tmp when $TMPDIR is not reachable for it). */
function makeServerDir(): string {
  const ids = isRoot() ? systemUserIds() : undefined;
  for (const base of [tmpdir(), '/tmp']) {
    const dir = mkdtempSync(join(base, 'rewind-pg-'));
    if (!ids) return dir;
    chownSync(dir, ids.uid, ids.gid);
    if (spawnSync('runuser', ['-u', SYSTEM_USER, '--', 'test', '-w', dir], { stdio: 'ignore' }).status === 0) return dir;
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`the '${SYSTEM_USER}' user cannot write to a folder under ${tmpdir()} or /tmp`);
}

function serverLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'server.log'), 'utf8');
  } catch {
    return '(no server log)';
  }
}

function stopSync(pgCtl: string, dataDir: string, dir: string): void {
  const [cmd, argv] = asServerUser(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
  if (existsSync(join(dataDir, 'postmaster.pid'))) spawnSync(cmd, argv, { cwd: dir, env: cleanEnv(), stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A detached shell that waits for this process to end, then stops the server and removes its folder:
 * the safety net for a worker killed before afterAll or its 'exit' handler could run.
 */
function startWatchdog(pgCtl: string, dataDir: string, dir: string): number | undefined {
  const [cmd, argv] = asServerUser(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
  const script = 'p=$1; d=$2; shift 2; while kill -0 "$p" 2>/dev/null; do sleep 1; done; cd /; "$@" >/dev/null 2>&1; rm -rf "$d"';
  const watchdog = spawn('/bin/sh', ['-c', script, 'rewind-pg-watchdog', String(process.pid), dir, cmd, ...argv], { detached: true, stdio: 'ignore', cwd: '/' });
  watchdog.unref();
  return watchdog.pid;
}

function runPsql(url: string, sql: string): string {
  const result = spawnSync(postgresBin('psql'), ['--no-psqlrc', '--quiet', '--no-align', '--tuples-only', '-v', 'ON_ERROR_STOP=1', '--dbname', url, '--file', '-'], {
    input: sql,
    encoding: 'utf8',
    env: { ...cleanEnv(), PGCONNECT_TIMEOUT: '5' },
    timeout: 60_000,
  });
  if (result.error) throw new Error(`psql could not run: ${result.error.message}`, { cause: result.error });
  if (result.status !== 0) throw new Error(`psql failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.stdout;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Starts a private server (about a second: initdb without fsync, then pg_ctl start). Call `stop()` in afterAll. */
export async function startPostgres(): Promise<PostgresServer> {
  const reason = missingReason();
  if (reason) throw new Error(`cannot start PostgreSQL: ${reason}`);
  const initdb = postgresBin('initdb');
  const pgCtl = postgresBin('pg_ctl');
  const dir = makeServerDir();
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const password = randomBytes(18).toString('hex');
  let onExit: (() => void) | undefined;
  let watchdog: number | undefined;
  try {
    // The password file and the socket folder are created as the server user (as root: chowned after).
    const pwFile = join(dir, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    mkdirSync(socketDir, { mode: 0o700 });
    const ids = isRoot() ? systemUserIds() : undefined;
    if (ids) for (const path of [pwFile, socketDir]) chownSync(path, ids.uid, ids.gid);

    const init = await run(initdb, ['--pgdata', dataDir, '--username', POSTGRES_USER, '--pwfile', pwFile, '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--locale', 'C', '--no-sync', '--no-instructions'], dir);
    rmSync(pwFile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}):\n${init.stderr}${init.stdout}`);

    const port = await freePort();
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# rewind tests: private, fast, disposable',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${socketDir}'`,
        'fsync = off',
        'full_page_writes = off',
        'synchronous_commit = off',
        'max_connections = 50',
        "shared_buffers = '32MB'",
        '',
      ].join('\n'),
    );

    // From here on the server may be running: it must not outlive this process.
    onExit = () => stopSync(pgCtl, dataDir, dir);
    process.once('exit', onExit);
    watchdog = startWatchdog(pgCtl, dataDir, dir);

    const started = Date.now();
    const start = await run(pgCtl, ['start', '--pgdata', dataDir, '--log', join(dir, 'server.log'), '--wait', '--timeout', String(START_TIMEOUT_S), '--silent'], dir);
    if (start.status !== 0) throw new Error(`PostgreSQL did not start within ${START_TIMEOUT_S} s on port ${port} (pg_ctl exit ${start.status}: ${start.stderr.trim()})\nserver log:\n${serverLog(dir)}`);

    const url = `postgres://${POSTGRES_USER}:${password}@127.0.0.1:${port}/postgres`;
    // pg_ctl waited for "ready"; prove TCP and password authentication answer too.
    for (let attempt = 0; ; attempt++) {
      try {
        runPsql(url, 'select 1');
        break;
      } catch (error) {
        if (Date.now() - started > START_TIMEOUT_S * 1000) throw new Error(`PostgreSQL on port ${port} does not accept connections after ${START_TIMEOUT_S} s: ${(error as Error).message}\nserver log:\n${serverLog(dir)}`, { cause: error });
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
      }
    }
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

    let stopped = false;
    const exitHandler = onExit;
    const watchdogPid = watchdog;
    return {
      url,
      port,
      dir,
      dataDir,
      pid,
      psql: runPsql,
      async createDatabase(name: string): Promise<string> {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name '${name}': use lower-case letters, digits and _`);
        runPsql(url, `CREATE DATABASE "${name}"`);
        return withDatabase(url, name);
      },
      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        process.off('exit', exitHandler);
        const stop = await run(pgCtl, ['stop', '--pgdata', dataDir, '--mode', 'immediate', '--wait', '--timeout', '10', '--silent'], dir);
        if (stop.status !== 0 && isAlive(pid)) throw new Error(`pg_ctl stop failed (exit ${stop.status}): ${stop.stderr.trim()}\nserver log:\n${serverLog(dir)}`);
        rmSync(dir, { recursive: true, force: true });
        killWatchdog(watchdogPid);
      },
    };
  } catch (error) {
    if (onExit) process.off('exit', onExit);
    stopSync(pgCtl, dataDir, dir);
    killWatchdog(watchdog);
    throw error;
  }
}

function killWatchdog(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM'); // its process group: the shell and its `sleep`
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
