/**
 * HttpClient against real local servers: which failures it retries (and which it must not, for a
 * request that may have taken effect), how long it waits, and what its errors reveal.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { systemClock } from '../../../src/app/system-clock';
import type { Clock } from '../../../src/domain/ports';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient, type HttpClientOptions } from '../../../src/outbound/http-client';
import { HttpBodyError, HttpTransportError } from '../../../src/outbound/http-errors';

interface TestServer {
  url: string;
  hits: number;
  bodies: string[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function serve(handler: Handler, port = 0): Promise<TestServer> {
  const state = { hits: 0, bodies: [] as string[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.hits++;
      state.bodies.push(Buffer.concat(chunks).toString());
      handler(req, res, state.hits);
    });
  });
  const actual = await listen(server, port);
  return {
    url: `http://127.0.0.1:${actual}`,
    get hits() {
      return state.hits;
    },
    bodies: state.bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Records every wait the client asks for, and waits only a few ms of it. */
function recordingClock(onSleep?: (ms: number) => Promise<void>): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      await onSleep?.(ms);
      await systemClock.sleep(Math.min(ms, 5), signal);
    },
  };
}

function client(clock: Clock = recordingClock(), extra: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ logger: silentLogger(), clock, backoffBaseMs: 5, backoffCapMs: 20, ...extra });
}

function answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

