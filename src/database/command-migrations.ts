/**
 * Which migrations ran since a release, as a team's own command says: it gets the target release in
 * REWIND_TARGET_* variables and prints one migration id per line.
 */
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandMigrationsConfig } from '../config/catalog-schema';
import { commandName } from '../domain/plan';
import type { MigrationLister } from '../domain/ports';
import type { Migration, Release } from '../domain/release';
import { describeDuration } from '../outbound/http-errors';
import { SecretScrubber } from '../observability/secret-scrubber';
import { OutputTail } from '../process/output-tail';
import { runCommand, type CommandRun } from '../process/run-command';

/** More than this is a whole history, not what one rollback leaves applied. */
const MAX_BYTES = 64 * 1024;
const MAX_IDS = 200;

export class CommandMigrations implements MigrationLister {
  readonly source: string;
  readonly upOnly: boolean;

  constructor(private readonly config: CommandMigrationsConfig) {
    this.source = commandName(config.run);
    this.upOnly = config.upOnly;
  }

  async since(target: Release, signal?: AbortSignal): Promise<Migration[]> {
    const dir = await mkdtemp(join(tmpdir(), 'rewind-migrations-'));
    const stdout = join(dir, 'stdout');
    try {
      const env = { ...this.config.env, ...targetEnvironment(target) };
      const run = await runCommand({ run: this.config.run, cwd: this.config.cwd, env, timeoutMs: this.config.timeout, stdoutFile: stdout }, signal);
      if (run.ending.kind === 'aborted') throw run.ending.reason;
      if (run.ending.kind !== 'exit' || run.ending.code !== 0) throw new Error(await this.failure(run, stdout));
      return await this.migrations(stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async migrations(file: string): Promise<Migration[]> {
    const { size } = await stat(file);
    if (size > MAX_BYTES) throw new Error(`${this.source} printed ${Math.round(size / 1024)} KiB; print only the migrations since REWIND_TARGET_DEPLOYED_AT (or REWIND_TARGET_VERSION), one id per line`);
    const scrubber = new SecretScrubber(Object.values(this.config.env ?? {}));
    const ids = (await readFile(file, 'utf8'))
      .split(/\r?\n/)
      .map((line) => scrubber.scrub(line.trim()))
      .filter((line) => line !== '');
    if (ids.length > MAX_IDS) throw new Error(`${this.source} printed ${ids.length} migrations, more than ${MAX_IDS}; print only those since REWIND_TARGET_DEPLOYED_AT (or REWIND_TARGET_VERSION)`);
    return [...new Set(ids)].map((id) => ({ id, irreversible: this.upOnly }));
  }

  private async failure(run: CommandRun, stdoutFile: string): Promise<string> {
    const said = await this.lastWords(run, stdoutFile);
    const tail = said.length ? `: ${said.join(' | ')}` : '';
    const took = describeDuration(run.elapsedMs);
    switch (run.ending.kind) {
      case 'exit':
        return `${this.source} exited ${run.ending.code} after ${took}${tail}; it must exit 0 after printing one migration id per line`;
      case 'signal':
        return `${this.source} was killed by ${run.ending.signal} after ${took}${tail}`;
      case 'timeout':
        return `${this.source} did not finish within ${describeDuration(this.config.timeout)}${tail}; raise migrations.timeout in the catalog or make it faster`;
      case 'unstartable':
        return `could not start ${this.source} (${run.ending.code}); check run and cwd in the catalog's migrations`;
      case 'aborted':
        return 'aborted';
    }
  }

  /** What it wrote to stderr, or else the end of its stdout, masked. */
  private async lastWords(run: CommandRun, stdoutFile: string): Promise<string[]> {
    if (run.tail.length) return run.tail.slice(-5);
    const tail = new OutputTail({ secrets: Object.values(this.config.env ?? {}) });
    tail.push(await readEnd(stdoutFile, 8 * 1024).catch(() => Buffer.alloc(0)));
    return tail.lines().slice(-5);
  }
}

/** The last `bytes` of a file, however much a failing command wrote. */
async function readEnd(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer;
  } finally {
    await handle.close();
  }
}

/**
 * What the command learns about the release rolled back to; a fact the provider does not know is left
 * unset (a release of unknown version is only named after its slot, which is no version).
 */
function targetEnvironment(target: Release): Record<string, string> {
  const deployedAt = target.deployedAt ? Date.parse(target.deployedAt) : NaN;
  return {
    ...(target.versionUnknown ? {} : { REWIND_TARGET_VERSION: target.version }),
    ...(target.commit ? { REWIND_TARGET_COMMIT: target.commit } : {}),
    ...(Number.isNaN(deployedAt) ? {} : { REWIND_TARGET_DEPLOYED_AT: new Date(deployedAt).toISOString() }),
  };
}
