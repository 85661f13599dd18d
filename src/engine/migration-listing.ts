/**
 * Which migrations ran since the target release, as the catalog's lister reads them, merged into the
 * provider's preview. A listing that fails or hangs is reported in the preview; it never blocks a request.
 */
import { describeError } from '../domain/errors';
import type { MigrationLister, ResolvedTarget } from '../domain/ports';
import { ChangePreview, releaseLabel, type Migration, type Release } from '../domain/release';
import type { EngineDeps } from './engine-deps';

/** What the catalog's migration lister found, or why it could not tell. */
/** The provider's preview of a change, or why it has none. */
export interface DescribedChange {
  preview?: ChangePreview;
  previewError?: string;
}

export interface MigrationListing {
  check: NonNullable<ChangePreview['migrationCheck']>;
  migrations: Migration[];
}

/** A bound on the whole listing while the requester waits; each lister also has its own catalog timeout. */
const MIGRATION_LISTING_MS = 60_000;

/** Migrations since the target as the catalog's lister reads them; a failure is reported in the preview, never thrown. */
export async function listMigrations(deps: EngineDeps, target: ResolvedTarget, to: Release): Promise<MigrationListing | undefined> {
  let lister: MigrationLister | undefined;
  try {
    lister = deps.integrations.migrations(target.service, target.environment);
    if (!lister) return undefined;
    const signal = AbortSignal.timeout(MIGRATION_LISTING_MS);
    // Raced as well as passed on: a lister that ignores its signal still cannot hold the request up.
    const migrations = await Promise.race([lister.since(to, signal), rejectOnAbort(signal)]);
    return { check: { source: lister.source, upOnly: lister.upOnly }, migrations };
  } catch (error) {
    const reason = error instanceof DOMException && error.name === 'TimeoutError' ? `no answer within ${MIGRATION_LISTING_MS / 1000} s` : describeError(error);
    deps.logger.warn({ service: target.service, environment: target.environment, source: lister?.source, error: reason }, 'listing migrations failed');
    return { check: { source: lister?.source ?? "the catalog's migrations", upOnly: lister?.upOnly ?? false, error: reason }, migrations: [] };
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

/**
 * The provider's preview with the lister's migrations added (one entry per id, irreversible if either
 * says so). When the provider could not describe the change, listed migrations still make a preview.
 */
export function withMigrations(described: DescribedChange, listed: MigrationListing | undefined, to: Release): DescribedChange {
  if (!listed) return described;
  if (described.preview) {
    return { preview: { ...described.preview, migrations: mergeMigrations(described.preview.migrations, listed.migrations), migrationCheck: listed.check } };
  }
  if (listed.check.error) return { previewError: `${described.previewError ?? 'No preview'}; migrations since ${releaseLabel(to)} are unknown too: ${listed.check.error}` };
  return { ...described, preview: ChangePreview.parse({ migrations: listed.migrations, migrationCheck: listed.check }) };
}

export function mergeMigrations(fromProvider: readonly Migration[], fromLister: readonly Migration[]): Migration[] {
  const byId = new Map<string, Migration>();
  for (const migration of [...fromProvider, ...fromLister]) {
    const seen = byId.get(migration.id);
    byId.set(migration.id, { id: migration.id, irreversible: migration.irreversible || (seen?.irreversible ?? false) });
  }
  return [...byId.values()];
}

