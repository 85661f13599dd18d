/**
 * `npm run bench`: Rewind's latency targets (SPEC §7) measured on this machine against a real
 * redis-server, BullMQ and local HTTP services. Prints a table; exits 1 when a target is missed.
 *  - auto trigger: deciding health probe → rollback job started (target < 500 ms)
 *  - recovery: critical /rollback typed in the console → verified summary posted (target < 2 s)
 *  - Slack ack: signed slash commands at 200/s → HTTP answer, p99 (target < 50 ms)
 *  - load: 1,000 critical rollbacks at once through Slack, one process (targets ≤ 7 s, ≤ 256 MB RSS),
 *    then one ingress and two workers; the ingress's idle RSS (≤ 120 MB); the Slack ack in bursts of
 *    100 against a bare Bolt app (p99 ≤ 1.5×)
 */
import { createRewind, type Rewind } from '../src/app/create-rewind';
import { parseCatalog } from '../src/config/load-catalog';
import type { ConsoleEvent } from '../src/chat/console/console-event';
import { BlueGreenService } from '../src/demo/bluegreen-service';
import { startLocalRedis } from '../src/demo/local-redis';
import { silentLogger } from '../src/observability/logger';
import { SecretScrubber } from '../src/observability/secret-scrubber';
import { QueueSettings } from '../src/queue/queue-settings';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../test/fakes/slack-api';
import { openSse } from '../test/support/sse-client';
import { ingressIdleRssMb } from './ingress-idle';
import { pipelineOverhead } from './pipeline-overhead';
import { ackUnderBursts } from './slack-ack-bursts';
import { thousandRollbacks } from './load';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../test/support/slack-signing';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('bench step timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function catalog(url: string, extra: string): string {
  return `
defaults:
  approvals: { critical: { required: 0 }, high: { required: 0 }, medium: { required: 0 }, low: { required: 0 } }
services:
  demo-api:
    environments:
      production:
        channels: { console: incidents, slack: C0BENCH }
        provider: { type: bluegreen, baseUrl: ${url} }
        waitLive: { timeout: 10s, interval: 5ms }
        verify:
          - { type: http, name: health, url: ${url}/health }
          - { type: version, url: ${url}/deployment/status, path: currentVersion }
${extra}`;
}

