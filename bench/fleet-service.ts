/**
 * Many blue/green services behind one HTTP server, for the load bench: `/<name>/deployment/status`,
 * `/<name>/deployment/rollback` and `/<name>/health` answer in seed 004's shape, instantly, each
 * service with its own state. Green 2.4.1 is live and blue 2.4.0 idle until a rollback switches.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface ServiceState {
  live: 'blue' | 'green';
  history: { version: string; environment: 'blue' | 'green'; deployedAt: string; status: string; action: string }[];
  switches: number;
}

const VERSION = { blue: '2.4.0', green: '2.4.1' } as const;

export class FleetService {
  private readonly services = new Map<string, ServiceState>();
  /** Every request answered, by kind. */
  readonly counts = { status: 0, rollback: 0, health: 0 };

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FleetService> {
    const server = createServer();
    const fleet = new FleetService(server);
    server.on('request', (req, res) => {
      const [, name, ...rest] = (req.url ?? '/').split('?')[0]!.split('/');
      const route = `${req.method} /${rest.join('/')}`;
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      req.resume();
      req.on('end', () => {
        const state = fleet.state(name ?? '');
        const version = VERSION[state.live];
        switch (route) {
          case 'GET /deployment/status':
            fleet.counts.status++;
            return send(200, { currentEnvironment: state.live, currentVersion: version, deploymentHistory: state.history });
          case 'POST /deployment/rollback': {
            fleet.counts.rollback++;
            state.live = state.live === 'green' ? 'blue' : 'green';
            state.switches++;
            state.history.push({ version: VERSION[state.live], environment: state.live, deployedAt: new Date().toISOString(), status: 'succeeded', action: 'rollback' });
            return send(200, { success: true, currentEnvironment: state.live, currentVersion: VERSION[state.live] });
          }
          case 'GET /health':
            fleet.counts.health++;
            return send(200, { health: 'healthy', version });
          default:
            return send(404, { error: `no route ${route}` });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fleet;
  }

  url(name: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${name}`;
  }

  /** How many services switched exactly once, and how many more than once. */
  switchTally(): { once: number; more: number } {
    const values = [...this.services.values()];
    return { once: values.filter((s) => s.switches === 1).length, more: values.filter((s) => s.switches > 1).length };
  }

  private state(name: string): ServiceState {
    let state = this.services.get(name);
    if (!state) {
      const day = new Date(Date.now() - 86_400_000).toISOString();
      const hour = new Date(Date.now() - 3_600_000).toISOString();
      state = {
        live: 'green',
        switches: 0,
        history: [
          { version: VERSION.blue, environment: 'blue', deployedAt: day, status: 'succeeded', action: 'deploy' },
          { version: VERSION.green, environment: 'green', deployedAt: hour, status: 'succeeded', action: 'deploy' },
        ],
      };
      this.services.set(name, state);
    }
    return state;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
