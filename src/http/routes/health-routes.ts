/** Liveness (the process answers) and readiness (catalog loaded, Redis reachable). */
import type { Route } from '../../inbound/route';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export function healthRoutes(checks: readonly ReadinessCheck[]): Route[] {
  return [
    { method: 'GET', path: '/healthz', handler: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async () => {
        const results = await Promise.all(
          checks.map(async ({ name, check }) => {
            try {
              await check();
              return { name, ok: true };
            } catch (error) {
              return { name, ok: false, error: error instanceof Error ? error.message : String(error) };
            }
          }),
        );
        const ready = results.every((r) => r.ok);
        return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not ready', checks: results } };
      },
    },
  ];
}
