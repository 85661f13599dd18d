/**
 * `npm run demo` as a newcomer runs it: it brings up Redis, the demo services and the console; the
 * guided rollbacks (break it, /rollback … --severity critical) complete for the blue/green service
 * and for the Render-style one; Ctrl-C (SIGINT to the
 * process group) stops everything, leaving no process behind. Every step is bounded and a failure
 * reports the step and the demo's own output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ConsoleEvent } from '../../src/chat/console/console-event';
import { freePort, portInUse } from '../../src/demo/local-redis';
import { openSse } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);
const ROOT = resolve(__dirname, '../..');
const STEP_MS = 15_000;

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
    const renderPort = await freePort();
    demo = spawn('npm', ['run', 'demo'], {
      cwd: ROOT,
      detached: true, // its own process group, like a terminal's foreground job
      env: { ...process.env, PORT: String(port), DEMO_SERVICE_PORT: String(servicePort), DEMO_RENDER_PORT: String(renderPort), REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stage = 'starting';
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | string>((done) => demo!.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
    const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(STEP_MS) });

    try {
      await waitFor(() => output, (o) => o.includes('Rewind demo is running at'), { timeoutMs: 120_000, what: 'the demo banner' });
      const url = /running at (http:\/\/[^\s]+)\/console\//.exec(output)![1]!;
      const redisPort = Number(/Redis at redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      stage = 'page';
      expect(await (await get(`${url}/console/`)).text()).toContain('assets/console.js');

      stage = 'guide';
      const guide = (await (await get(`${url}/console/api/guide`)).json()) as { steps: { id: string; action?: { path: string } }[] };
      const events = await openSse<ConsoleEvent>(`${url}/console/api/events?user=oncall`);
      try {
        stage = 'break it';
        const broke = (await (await get(`${url}/console/${guide.steps.find((s) => s.id === 'break')!.action!.path}`, { method: 'POST' })).json()) as { ok: boolean };
        expect(broke.ok).toBe(true);
        expect((await get(`http://127.0.0.1:${servicePort}/health`)).status).toBe(503);

        stage = 'roll back';
        const sent = await get(`${url}/console/api/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'oncall', channel: 'incidents', text: '/rollback demo-api production --severity critical', interactionId: 'demo-e2e' }),
        });
        expect(sent.status).toBe(200);
        const summary = await waitFor(() => events.events.find((e) => e.message.kind === 'summary' || e.message.kind === 'failure'), (e) => e !== undefined, { timeoutMs: 60_000, what: 'the rollback summary' });
        expect(summary!.message.kind).toBe('summary');
        expect(JSON.stringify(summary!.message)).toContain('2.3.1');
        expect((await get(`http://127.0.0.1:${servicePort}/health`)).status).toBe(200);

        stage = 'render: break it';
        const brokeWeb = (await (await get(`${url}/console/${guide.steps.find((s) => s.id === 'render')!.action!.path}`, { method: 'POST' })).json()) as { ok: boolean };
        expect(brokeWeb.ok).toBe(true);
        expect((await get(`http://127.0.0.1:${renderPort}/app/health`)).status).toBe(503);

        stage = 'render: roll back';
        await get(`${url}/console/api/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'oncall', channel: 'incidents', text: '/rollback demo-web production --severity critical', interactionId: 'demo-e2e-render' }),
        });
        const webSummary = await waitFor(
          () => events.events.find((e) => (e.message.kind === 'summary' || e.message.kind === 'failure') && JSON.stringify(e.message).includes('demo-web')),
          (e) => e !== undefined,
          { timeoutMs: 60_000, what: 'the demo-web rollback summary' },
        );
        expect(webSummary!.message.kind).toBe('summary');
        expect(JSON.stringify(webSummary!.message)).toContain('auto-deploy is off on Render');
        expect((await get(`http://127.0.0.1:${renderPort}/app/health`)).status).toBe(200);
      } finally {
        events.close();
      }

      stage = 'Ctrl-C';
      process.kill(-demo.pid!, 'SIGINT');
      // npm itself ends on the signal (as at a terminal); the demo under it shuts down in order.
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running'), 60_000)))]);
      clearTimeout(timer);
      expect(ended).not.toBe('still running');
      expect([0, 'SIGINT']).toContain(ended);
      await waitFor(() => output, (o) => o.includes('stopped.'), { timeoutMs: 60_000, what: 'the demo to report it stopped' });
      // Nothing left listening: Rewind, the demo service and its private Redis are gone.
      for (const p of [port, servicePort, renderPort, redisPort]) await waitFor(() => portInUse(p), (used) => !used, { timeoutMs: 15_000, what: `port ${p} to close` });
    } catch (error) {
      throw new Error(`demo e2e failed at "${stage}": ${error instanceof Error ? error.message : String(error)}\n--- demo output ---\n${output}`, { cause: error });
    }
  });
});
