/**
 * The `postgres-backup` plan step (seed 003: `pg_dump $DATABASE_URL` before rolling back): a custom
 * format dump of the database to a file, with its size, duration and checksum in the thread. The
 * URL reaches pg_dump through libpq's environment variables, never its arguments, so no password
 * shows in a process list; what pg_dump prints is masked.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostgresBackupStepConfig } from '../config/catalog-schema';
import type { Clock, PlanStepContext, PlanStepOutcome, PlanStepRunner } from '../domain/ports';
import { describeDuration } from '../outbound/http-errors';
import { runCommand } from '../process/run-command';
import { describeBytes, sha256 } from './dump-file';
import { libpqEnvironment } from './libpq-environment';

export class PostgresBackupStep implements PlanStepRunner {
  constructor(
    private readonly step: PostgresBackupStepConfig,
    private readonly where: { service: string; environment: string },
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async run({ rollbackId, signal }: PlanStepContext): Promise<PlanStepOutcome> {
    const takenAt = this.clock.now();
    const connection = libpqEnvironment(this.step.database);
    const database = connection['PGDATABASE'] ?? 'the database';
    await mkdir(this.step.dir, { recursive: true });
    const file = join(this.step.dir, `${this.where.service}-${this.where.environment}-${rollbackId}.dump`);
    const schemas = (this.step.schemas ?? []).map((schema) => `--schema=${schema}`);
    const run = await runCommand(
      { run: ['pg_dump', '--format=custom', '--no-owner', '--no-privileges', ...schemas, `--file=${file}`], env: { ...connection, PGCONNECT_TIMEOUT: '10' }, timeoutMs: this.step.timeout },
      signal,
    );
    if (run.ending.kind === 'aborted') throw run.ending.reason;
    if (run.ending.kind !== 'exit' || run.ending.code !== 0) {
      const why = run.ending.kind === 'timeout' ? `did not finish within ${describeDuration(this.step.timeout)}` : run.ending.kind === 'unstartable' ? `could not start pg_dump (${run.ending.code}): is the PostgreSQL client installed?` : 'failed';
      throw new Error(`pg_dump of ${database} ${why}${run.tail.length ? `: ${run.tail.slice(-3).join(' | ')}` : ''}`);
    }
    const { size } = await stat(file);
    const checksum = await sha256(file);
    const scope = this.step.schemas ? ` (schemas ${this.step.schemas.join(', ')})` : '';
    return {
      detail: `pg_dump of ${database}${scope} → ${file}: ${describeBytes(size)} in ${describeDuration(run.elapsedMs)}, sha256 ${checksum.slice(0, 16)}…`,
      restorePoint: { kind: 'postgres-dump', database, ...(this.step.schemas ? { schemas: this.step.schemas } : {}), file, takenAt, sizeBytes: size, sha256: checksum },
    };
  }
}
