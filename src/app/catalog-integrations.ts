/** Builds each environment's provider and verifiers from the catalog, once, and reuses them. */
import type { Catalog } from '../config/catalog';
import type { Clock, DatabaseRestorer, DeployProvider, IntegrationFactory, MigrationLister, PlanStepRunner, Verifier } from '../domain/ports';
import type { PlanStepConfig } from '../config/catalog-schema';
import { CommandMigrations } from '../database/command-migrations';
import { PostgresRestorer } from '../database/postgres-restorer';
import { SupabaseMigrations } from '../database/supabase-migrations';
import { SupabasePitrRestorer } from '../database/supabase-pitr-restorer';
import { CommandStep } from '../plan-steps/command-step';
import { SupabasePitrStep } from '../database/supabase-pitr-step';
import { PostgresBackupStep } from '../database/postgres-backup-step';
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

  private stepConfig(service: string, environment: string, name: string): PlanStepConfig {
    const entry = this.catalog.entry(service, environment);
    const [where, index] = name.split('.') as [string, string];
    const step = where === 'before' || where === 'after' ? entry.config.steps[where][Number(index)] : undefined;
    if (!step) throw new Error(`${service} (${environment}) has no plan step ${name}`);
    return step;
  }

  planStep(service: string, environment: string, name: string): PlanStepRunner {
    const step = this.stepConfig(service, environment, name);
    switch (step.type) {
      case 'command':
        return new CommandStep(step);
      case 'postgres-backup':
        return new PostgresBackupStep(step, { service, environment: this.catalog.entry(service, environment).target.environment }, this.clock);
      case 'supabase-pitr':
        return new SupabasePitrStep(step, { http: this.http, clock: this.clock });
    }
  }

  restorer(service: string, environment: string, name: string): DatabaseRestorer | undefined {
    const step = this.stepConfig(service, environment, name);
    switch (step.type) {
      case 'command':
        return undefined;
      case 'postgres-backup':
        return new PostgresRestorer(step);
      case 'supabase-pitr':
        return new SupabasePitrRestorer(step, { http: this.http, clock: this.clock });
    }
  }

  migrations(service: string, environment: string): MigrationLister | undefined {
    const config = this.catalog.entry(service, environment).config.migrations;
    if (!config) return undefined;
    return config.type === 'supabase' ? new SupabaseMigrations(config) : new CommandMigrations(config);
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
