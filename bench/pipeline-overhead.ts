/**
 * Pipeline overhead: how long Rewind takes from a signed Slack command to its rollback job starting
 * (HTTP ack, commands queue, policy and preview against an instant fake, the record's commit, the
 * rollbacks queue), against raw BullMQ's enqueue → processing start on the same Redis. One at a
 * time, so neither waits behind the other's queue.
 */
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { createRewind } from '../src/app/create-rewind';
import { parseCatalog } from '../src/config/load-catalog';
import { silentLogger } from '../src/observability/logger';
import { SecretScrubber } from '../src/observability/secret-scrubber';
import { QueueSettings } from '../src/queue/queue-settings';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../test/fakes/slack-api';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../test/support/slack-signing';
import { FleetService } from './fleet-service';
import { fleetCatalog, serviceName } from './load';

const RUNS = Number(process.env['BENCH_PIPELINE_RUNS'] ?? 100);

async function rawBullmq(redisUrl: string): Promise<number[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `{raw-${Math.random().toString(36).slice(2, 8)}}`;
  const queue = new Queue('raw', { connection, prefix });
  const started = new Map<string, number>();
  const worker = new Worker('raw', async (job) => void started.set(job.id!, performance.now()), { connection, prefix, concurrency: 1 });
  await worker.waitUntilReady();
  const samples: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const job = await queue.add('job', { i });
      while (!started.has(job.id!)) await new Promise((r) => setImmediate(r));
      samples.push(started.get(job.id!)! - t0);
    }
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
  }
  return samples;
}

async function rewindPipeline(redisUrl: string): Promise<number[]> {
  const fleet = await FleetService.start();
  const slack = await FakeSlack.start();
  const rewind = await createRewind({
    roles: { ingress: true, worker: true },
    loaded: parseCatalog(fleetCatalog(fleet, RUNS), {}),
    redisUrl,
    queue: QueueSettings.parse({ prefix: `{pipe-${Math.random().toString(36).slice(2, 8)}}` }),
    logger: silentLogger(),
    scrubber: new SecretScrubber(),
    http: { port: 0, host: '127.0.0.1' },
    slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      // Wall-clock on both sides: the record's timings are epoch milliseconds.
      const t0 = Date.now();
      const answer = await postToSlackEndpoint(rewind.url!, { body: slashCommandForm({ text: `${serviceName(i)} production --severity critical`, user_id: 'U0PIPE', channel_id: 'C0PIPE', response_url: slack.responseUrl(`pipe-${i}`) }) });
      await answer.arrayBuffer();
      for (;;) {
        const [record] = await rewind.store.list({ service: serviceName(i), limit: 1 });
        if (record?.timings.startedAt !== undefined) {
          samples.push(record.timings.startedAt - t0);
          break;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  } finally {
    await rewind.close();
    await slack.close();
    await fleet.close();
  }
  return samples;
}

export async function pipelineOverhead(redisUrl: string): Promise<{ raw: number[]; rewind: number[] }> {
  return { raw: await rawBullmq(redisUrl), rewind: await rewindPipeline(redisUrl) };
}
