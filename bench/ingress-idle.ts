/**
 * Ingress idle RSS: `rewind ingress` alone (Slack in HTTP mode, one service), its resident memory
 * after it has been ready and idle for a few seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from '../test/fakes/slack-api';
import { benchEnv, rssMb, startRewindProcess, stopRewindProcess } from './rewind-process';

const IDLE_MS = 5_000;

export async function ingressIdleRssMb(redisUrl: string): Promise<number> {
  const slack = await FakeSlack.start();
  const dir = mkdtempSync(join(tmpdir(), 'rewind-idle-'));
  writeFileSync(
    join(dir, 'rewind.yaml'),
    'services:\n  checkout-api:\n    environments:\n      production:\n        channels: { slack: C0IDLE }\n        provider: { type: bluegreen, baseUrl: http://127.0.0.1:9 }\ndefaults:\n  approvals: { high: { required: 0 }, medium: { required: 0 } }\n',
  );
  const ingress = await startRewindProcess('ingress', {
    ...benchEnv(join(dir, 'rewind.yaml'), redisUrl, slack.apiUrl, 'idle'),
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
