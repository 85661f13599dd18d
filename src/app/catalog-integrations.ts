/** Builds each environment's provider and verifiers from the catalog, once, and reuses them. */
import type { Catalog } from '../config/catalog';
import type { Clock, DatabaseRestorer, DeployProvider, IntegrationFactory, MigrationLister, PlanStepRunner, Verifier } from '../domain/ports';
import { CommandStep } from '../plan-steps/command-step';
import { PostgresBackupStep } from '../plan-steps/postgres-backup-step';
import type { HttpClient } from '../outbound/http-client';
import { createProvider } from '../providers/create-provider';
import { catalogPath } from '../providers/provider-site';
import { createVerifier } from '../verifiers/create-verifier';

export class CatalogIntegrations implements IntegrationFactory {
  private readonly providers = new Map<string, DeployProvider>();
  private readonly verifierSets = new Map<string, Verifier[]>();

  constructor(
    private readonly catalog: Catalog,
    private readonly http: HttpClient,
    private readonly clock: Clock,
    /** The environment variables behind catalog values, so provider errors can name the token's. */
    private readonly envReferences: ReadonlyMap<string, string[]> = new Map(),
  ) {}

  provider(service: string, environment: string): DeployProvider {
    const key = `${service}/${environment}`;
    let provider = this.providers.get(key);
    if (!provider) {
      const entry = this.catalog.entry(service, environment);
      const tokenVariable = this.envReferences.get(catalogPath({ service, environment: entry.target.environment }, 'token'))?.[0];
      provider = createProvider(
        entry.config.provider,
        { http: this.http, clock: this.clock },
        { service, environment: entry.target.environment, holdAfterRollback: entry.target.auto.lockAfterRollback, ...(tokenVariable ? { tokenVariable } : {}) },
      );
      this.providers.set(key, provider);
    }
    return provider;
  }

  planStep(service: string, environment: string, name: string): PlanStepRunner {
    const entry = this.catalog.entry(service, environment);
    const [where, index] = name.split('.') as [string, string];
    const step = where === 'before' || where === 'after' ? entry.config.steps[where][Number(index)] : undefined;
    if (!step) throw new Error(`${service} (${environment}) has no plan step ${name}`);
    if (step.type === 'supabase-pitr') throw new Error('supabase-pitr is not wired yet');
    return step.type === 'command' ? new CommandStep(step) : new PostgresBackupStep(step, { service, environment: entry.target.environment });
  }

  restorer(_service: string, _environment: string, _name: string): DatabaseRestorer | undefined {
    return undefined;
  }

  migrations(_service: string, _environment: string): MigrationLister | undefined {
    return undefined;
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
