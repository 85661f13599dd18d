// Placeholder replaced in this same change by the real lister (issue 12).
import type { SupabaseMigrationsConfig } from '../config/catalog-schema';
import type { MigrationLister } from '../domain/ports';
import type { Migration, Release } from '../domain/release';

export class SupabaseMigrations implements MigrationLister {
  readonly source = 'supabase_migrations.schema_migrations';
  readonly upOnly = true;
  constructor(private readonly config: SupabaseMigrationsConfig) {}
  since(_target: Release, _signal?: AbortSignal): Promise<Migration[]> {
    throw new Error(`not built yet (${this.config.type})`);
  }
}
