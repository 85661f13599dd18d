/** Builds the Verifier a catalog check names; one case per check type. */
import type { CheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier } from '../domain/ports';
import type { HttpClient } from '../outbound/http-client';
import { CommandVerifier } from './command-verifier';
import { HttpVerifier } from './http-verifier';
import { LighthouseVerifier } from './lighthouse-verifier';
import { PrometheusVerifier } from './prometheus-verifier';
import { SentryVerifier } from './sentry-verifier';
import { VersionVerifier } from './version-verifier';

export function createVerifier(check: CheckConfig, deps: { http: HttpClient; clock: Clock }): Verifier {
  switch (check.type) {
    case 'http':
      return new HttpVerifier(check, deps);
    case 'version':
      return new VersionVerifier(check, deps);
    case 'prometheus':
      return new PrometheusVerifier(check, deps);
    case 'command':
      return new CommandVerifier(check, deps);
    case 'sentry':
      return new SentryVerifier(check, deps);
    case 'lighthouse':
      return new LighthouseVerifier(check, deps);
    default: {
      const unknown: never = check;
      throw new Error(`no verifier for check ${JSON.stringify(unknown)}`);
    }
  }
}
