/**
 * The `postgres-backup` plan step (seed 003: `pg_dump $DATABASE_URL` before rolling back): a custom
 * format dump of the database to a file, with its size, duration and checksum in the thread. The
 * URL reaches pg_dump through libpq's environment variables, never its arguments, so no password
 * shows in a process list; what pg_dump prints is masked.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostgresBackupStepConfig } from '../config/catalog-schema';
import type { PlanStepContext, PlanStepRunner } from '../domain/ports';
import { describeDuration } from '../outbound/http-errors';
import { runCommand } from '../process/run-command';
import { libpqEnvironment } from '../database/libpq-environment';

function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export class PostgresBackupStep implements PlanStepRunner {
  constructor(
    private readonly step: PostgresBackupStepConfig,
    private readonly where: { service: string; environment: string },
  ) {}

  async run({ rollbackId, signal }: PlanStepContext): Promise<{ detail: string }> {
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
    return { detail: `pg_dump of ${database}${scope} → ${file}: ${describeBytes(size)} in ${describeDuration(run.elapsedMs)}, sha256 ${checksum.slice(0, 16)}…` };
  }
}
