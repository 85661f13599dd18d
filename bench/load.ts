/**
 * Load: N critical rollbacks of N services (1,000 by default, `BENCH_LOAD_ROLLBACKS`) requested at
 * once through signed Slack slash commands, against one process running ingress and workers
 * (`node dist/cli.js start`, as `npm start`; the fakes run in the bench's own process). Timed from the first command sent to the last verified summary posted to
 * Slack; Redis commands and chat calls are counted, the process's RSS sampled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../test/fakes/slack-api';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../test/support/slack-signing';
import { FleetService } from './fleet-service';

export interface LoadResult {
  rollbacks: number;
  seconds: number;
  perSecond: number;
  redisCommandsPerRollback: number;
  chatCallsPerRollback: number;
  peakRssMb: number;
  /** Services switched more than once: must be 0. */
  duplicateSwitches: number;
}

const ROOT = resolve(__dirname, '..');

const name = (i: number) => `svc-${String(i).padStart(4, '0')}`;

function fleetCatalog(fleet: FleetService, count: number): string {
  const services = Array.from({ length: count }, (_, i) =>
    [
      `  ${name(i)}:`,
      '    environments:',
      '      production:',
      `        channels: { slack: C${String(i).padStart(6, '0')} }`,
      `        provider: { type: bluegreen, baseUrl: ${fleet.url(name(i))} }`,
      '        waitLive: { timeout: 30s, interval: 50ms }',
      '        verify:',
      `          - { type: http, name: health, url: ${fleet.url(name(i))}/health }`,
    ].join('\n'),
  );
  return `defaults:\n  approvals: { critical: { required: 0 }, high: { required: 0 }, medium: { required: 0 }, low: { required: 0 } }\nservices:\n${services.join('\n')}\n`;
}

async function commandsProcessed(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? NaN);
}

/** Rewind as `npm start` runs it (`node dist/cli.js start`), its URL read from the ready line. */
async function startRewindProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/cli.js'), 'start'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rewind start was not ready within 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const ready = /"url":"(http:[^"]+)"[^\n]*rewind start ready/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`rewind start exited (${code}):\n${output}`)));
  });
  return { child, url };
}

/** The most memory the process has held (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

export async function thousandRollbacks(redisUrl: string, count = Number(process.env['BENCH_LOAD_ROLLBACKS'] ?? 1000)): Promise<LoadResult> {
  const fleet = await FleetService.start();
  const slack = await FakeSlack.start();
  const counter = new Redis(redisUrl);
  const dir = mkdtempSync(join(tmpdir(), 'rewind-load-'));
  writeFileSync(join(dir, 'rewind.yaml'), fleetCatalog(fleet, count));
  const { child, url } = await startRewindProcess({
    REWIND_CONFIG: join(dir, 'rewind.yaml'),
    REDIS_URL: redisUrl,
    REWIND_REDIS_PREFIX: `{load-${Math.random().toString(36).slice(2, 8)}}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_MODE: 'http',
    SLACK_API_URL: slack.apiUrl,
    ...(process.env['BENCH_ENV'] ? JSON.parse(process.env['BENCH_ENV']) as Record<string, string> : {}),
  });
  try {
    const commandsBefore = await commandsProcessed(counter);
    const callsBefore = slack.calls.length;
    const summaries = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args['reply_broadcast'] === true).length;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const answer = await postToSlackEndpoint(url, { body: slashCommandForm({ text: `${name(i)} production --severity critical --reason load`, user_id: 'U0LOAD', channel_id: `C${String(i).padStart(6, '0')}`, response_url: slack.responseUrl(`load-${i}`) }) });
        await answer.arrayBuffer();
      }),
    );
    const deadline = Date.now() + 10 * 60_000;
    while (summaries() < count) {
      if (Date.now() > deadline) throw new Error(`only ${summaries()} of ${count} rollbacks were summarized within 10 minutes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const commands = (await commandsProcessed(counter)) - commandsBefore;
    return {
      rollbacks: count,
      seconds,
      perSecond: count / seconds,
      redisCommandsPerRollback: commands / count,
      chatCallsPerRollback: (slack.calls.length - callsBefore) / count,
      peakRssMb: peakRssMb(child.pid!),
      duplicateSwitches: fleet.switchTally().more,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    counter.disconnect();
    await slack.close();
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
