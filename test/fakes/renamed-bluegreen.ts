/**
 * A blue/green service that names everything differently from seed 004, for the catalog's field
 * map: it fronts a real demo service and renames its status (`GET /api/v2/bg`), its switch
 * (`POST /api/v2/bg/flip`, answering only `{ "accepted": true }`) and its health (`GET /healthz`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BlueGreenService } from '../../src/demo/bluegreen-service';

interface DemoEntry {
  version: string;
  environment: string;
  deployedAt: string;
  action: string;
  status: string;
}

/** The field map that reads this service, as a catalog would write it. */
export const RENAMED_PROVIDER = {
  endpoints: { status: '/api/v2/bg', rollback: '/api/v2/bg/flip', health: '/healthz' },
  status: {
    currentEnvironment: 'traffic.color',
    currentVersion: 'traffic.release',
    history: 'log',
    entry: { version: 'release', environment: 'slot', deployedAt: 'at', status: 'result', action: 'kind' },
  },
};

export class RenamedBlueGreen {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(behind: BlueGreenService): Promise<RenamedBlueGreen> {
    const server = createServer((req, res) => void handle(behind, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RenamedBlueGreen(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(behind: BlueGreenService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const route = `${req.method} ${req.url}`;
  if (route === 'GET /api/v2/bg') {
    const status = behind.status();
    const log = (status['deploymentHistory'] as DemoEntry[]).map((h) => ({ slot: h.environment, release: h.version, at: h.deployedAt, result: h.status, kind: h.action }));
    return send(200, { traffic: { color: status['currentEnvironment'], release: status['currentVersion'] }, log });
  }
  if (route === 'POST /api/v2/bg/flip') {
    const key = req.headers['idempotency-key'];
    const answer = await fetch(`${behind.url}/deployment/rollback`, { method: 'POST', headers: typeof key === 'string' ? { 'idempotency-key': key } : {} });
    return send(answer.ok ? 202 : answer.status, { accepted: answer.ok });
  }
  if (route === 'GET /healthz') {
    const answer = await fetch(`${behind.url}/health`);
    return send(answer.status, await answer.json());
  }
  return send(404, { error: `no route ${route}` });
}
