/**
 * Which Supabase migrations ran since a release, read from the CLI's history table
 * `supabase_migrations.schema_migrations`. Supabase migrations are up-only: a code rollback leaves them applied.
 *
 * The table keeps no time of application, only each migration's version: the UTC time its file was
 * created. "Since the release" therefore means "created after it was deployed": a migration written
 * earlier but pushed later is missed, a limit of the history table, not of this reading.
 */
import { z } from 'zod';
import type { SupabaseMigrationsConfig } from '../config/catalog-schema';
import type { MigrationLister } from '../domain/ports';
import { releaseLabel, type Migration, type Release } from '../domain/release';
import { SecretScrubber } from '../observability/secret-scrubber';
import { describePostgresError, withPostgres, type Query } from './postgres-session';

const SCHEMA = 'supabase_migrations';
const TABLE = 'schema_migrations';
/** How many of the newest migrations an undated target's error names, so people can judge for themselves. */
const NEWEST_SHOWN = 5;
/** More than this since one release is a history, not a deploy's worth; the preview shows a handful anyway. */
const MAX_LISTED = 200;

const Row = z.object({ version: z.string(), name: z.string().nullish() });
const Exists = z.object({ found: z.boolean() });

export class SupabaseMigrations implements MigrationLister {
  readonly source = `${SCHEMA}.${TABLE}`;
  readonly upOnly = true;
  private readonly scrubber: SecretScrubber;

  constructor(private readonly config: SupabaseMigrationsConfig) {
    this.scrubber = new SecretScrubber([config.database, passwordOf(config.database)]);
  }

  async since(target: Release, signal?: AbortSignal): Promise<Migration[]> {
    try {
      return await withPostgres(this.config.database, { timeoutMs: this.config.timeout, signal }, (query) => this.read(query, target));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = error instanceof ListingError ? error.message : `${this.source} could not be read: ${describePostgresError(error)}; check migrations.database in the catalog`;
      throw new Error(this.scrubber.scrub(reason), { cause: error });
    }
  }

  private async read(query: Query, target: Release): Promise<Migration[]> {
    await this.requireTable(query);
    const label = await this.labelExpression(query);
    const after = supabaseVersionAt(target.deployedAt);
    if (after === undefined) {
      const newest = await query(`select version, ${label} as name from ${this.source} order by version desc limit ${NEWEST_SHOWN}`);
      throw undatedTarget(target, newest.map((row) => migrationOf(Row.parse(row)).id));
    }
    // Versions are the CLI's UTC timestamps (YYYYMMDDHHMMSS), so text order is time order.
    const rows = await query(`select version, ${label} as name from ${this.source} where version > $1 order by version limit ${MAX_LISTED + 1}`, [after]);
    if (rows.length > MAX_LISTED) {
      throw new ListingError(`more than ${MAX_LISTED} migrations in ${this.source} are newer than ${releaseLabel(target)}'s deploy time (${target.deployedAt}); check that migrations.database in the catalog is this environment's database`);
    }
    return rows.map((row) => migrationOf(Row.parse(row)));
  }

  private async requireTable(query: Query): Promise<void> {
    const [row] = await query(`select to_regclass($1) is not null as found`, [this.source]);
    if (!Exists.parse(row).found) {
      throw new ListingError(
        `${this.source} does not exist: this database has no Supabase migration history. Check that the catalog's migrations.database is the Supabase ` +
          "project's database (session pooler or direct connection), or remove migrations from the catalog if it does not use Supabase migrations",
      );
    }
  }

  /** Older CLIs kept only the version; newer ones add the file's name. */
  private async labelExpression(query: Query): Promise<string> {
    const [row] = await query(`select exists (select 1 from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = 'name') as found`, [SCHEMA, TABLE]);
    return Exists.parse(row).found ? 'name' : 'null::text';
  }
}

/** `20261120140200` for 2026-11-20T14:02:00Z, the way `supabase migration new` names a migration; undefined when unknown. */
function supabaseVersionAt(deployedAt: string | undefined): string | undefined {
  const ms = deployedAt ? Date.parse(deployedAt) : NaN;
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14);
}

function migrationOf(row: z.infer<typeof Row>): Migration {
  return { id: row.name ? `${row.version}_${row.name}` : row.version, irreversible: true };
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** A reason this lister worked out itself, already written for people (not a PostgreSQL error). */
class ListingError extends Error {}

/** Without the target's deploy time nobody can tell which migrations came after it: say so, and name the newest. */
function undatedTarget(target: Release, newest: readonly string[]): ListingError {
  const shown = newest.length ? `; the newest applied are ${newest.join(', ')}: check which of them came after it` : `; ${SCHEMA}.${TABLE} is empty`;
  return new ListingError(`the provider does not say when ${releaseLabel(target)} was deployed, so which migrations ran since it is unknown${shown}`);
}
