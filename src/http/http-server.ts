/** One node:http server for every route (health, API, chat, hooks): body limits, JSON replies, no internals leaked. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger';
import type { HttpResponse } from '../inbound/route';
import type { Router } from './router';

const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * A body over the limit is read to its end and dropped, so the client, still sending, reads the 413
 * instead of a reset; past this much, the connection is cut instead (nobody gets to stream forever).
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** `drained`: the whole body was read, so the 413 reaches the client; otherwise the connection is cut. */
class BodyTooLarge extends Error {
  constructor(readonly drained: boolean) {
    super('body too large');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT_BYTES) {
      reject(new BodyTooLarge(false));
      return;
    }
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) {
        reject(new BodyTooLarge(false));
        req.destroy();
      } else if (size > BODY_LIMIT_BYTES) chunks = [];
      else chunks.push(chunk);
    });
    req.on('end', () => (size > BODY_LIMIT_BYTES ? reject(new BodyTooLarge(true)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  if (response.stream) {
    res.writeHead(response.status, headers);
    response.stream(res);
    return;
  }
  let payload: string | Buffer | undefined;
  if (response.body === undefined) payload = undefined;
  else if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) payload = response.body;
  else {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function createHttpServer(router: Router, logger: Logger): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const match = router.match(method, url.pathname);
      if (match === undefined) return send(res, { status: 404, body: { error: `no route for ${method} ${url.pathname}` } });
      if (match === 'method_not_allowed') return send(res, { status: 405, body: { error: `${method} is not allowed on ${url.pathname}` } });
      let rawBody: Buffer;
      try {
        rawBody = await readBody(req);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          send(res, { status: 413, headers: { connection: 'close' }, body: { error: `body larger than ${BODY_LIMIT_BYTES} bytes` } });
          if (!error.drained) res.once('finish', () => req.socket.destroy());
          return;
        }
        throw error;
      }
      const response = await match.handler({ method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, params: match.params });
      send(res, response);
    })().catch((error: unknown) => {
      logger.error({ err: error, method: req.method, path: req.url?.split('?')[0] }, 'http handler failed');
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error; see the server logs' } });
      else res.destroy();
    });
  });
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shownHost}:${address.port}`;
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
