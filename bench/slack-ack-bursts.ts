/**
 * Slack ack latency under bursts: 10 bursts of 100 signed `/rollback` commands sent at once, to
 * Rewind (`rewind start`, each command a real critical rollback, so later bursts land while earlier
 * rollbacks run) and to a bare Bolt app of the same version whose handler only acks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../test/fakes/slack-api';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../test/support/slack-signing';
import { FleetService } from './fleet-service';
import { fleetCatalog, serviceName } from './load';
import { benchEnv, startRewindProcess, stopRewindProcess } from './rewind-process';

const BURSTS = 10;
const BURST = 100;

async function burst(url: string, first: number, slack: FakeSlack): Promise<number[]> {
  return Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const n = first + i;
      const t0 = performance.now();
      const answer = await postToSlackEndpoint(url, { body: slashCommandForm({ text: `${serviceName(n)} production --severity critical --reason burst`, user_id: 'U0BURST', channel_id: `C${String(n).padStart(6, '0')}`, response_url: slack.responseUrl(`burst-${n}`) }) });
      await answer.arrayBuffer();
      return performance.now() - t0;
    }),
  );
}

async function startBareBolt(slackApiUrl: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', resolve(__dirname, 'bare-bolt-main.ts')], { env: { PATH: process.env['PATH'] ?? '', SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slackApiUrl }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done, fail) => {
    let output = '';
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\S+)/.exec(output);
      if (match) done(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`bare Bolt exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

export async function ackUnderBursts(redisUrl: string): Promise<{ rewind: number[]; bolt: number[] }> {
  const fleet = await FleetService.start();
  const slack = await FakeSlack.start();
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bursts-'));
  writeFileSync(join(dir, 'rewind.yaml'), fleetCatalog(fleet, BURSTS * BURST));
  const rewind = await startRewindProcess('start', {
    ...benchEnv(join(dir, 'rewind.yaml'), redisUrl, slack.apiUrl, 'bursts'),
  });
  const bolt = await startBareBolt(slack.apiUrl);
  try {
    const samples = { rewind: [] as number[], bolt: [] as number[] };
    for (let b = 0; b < BURSTS; b++) {
      samples.rewind.push(...(await burst(rewind.url!, b * BURST, slack)));
      samples.bolt.push(...(await burst(bolt.url, b * BURST, slack)));
      await new Promise((r) => setTimeout(r, 200));
    }
    return samples;
  } finally {
    bolt.stop();
    await stopRewindProcess(rewind);
    await slack.close();
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
