/**
 * Ingress idle RSS: `rewind ingress` alone (Slack in HTTP mode, one service), its resident memory
 * after it has been ready and idle for a few seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../test/fakes/slack-api';
import { SIGNING_SECRET } from '../test/support/slack-signing';
import { rssMb, startRewindProcess, stopRewindProcess } from './rewind-process';

const IDLE_MS = 5_000;

export async function ingressIdleRssMb(redisUrl: string): Promise<number> {
  const slack = await FakeSlack.start();
  const dir = mkdtempSync(join(tmpdir(), 'rewind-idle-'));
  writeFileSync(
    join(dir, 'rewind.yaml'),
    'services:\n  checkout-api:\n    environments:\n      production:\n        channels: { slack: C0IDLE }\n        provider: { type: bluegreen, baseUrl: http://127.0.0.1:9 }\ndefaults:\n  approvals: { high: { required: 0 }, medium: { required: 0 } }\n',
  );
  const ingress = await startRewindProcess('ingress', {
    REWIND_CONFIG: join(dir, 'rewind.yaml'),
    REDIS_URL: redisUrl,
    REWIND_REDIS_PREFIX: `{idle-${Math.random().toString(36).slice(2, 8)}}`,
    PORT: '0',
    HOST: '127.0.0.1',
    SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_MODE: 'http',
    SLACK_API_URL: slack.apiUrl,
  });
  try {
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return rssMb(ingress.child.pid!, 'now');
  } finally {
    await stopRewindProcess(ingress);
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
