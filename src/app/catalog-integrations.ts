/** Builds each environment's provider and verifiers from the catalog, once, and reuses them. */
import type { Catalog } from '../config/catalog';
import type { Clock, DeployProvider, IntegrationFactory, Verifier } from '../domain/ports';
import { createProvider } from '../providers/create-provider';
import type { HttpClient } from '../outbound/http-client';
import { createVerifier } from '../verifiers/create-verifier';

export class CatalogIntegrations implements IntegrationFactory {
  private readonly providers = new Map<string, DeployProvider>();
  private readonly verifierSets = new Map<string, Verifier[]>();

  constructor(
    private readonly catalog: Catalog,
    private readonly http: HttpClient,
    private readonly clock: Clock,
  ) {}

  provider(service: string, environment: string): DeployProvider {
    const key = `${service}/${environment}`;
    let provider = this.providers.get(key);
    if (!provider) {
      provider = createProvider(this.catalog.entry(service, environment).config.provider, { http: this.http });
      this.providers.set(key, provider);
    }
    return provider;
  }

  verifiers(service: string, environment: string): Verifier[] {
    const key = `${service}/${environment}`;
    let verifiers = this.verifierSets.get(key);
    if (!verifiers) {
      verifiers = this.catalog.entry(service, environment).config.verify.map((check) => createVerifier(check, { http: this.http, clock: this.clock }));
      this.verifierSets.set(key, verifiers);
    }
    return verifiers;
  }
}
