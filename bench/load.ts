/**
 * Load: N critical rollbacks of N services (1,000 by default, `BENCH_LOAD_ROLLBACKS`) requested at
 * once through signed Slack slash commands, against one process running ingress and workers
 * (`node dist/cli.js start`, as `npm start`; the fakes run in the bench's own process). Timed from the first command sent to the last verified summary posted to
 * Slack; Redis commands and chat calls are counted, the process's RSS sampled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { FakeSlack } from '../test/fakes/slack-api';
import { postToSlackEndpoint, slashCommandForm } from '../test/support/slack-signing';
import { FleetService } from './fleet-service';
import { benchEnv, rssMb, startRewindProcess, stopRewindProcess } from './rewind-process';

export interface LoadResult {
  rollbacks: number;
  seconds: number;
  perSecond: number;
  redisCommandsPerRollback: number;
  chatCallsPerRollback: number;
  peakRssMb: number;
  topology: Topology;
  /** Services switched more than once: must be 0. */
  duplicateSwitches: number;
}

export const serviceName = (i: number) => `svc-${String(i).padStart(4, '0')}`;

export function fleetCatalog(fleet: FleetService, count: number): string {
  const services = Array.from({ length: count }, (_, i) =>
    [
      `  ${serviceName(i)}:`,
      '    environments:',
      '      production:',
      `        channels: { slack: C${String(i).padStart(6, '0')} }`,
      `        provider: { type: bluegreen, baseUrl: ${fleet.url(serviceName(i))} }`,
      '        waitLive: { timeout: 30s, interval: 50ms }',
      '        verify:',
      `          - { type: http, name: health, url: ${fleet.url(serviceName(i))}/health }`,
    ].join('\n'),
  );
  return `defaults:\n  approvals: { critical: { required: 0 }, high: { required: 0 }, medium: { required: 0 }, low: { required: 0 } }\nservices:\n${services.join('\n')}\n`;
}

async function commandsProcessed(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? NaN);
}

/** `one`: one process runs ingress and workers (`npm start`); `split`: one ingress and two workers. */
export type Topology = 'one' | 'split';

export async function thousandRollbacks(redisUrl: string, topology: Topology = 'one', count = Number(process.env['BENCH_LOAD_ROLLBACKS'] ?? 1000)): Promise<LoadResult> {
  const fleet = await FleetService.start();
  const slack = await FakeSlack.start();
  const counter = new Redis(redisUrl);
  const dir = mkdtempSync(join(tmpdir(), 'rewind-load-'));
  writeFileSync(join(dir, 'rewind.yaml'), fleetCatalog(fleet, count));
  const env = {
    ...benchEnv(join(dir, 'rewind.yaml'), redisUrl, slack.apiUrl, 'load'),
    ...(process.env['BENCH_ENV'] ? (JSON.parse(process.env['BENCH_ENV']) as Record<string, string>) : {}),
  };
  const processes = topology === 'one' ? [await startRewindProcess('start', env)] : [await startRewindProcess('ingress', env), await startRewindProcess('worker', env), await startRewindProcess('worker', env)];
  const url = processes[0]!.url!;
  try {
    const commandsBefore = await commandsProcessed(counter);
    const callsBefore = slack.calls.length;
    const summaries = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args['reply_broadcast'] === true).length;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const answer = await postToSlackEndpoint(url, { body: slashCommandForm({ text: `${serviceName(i)} production --severity critical --reason load`, user_id: 'U0LOAD', channel_id: `C${String(i).padStart(6, '0')}`, response_url: slack.responseUrl(`load-${i}`) }) });
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
      topology,
      rollbacks: count,
      seconds,
      perSecond: count / seconds,
      redisCommandsPerRollback: commands / count,
      chatCallsPerRollback: (slack.calls.length - callsBefore) / count,
      peakRssMb: Math.max(...processes.map((p) => rssMb(p.child.pid!, 'peak'))),
      duplicateSwitches: fleet.switchTally().more,
    };
  } finally {
    for (const p of processes) await stopRewindProcess(p);
    counter.disconnect();
    await slack.close();
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