async function start(redisUrl: string, yaml: string, slack?: FakeSlack): Promise<Rewind> {
  return createRewind({
    roles: { ingress: true, worker: true },
    loaded: parseCatalog(yaml, {}),
    redisUrl,
    queue: QueueSettings.parse({ prefix: `{bench-${Math.random().toString(36).slice(2, 8)}}` }),
    logger: silentLogger(),
    scrubber: new SecretScrubber(),
    http: { port: 0, host: '127.0.0.1' },
    console: {},
    ...(slack ? { slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http' as const, apiUrl: slack.apiUrl } } : {}),
  });
}

async function autoTrigger(redisUrl: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
    const rewind = await start(redisUrl, catalog(service.url, `        auto:\n          health: { url: ${service.url}/health, interval: 50ms, failures: 3 }`));
    service.deploy('2.5.0', { bad: true });
    const deployedAt = Date.now();
    const record = await until(async () => (await rewind.store.list({ limit: 1 }))[0]?.timings.startedAt ? (await rewind.store.list({ limit: 1 }))[0] : undefined);
    const failing = service.requests.filter((r) => r.path === '/health' && r.at >= deployedAt);
    samples.push(record.timings.startedAt! - failing[2]!.at);
    await rewind.close();
    await service.close();
  }
  return samples;
}

async function recovery(redisUrl: string): Promise<number[]> {
  const service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
  const rewind = await start(redisUrl, catalog(service.url, ''));
  const events = await openSse<ConsoleEvent>(`${rewind.url}/console/api/events?user=oncall`);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    service.deploy(`2.${5 + i}.0`, { bad: true });
    const before = events.events.length;
    const sentAt = Date.now();
    await fetch(`${rewind.url}/console/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'oncall', channel: 'incidents', text: 'demo-api --severity critical', interactionId: `bench-${i}` }) });
    await until(() => events.events.slice(before).find((e) => e.message.kind === 'summary'));
    samples.push(Date.now() - sentAt);
    service.deploy(`2.${5 + i}.1`);
  }
  events.close();
  await rewind.close();
  await service.close();
  return samples;
}

async function slackAck(redisUrl: string): Promise<number[]> {
  const slack = await FakeSlack.start();
  const service = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
  const rewind = await start(redisUrl, catalog(service.url, ''), slack);
  const samples: number[] = [];
  const rate = 200;
  const seconds = Number(process.env['BENCH_ACK_SECONDS'] ?? 5);
  const pending: Promise<void>[] = [];
  const startAt = Date.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = startAt + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      (async () => {
        const t0 = performance.now();
        const response = await postToSlackEndpoint(rewind.url!, { body: slashCommandForm({ text: 'status demo-api', user_id: 'U0BENCH', response_url: slack.responseUrl('bench') }) });
        await response.arrayBuffer();
        samples.push(performance.now() - t0);
      })(),
    );
  }
  await Promise.all(pending);
  await rewind.close();
  await service.close();
  await slack.close();
  return samples;
}

async function main(): Promise<void> {
  const redis = await startLocalRedis();
  try {
    const rows: [string, number[], number, string][] = [];
    rows.push(['auto trigger: deciding probe → rollback started (ms)', await autoTrigger(redis.url), 500, 'max']);
    rows.push(['recovery: critical /rollback → verified summary (ms)', await recovery(redis.url), 2000, 'max']);
    rows.push(['Slack ack at 200/s (ms)', await slackAck(redis.url), 50, 'p99']);
    let missed = 0;
    process.stdout.write(`\n${'measure'.padEnd(56)} ${'n'.padStart(5)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}  target\n`);
    for (const [name, values, target, by] of rows) {
      const p50 = percentile(values, 50);
      const p99 = percentile(values, 99);
      const max = Math.max(...values);
      const judged = by === 'max' ? max : p99;
      const ok = judged < target;
      if (!ok) missed++;
      process.stdout.write(`${name.padEnd(56)} ${String(values.length).padStart(5)} ${p50.toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)} ${max.toFixed(1).padStart(8)}  ${by} < ${target} ${ok ? 'met' : 'MISSED'}\n`);
    }
    const load = await thousandRollbacks(redis.url, 'one');
    const split = await thousandRollbacks(redis.url, 'split');
    const idle = await ingressIdleRssMb(redis.url);
    const bursts = await ackUnderBursts(redis.url);
    const [rewindP99, boltP99] = [percentile(bursts.rewind, 99), percentile(bursts.bolt, 99)];
    const pipeline = await pipelineOverhead(redis.url);
    const [pipelineP50, rawP50] = [percentile(pipeline.rewind, 50), percentile(pipeline.raw, 50)];
    const loadRows: [string, number, number, string][] = [
      [`${load.rollbacks} critical rollbacks at once, one process: all summarized (s)`, load.seconds, 7, '≤'],
      ['  peak RSS of that process (MB)', load.peakRssMb, 256, '≤'],
      ['  rollbacks per second', load.perSecond, NaN, ''],
      ['  Redis commands per rollback', load.redisCommandsPerRollback, NaN, ''],
      ['  chat calls per rollback', load.chatCallsPerRollback, NaN, ''],
      ['  services switched more than once', load.duplicateSwitches, 0, '='],
      [`the same, one ingress and two workers: all summarized (s)`, split.seconds, NaN, ''],
      ['  largest peak RSS of the three processes (MB)', split.peakRssMb, NaN, ''],
      ['  services switched more than once', split.duplicateSwitches, 0, '='],
      ['rewind ingress alone, idle: RSS (MB)', idle, 120, '≤'],
      [`Slack ack in bursts of 100 while rollbacks run, p99 (ms, n=${bursts.rewind.length})`, rewindP99, NaN, ''],
      ['  bare Bolt, same bursts, p99 (ms)', boltP99, NaN, ''],
      ['  Rewind / bare Bolt', rewindP99 / boltP99, 1.5, '≤'],
      [`Slack command → rollback job started, one at a time, p50 (ms, n=${pipeline.rewind.length})`, pipelineP50, NaN, ''],
      ['  raw BullMQ enqueue → processing start, p50 (ms)', rawP50, NaN, ''],
      ['  Rewind / raw BullMQ', pipelineP50 / rawP50, 3, '≤'],
    ];
    process.stdout.write('\n');
    for (const [label, value, target, how] of loadRows) {
      const ok = how === '≤' ? value <= target : how === '=' ? value === target : true;
      if (!ok) missed++;
      process.stdout.write(`${label.padEnd(66)} ${value.toFixed(1).padStart(9)}  ${how ? `${how} ${target} ${ok ? 'met' : 'MISSED'}` : ''}\n`);
    }
    process.exitCode = missed > 0 ? 1 : 0;
  } finally {
    await redis.stop();
  }
}

void main();
