/** Rewind's processes as production runs them (`node dist/cli.js <role>`), for the benches. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FAKE_SLACK_TOKEN } from '../test/fakes/slack-api';
import { SIGNING_SECRET } from '../test/support/slack-signing';

const ROOT = resolve(__dirname, '..');

/** The environment of a Rewind process under a bench: its catalog, a private key prefix, Slack in HTTP mode on the fake. */
export function benchEnv(catalogFile: string, redisUrl: string, slackApiUrl: string, label: string): Record<string, string> {
  return {
    REWIND_CONFIG: catalogFile,
    REDIS_URL: redisUrl,
    REWIND_REDIS_PREFIX: `{${label}-${Math.random().toString(36).slice(2, 8)}}`,
    PORT: '0',
    HOST: '127.0.0.1',
    SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_MODE: 'http',
    SLACK_API_URL: slackApiUrl,
  };
}

export interface RewindProcess {
  child: ChildProcess;
  /** The HTTP listener, for roles that have one. */
  url: string | undefined;
}

/** Starts `rewind <role>` and waits for its ready line. `BENCH_NODE_ARGS` is passed to node (e.g. `--cpu-prof`). */
export async function startRewindProcess(role: 'start' | 'ingress' | 'worker', env: Record<string, string>): Promise<RewindProcess> {
  const nodeArgs = process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/cli.js'), role], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string | undefined>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`rewind ${role} was not ready within 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const ready = new RegExp(`^.*rewind ${role} ready.*$`, 'm').exec(output);
      if (ready) {
        clearTimeout(timer);
        done(/"url":"(http:[^"]+)"/.exec(ready[0])?.[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`rewind ${role} exited (${code}):\n${output}`)));
  });
  return { child, url };
}

export async function stopRewindProcess({ child }: RewindProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
}

/** Memory the process holds now (VmRSS) or has held at most (VmHWM), in MB. */
export function rssMb(pid: number, which: 'now' | 'peak'): number {
  const field = which === 'now' ? 'VmRSS' : 'VmHWM';
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}