describe('HttpClient', () => {
  const servers: TestServer[] = [];
  const track = (s: TestServer) => (servers.push(s), s);
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  describe('GET (idempotent)', () => {
    it('retries a 503 and returns the answer that follows', async () => {
      const server = track(await serve((_req, res, hit) => (hit < 3 ? answer(res, 503, 'busy') : answer(res, 200, '{"ok":true}'))));
      const response = await client().request({ method: 'GET', url: `${server.url}/status`, retries: 3 });
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ ok: true });
      expect(server.hits).toBe(3);
    });

    it('hands back the last 503 as data once the retries are spent', async () => {
      const server = track(await serve((_req, res) => answer(res, 503, 'still busy')));
      const response = await client().request({ method: 'GET', url: `${server.url}/health`, retries: 2 });
      expect(response.status).toBe(503);
      expect(response.text).toBe('still busy');
      expect(server.hits).toBe(3);
    });

    it('waits as long as a 429 Retry-After in seconds asks', async () => {
      const server = track(await serve((_req, res, hit) => (hit === 1 ? answer(res, 429, '', { 'retry-after': '2' }) : answer(res, 200, 'ok'))));
      const clock = recordingClock();
      const response = await client(clock).request({ method: 'GET', url: server.url, retries: 2 });
      expect(response.status).toBe(200);
      expect(clock.sleeps).toEqual([2000]);
    });

    it('understands Retry-After as an HTTP date, and caps what a server may ask', async () => {
      const at = new Date(Date.now() + 4_000).toUTCString();
      const server = track(
        await serve((_req, res, hit) =>
          hit === 1 ? answer(res, 503, '', { 'retry-after': at }) : hit === 2 ? answer(res, 429, '', { 'retry-after': '3600' }) : answer(res, 200, 'ok'),
        ),
      );
      const clock = recordingClock();
      const response = await client(clock, { retryAfterCapMs: 10_000 }).request({ method: 'GET', url: server.url, retries: 2 });
      expect(response.status).toBe(200);
      expect(clock.sleeps[0]).toBeGreaterThan(2_000);
      expect(clock.sleeps[0]).toBeLessThanOrEqual(4_000);
      expect(clock.sleeps[1]).toBe(10_000);
    });

    it('backs off exponentially between retries', async () => {
      const server = track(await serve((_req, res) => answer(res, 502)));
      const clock = recordingClock();
      await client(clock, { backoffBaseMs: 100, backoffCapMs: 300, random: () => 0.999 }).request({ method: 'GET', url: server.url, retries: 4 });
      // Each step doubles up to the cap (jitter takes at most half a step off).
      expect(clock.sleeps).toHaveLength(4);
      const [a, b, c, d] = clock.sleeps as [number, number, number, number];
      expect(b).toBeGreaterThan(a);
      expect(c).toBeGreaterThan(b);
      expect(d).toBeLessThanOrEqual(300);
    });

    it('retries a timeout and then says which request timed out after how long', async () => {
      const server = track(await serve(() => undefined));
      const error = await client()
        .request({ method: 'GET', url: `${server.url}/deployment/status`, timeoutMs: 50, retries: 1 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpTransportError);
      expect((error as HttpTransportError).kind).toBe('timeout');
      expect((error as Error).message).toBe(`GET ${server.url}/deployment/status timed out after 50 ms`);
      expect(server.hits).toBe(2);
    });
  });

  describe('POST (not idempotent)', () => {
    it('is not retried after a 500: the server may have acted', async () => {
      const server = track(await serve((_req, res) => answer(res, 500, 'oops')));
      const response = await client().request({ method: 'POST', url: server.url, json: { go: true }, retries: 3 });
      expect(response.status).toBe(500);
      expect(server.hits).toBe(1);
      expect(server.bodies[0]).toBe('{"go":true}');
    });

    it('is not retried after a timeout', async () => {
      const server = track(await serve(() => undefined));
      await expect(client().request({ method: 'POST', url: server.url, timeoutMs: 50, retries: 3 })).rejects.toMatchObject({ kind: 'timeout' });
      expect(server.hits).toBe(1);
    });

    it('is retried after a 429: the server refused to act', async () => {
      const server = track(await serve((_req, res, hit) => (hit === 1 ? answer(res, 429, '', { 'retry-after': '0' }) : answer(res, 200, 'done'))));
      const response = await client().request({ method: 'POST', url: server.url, retries: 3 });
      expect(response.status).toBe(200);
      expect(server.hits).toBe(2);
    });

    it('is retried after connection refused: nothing was sent', async () => {
      const port = await freePort();
      let started: TestServer | undefined;
      // The server comes up during the client's first backoff.
      const clock = recordingClock(async () => {
        started ??= track(await serve((_req, res) => answer(res, 201, 'created'), port));
      });
      const response = await client(clock).request({ method: 'POST', url: `http://127.0.0.1:${port}/rollback`, json: { a: 1 }, retries: 2 });
      expect(response.status).toBe(201);
      expect(started?.hits).toBe(1);
    });

    it('may be declared idempotent to get the GET policy', async () => {
      const server = track(await serve((_req, res, hit) => (hit === 1 ? answer(res, 500) : answer(res, 200))));
      const response = await client().request({ method: 'POST', url: server.url, idempotent: true, retries: 1 });
      expect(response.status).toBe(200);
      expect(server.hits).toBe(2);
    });
  });

  it('stops at once when the caller aborts, without another attempt', async () => {
    const controller = new AbortController();
    const server = track(
      await serve((_req, res) => {
        controller.abort(new Error('worker shutting down'));
        answer(res, 503);
      }),
    );
    await expect(client(systemClock).request({ method: 'GET', url: server.url, retries: 5, signal: controller.signal })).rejects.toThrow('worker shutting down');
    expect(server.hits).toBe(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const server = track(await serve((_req, res) => answer(res, 200)));
    await expect(client().request({ method: 'GET', url: server.url, signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
    expect(server.hits).toBe(0);
  });

  it('keeps credentials out of error messages and log lines', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const http = new HttpClient({ logger, clock: recordingClock(), backoffBaseMs: 1 });
    const error = await http
      .request({
        method: 'GET',
        url: `http://admin:hunter2pass@127.0.0.1:${port}/api/v1/query?query=up&access_token=tok-SECRET-123&api_key=key-SECRET-456`,
        headers: { authorization: 'Bearer bearer-SECRET-789' },
        retries: 1,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    const text = `${(error as Error).message} ${JSON.stringify(error)} ${lines.join('')}`;
    for (const secret of ['hunter2pass', 'tok-SECRET-123', 'key-SECRET-456', 'bearer-SECRET-789']) expect(text).not.toContain(secret);
    expect((error as Error).message).toContain('connection refused');
    expect((error as Error).message).toContain('query=up');
    expect((error as HttpTransportError).code).toBe('ECONNREFUSED');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('reports a body that is not JSON as a typed error when asked to parse it', async () => {
    const server = track(await serve((_req, res) => answer(res, 200, '<html>')));
    const response = await client().request({ method: 'GET', url: server.url });
    expect(() => response.json()).toThrow(HttpBodyError);
    expect(response.text).toBe('<html>');
  });
});
