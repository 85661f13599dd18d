/**
 * What every provider is built with: the outbound HTTP client and clock it uses, and where in the
 * catalog it sits, so its errors can name the service, the environment and the variable that holds
 * its token.
 */
import type { Clock } from '../domain/ports';
import type { HttpClient } from '../outbound/http-client';

export interface ProviderDeps {
  http: HttpClient;
  clock: Clock;
}

export interface ProviderSite {
  service: string;
  environment: string;
  /** The environment variable the token came from (`RENDER_API_KEY`), when it came from one. */
  tokenVariable?: string;
  /** Hold the platform's own automation (Render auto-deploy) after a rollback, until unlock. */
  holdAfterRollback: boolean;
}

/** `services.web.environments.production.provider.<field>`: where a person fixes a setting. */
export function catalogPath(site: Pick<ProviderSite, 'service' | 'environment'>, field: string): string {
  return `services.${site.service}.environments.${site.environment}.provider.${field}`;
}

/** "the token in RENDER_API_KEY (services.web.environments.production.provider.token)". */
export function tokenHint(site: ProviderSite): string {
  const path = catalogPath(site, 'token');
  return site.tokenVariable ? `the token in ${site.tokenVariable} (${path})` : `the token at ${path}`;
}
