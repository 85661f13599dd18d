/**
 * `GET /metrics` for Prometheus. Unauthenticated, as scrapers expect on an internal port: it carries
 * counts and durations labelled with catalog names only, never a secret or user text.
 */
import type { Route } from '../../inbound/route';

export interface MetricsSource {
  exposition(): Promise<{ contentType: string; body: string }>;
}

export function metricsRoutes(source: MetricsSource): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      handler: async () => {
        const { contentType, body } = await source.exposition();
        return { status: 200, headers: { 'content-type': contentType }, body };
      },
    },
  ];
}
