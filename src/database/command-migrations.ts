// Placeholder replaced in this same change by the real lister (issue 12).
import type { CommandMigrationsConfig } from '../config/catalog-schema';
import type { MigrationLister } from '../domain/ports';
import type { Migration, Release } from '../domain/release';

export class CommandMigrations implements MigrationLister {
  readonly source: string;
  readonly upOnly: boolean;
  constructor(private readonly config: CommandMigrationsConfig) {
    this.source = config.run.join(' ');
    this.upOnly = config.upOnly;
  }
  since(_target: Release, _signal?: AbortSignal): Promise<Migration[]> {
    throw new Error(`not built yet (${this.config.type})`);
  }
}
