/**
 * `npm run demo` as a newcomer runs it: it brings up Redis, the demo service and the console; the
 * guided rollback (break it, /rollback … --severity critical) completes; Ctrl-C (SIGINT to the
 * process group) stops everything, leaving no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ConsoleEvent } from '../../src/chat/console/console-event';
import { freePort, portInUse } from '../../src/demo/local-redis';
import { openSse } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);
const ROOT = resolve(__dirname, '../..');

describe('npm run demo', () => {
  let demo: ChildProcess | undefined;
  afterAll(() => {
    try {
      if (demo?.pid) process.kill(-demo.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  it('starts everything, completes the guided rollback, and stops cleanly on Ctrl-C', async () => {
    const port = await freePort();
    const servicePort = await freePort();
    demo = spawn('npm', ['run', 'demo'], {
      cwd: ROOT,
      detached: true, // its own process group, like a terminal's foreground job
      env: { ...process.env, PORT: String(port), DEMO_SERVICE_PORT: String(servicePort), REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | string>((done) => demo!.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));

    await waitFor(() => output, (o) => o.includes('Rewind demo is running at'), { timeoutMs: 60_000, what: `the demo banner (output so far: ${output})` });
    const url = /running at (http:\/\/[^\s]+)\/console\//.exec(output)![1]!;
    const redisPort = Number(/Redis at redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(await (await fetch(`${url}/console/`)).text()).toContain('assets/console.js');

    const guide = (await (await fetch(`${url}/console/api/guide`)).json()) as { steps: { id: string; action?: { path: string } }[] };
    const events = await openSse<ConsoleEvent>(`${url}/console/api/events?user=oncall`);
    try {
      const broke = (await (await fetch(`${url}/console/${guide.steps.find((s) => s.id === 'break')!.action!.path}`, { method: 'POST' })).json()) as { ok: boolean; message: string };
      expect(broke.ok).toBe(true);
      expect((await fetch(`http://127.0.0.1:${servicePort}/health`)).status).toBe(503);

      const sent = await fetch(`${url}/console/api/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'oncall', channel: 'incidents', text: '/rollback demo-api production --severity critical', interactionId: 'demo-e2e' }),
      });
      expect(sent.status).toBe(200);
      const summary = await waitFor(() => events.events.find((e) => e.message.kind === 'summary' || e.message.kind === 'failure'), (e) => e !== undefined, { timeoutMs: 30_000, what: 'the rollback summary' });
      expect(summary!.message.kind).toBe('summary');
      expect(JSON.stringify(summary!.message)).toContain('2.3.1');
      expect((await fetch(`http://127.0.0.1:${servicePort}/health`)).status).toBe(200);
    } finally {
      events.close();
    }

    process.kill(-demo.pid!, 'SIGINT');
    // npm itself ends on the signal (as at a terminal); the demo under it shuts down in order.
    expect([0, 'SIGINT']).toContain(await exited);
    await waitFor(() => output, (o) => o.includes('stopped.'), { timeoutMs: 20_000, what: 'the demo to report it stopped' });
    // Nothing left listening: Rewind, the demo service and its private Redis are gone.
    for (const p of [port, servicePort, redisPort]) await waitFor(() => portInUse(p), (used) => !used, { timeoutMs: 10_000, what: `port ${p} to close` });
  });
});
