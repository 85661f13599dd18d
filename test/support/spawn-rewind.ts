/** Runs `rewind <role>` as a real child process (through tsx) and waits until it says it is ready. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testRedisUrl } from './redis';

const ROOT = resolve(__dirname, '../..');

export interface RewindProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

export function writeCatalog(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rewind-catalog-')), 'rewind.yaml');
  writeFileSync(file, yaml);
  return file;
}

/**
 * What a spawned worker needs to share a test's Redis prefix and catalog, with locks short enough
 * that a killed worker's job is taken over within about a second.
 */
export function workerEnv(catalog: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REWIND_CONFIG: writeCatalog(catalog), REDIS_URL: testRedisUrl(), REWIND_REDIS_PREFIX: prefix, REWIND_LOCK_DURATION_MS: '1000', REWIND_STALLED_INTERVAL_MS: '500', ...extra };
}

export async function spawnRewind(role: 'start' | 'ingress' | 'worker', env: Record<string, string>, readyTimeoutMs = 30_000): Promise<RewindProcess> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src/cli.ts'), role], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes(`rewind ${role} ready`)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`rewind ${role} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rewind ${role} was not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output, exited };
}
