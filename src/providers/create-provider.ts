/** Builds the DeployProvider a catalog entry names; one case per provider type. */
import type { ProviderConfig } from '../config/catalog-schema';
import type { DeployProvider } from '../domain/ports';
import { BlueGreenProvider } from './bluegreen/bluegreen-provider';
import type { HttpClient } from '../outbound/http-client';

export function createProvider(config: ProviderConfig, deps: { http: HttpClient }): DeployProvider {
  switch (config.type) {
    case 'bluegreen':
      return new BlueGreenProvider(config, deps);
    default: {
      // The catalog schema admits only known types; this keeps the switch exhaustive as types are added.
      const unknown: never = config.type;
      throw new Error(`no provider for type ${String(unknown)}`);
    }
  }
}
