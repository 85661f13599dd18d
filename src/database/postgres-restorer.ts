/**
 * Restores a `postgres-backup` dump on request (seed 003: "restore with psql if needed"):
 * `pg_restore --clean --if-exists --single-transaction`, so the database ends as the dump or stays
 * as it was, never half-restored. Before approvers decide, it reads what the restore would replace.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresBackupStepConfig } from '../config/catalog-schema';
import { formatUtc } from '../domain/history';
import type { DatabaseRestorer, RestoreContext, RestorePreview } from '../domain/ports';
import type { PostgresDumpPoint, RestorePoint } from '../domain/restore-point';
import { describeDuration } from '../outbound/http-errors';
import { describeEnding, runCommand } from '../process/run-command';
import { describeBytes, sha256 } from './dump-file';
import { libpqEnvironment } from './libpq-environment';
import { describePostgresError, withPostgres } from './postgres-session';

/** Reading the dump's table of contents and the live tables' sizes: quick, or something is wrong. */
const PREVIEW_TIMEOUT_MS = 30_000;
const LISTED_TABLES = 12;

interface TableSize {
  name: string;
  bytes: number;
}

function asDump(point: RestorePoint): PostgresDumpPoint {
  if (point.kind !== 'postgres-dump') throw new Error(`a postgres-backup step cannot restore a ${point.kind} restore point`);
  return point;
}

/** `schema.table` of every table the dump recreates, from `pg_restore --list`. */
export function tablesInToc(toc: string): string[] {
  const tables: string[] = [];
  for (const line of toc.split('\n')) {
    const match = /^\d+;\s+\d+\s+\d+\s+TABLE\s+(?!DATA\s)(\S+)\s+(\S+)\s/.exec(line);
    if (match) tables.push(`${match[1]}.${match[2]}`);
  }
  return tables;
}

function listTables(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_TABLES).join(', ');
  return names.length > LISTED_TABLES ? `${shown} and ${names.length - LISTED_TABLES} more` : shown;
}

export class PostgresRestorer implements DatabaseRestorer {
  constructor(private readonly step: PostgresBackupStepConfig) {}

  async preview(point: RestorePoint, signal?: AbortSignal): Promise<RestorePreview> {
    const dump = asDump(point);
    await this.checkFile(dump);
    const tables = tablesInToc(await this.tableOfContents(dump, signal));
    const schemas = dump.schemas ?? [...new Set(tables.map((t) => t.split('.')[0]!))];
    const live = await this.liveTables(schemas, signal);
    const liveByName = new Map(live.map((t) => [t.name, t.bytes]));
    const when = formatUtc(dump.takenAt);
    const sized = tables.map((t) => (liveByName.has(t) ? `${t} (${describeBytes(liveByName.get(t)!)} now)` : `${t} (not in the database now: recreated)`));
    const overwrites = [
      `Database ${dump.database}: ${tables.length} table${tables.length === 1 ? '' : 's'} dropped and recreated from the backup of ${when} (${describeBytes(dump.sizeBytes)}): ${listTables(sized) || 'none'}.`,
      `Every change written to ${tables.length === 1 ? 'it' : 'them'} after ${when} is lost.`,
    ];
    const inBackup = new Set(tables);
    const kept = live.map((t) => t.name).filter((name) => !inBackup.has(name));
    const warnings = kept.length ? [`Tables created since the backup are left as they are: ${listTables(kept)}.`] : [];
    return { overwrites, warnings };
  }

