/**
 * The plumbing a local HTTP fake of a platform needs and nothing of any platform: a real node:http
 * server on 127.0.0.1 (random port) that hands each request, body read whole, to one handler and
 * writes its answer; a queue of programmed failures; and a close that also drops keep-alive sockets,
 * so a client's pooled connection cannot keep a test run open.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The raw body as UTF-8 text ('' when none). */
  body: string;
}

export interface FakeAnswer {
  status: number;
  /** A string is sent as it is (say its content-type in `headers`); anything else as JSON; nothing: an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** No HTTP answer at all: `hang` keeps the request open until the fake closes; `reset` drops the connection. */
export type NoAnswer = { noAnswer: 'hang' | 'reset' };

export type FakeHandler = (request: FakeRequest) => FakeAnswer | NoAnswer | Promise<FakeAnswer | NoAnswer>;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function write(res: ServerResponse, { status, body, headers }: FakeAnswer): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

export class HttpFakeServer {
  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:PORT`, no trailing slash. */
    readonly base: string,
  ) {}

  /** Listens on a free port of 127.0.0.1; a handler that throws answers 500 with the error as text. */
  static async listen(name: string, handler: FakeHandler): Promise<HttpFakeServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      readBody(req)
        .then((body) => handler({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', base), headers: req.headers, body }))
        .then(
          (answer) => {
            if (!('noAnswer' in answer)) write(res, answer);
            else if (answer.noAnswer === 'reset') req.socket.destroy();
          },
          (error: unknown) => write(res, { status: 500, body: `${name} failed: ${String(error)}` }),
        );
    });
    return new HttpFakeServer(server, base);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Programmed failures, each for its next `count` (default 1) matching requests, oldest programmed first. */
export class FailureQueue<F extends { count?: number }> {
  private readonly queued: { key: string; failure: F; remaining: number }[] = [];

  add(key: string, failure: F): void {
    this.queued.push({ key, failure, remaining: failure.count ?? 1 });
  }

  /** The failure a request should get now (using one of its uses), if one was programmed for a key it matches. */
  take(matches: (key: string) => boolean): F | undefined {
    const index = this.queued.findIndex((entry) => matches(entry.key));
    const entry = this.queued[index];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.failure;
  }
}