  async restore(point: RestorePoint, { key, attempt, signal, progress }: RestoreContext): Promise<{ detail: string }> {
    const dump = asDump(point);
    await this.checkFile(dump);
    const appName = `rewind restore ${key}`.slice(0, 63);
    // A worker that died left its pg_restore running (it has its own process group): stop it, so two never race.
    if (attempt > 1) {
      const stopped = await this.stopLeftovers(appName, signal);
      if (stopped > 0) await progress(`stopped the pg_restore a stopped worker left running (its transaction rolls back); restoring again`);
    }
    const connection = { ...libpqEnvironment(this.step.database), PGAPPNAME: appName };
    const run = await runCommand(
      {
        // The database name only: the password travels in PGPASSWORD, never in the arguments.
        run: ['pg_restore', '--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${dump.database}`, dump.file],
        env: { ...connection, PGCONNECT_TIMEOUT: '10' },
        timeoutMs: this.step.timeout,
      },
      signal,
    );
    if (run.ending.kind === 'aborted') throw run.ending.reason;
    if (run.ending.kind !== 'exit' || run.ending.code !== 0) {
      const why = run.ending.kind === 'timeout' ? `did not finish within ${describeDuration(this.step.timeout)}` : run.ending.kind === 'unstartable' ? `could not start (${run.ending.code}): is the PostgreSQL client installed?` : `failed (${describeEnding(run.ending)})`;
      throw new Error(`pg_restore into ${dump.database} ${why}; the single transaction was rolled back, so the database is as it was${run.tail.length ? `: ${run.tail.slice(-3).join(' | ')}` : ''}`);
    }
    return { detail: `pg_restore of ${dump.file} into ${dump.database}: back to ${formatUtc(dump.takenAt)} in ${describeDuration(run.elapsedMs)}` };
  }

  /** The file must be the one the backup step wrote: same size, same checksum. */
  private async checkFile(dump: PostgresDumpPoint): Promise<void> {
    const found = await stat(dump.file).catch(() => undefined);
    if (!found) throw new Error(`the backup file ${dump.file} is gone (was the volume with ${this.step.dir} replaced?); nothing to restore from`);
    if (found.size !== dump.sizeBytes || (await sha256(dump.file)) !== dump.sha256) {
      throw new Error(`the backup file ${dump.file} changed since it was taken (its sha256 no longer matches); Rewind will not restore from it`);
    }
  }

  /** The dump's table of contents, through a file: a big schema's list is longer than any output tail. */
  private async tableOfContents(dump: PostgresDumpPoint, signal?: AbortSignal): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'rewind-toc-'));
    try {
      const list = join(dir, 'toc.txt');
      const run = await runCommand({ run: ['pg_restore', '--list', `--file=${list}`, dump.file], timeoutMs: PREVIEW_TIMEOUT_MS }, signal);
      if (run.ending.kind === 'aborted') throw run.ending.reason;
      if (run.ending.kind !== 'exit' || run.ending.code !== 0) throw new Error(`pg_restore --list ${dump.file} failed (${describeEnding(run.ending)}): ${run.tail.slice(-2).join(' | ')}`);
      return await readFile(list, 'utf8');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Ends the sessions of an earlier attempt of this restore; returns how many there were. */
  private async stopLeftovers(appName: string, signal?: AbortSignal): Promise<number> {
    try {
      return await withPostgres(this.step.database, { timeoutMs: PREVIEW_TIMEOUT_MS, signal }, async (query) => {
        const rows = await query<{ stopped: boolean }>('select pg_terminate_backend(pid) as stopped from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()', [appName]);
        return rows.filter((row) => row.stopped).length;
      });
    } catch (error) {
      throw new Error(`could not check for a pg_restore left running by a stopped worker: ${describePostgresError(error)}`, { cause: error });
    }
  }

  private async liveTables(schemas: readonly string[], signal?: AbortSignal): Promise<TableSize[]> {
    try {
      return await withPostgres(this.step.database, { timeoutMs: PREVIEW_TIMEOUT_MS, signal }, async (query) => {
        const rows = await query<{ name: string; bytes: string }>(
          `select n.nspname || '.' || c.relname as name, pg_total_relation_size(c.oid)::text as bytes
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any($1::text[])
            order by 1`,
          [schemas],
        );
        return rows.map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
      });
    } catch (error) {
      throw new Error(`could not read the tables of the database to restore: ${describePostgresError(error)}`, { cause: error });
    }
  }
}
