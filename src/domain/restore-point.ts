/**
 * What a plan step keeps so the database can be put back on request: a pg_dump file, or the moment
 * a Supabase point-in-time restore would return to. Restores are never automatic (seed 003:
 * "restore if needed"); a person asks for one and an approver agrees.
 */
import { z } from 'zod';

export const PostgresDumpPoint = z.object({
  kind: z.literal('postgres-dump'),
  /** The database's name (never its URL: that holds the password). */
  database: z.string(),
  schemas: z.array(z.string()).optional(),
  file: z.string(),
  takenAt: z.number(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const SupabasePitrPoint = z.object({
  kind: z.literal('supabase-pitr'),
  project: z.string(),
  /** Unix seconds the database would be returned to: just before the rollback changed anything. */
  recoveryTimeUnix: z.number().int().positive(),
  takenAt: z.number(),
});

export const RestorePoint = z.discriminatedUnion('kind', [PostgresDumpPoint, SupabasePitrPoint]);
export type RestorePoint = z.infer<typeof RestorePoint>;
export type PostgresDumpPoint = z.infer<typeof PostgresDumpPoint>;
export type SupabasePitrPoint = z.infer<typeof SupabasePitrPoint>;

/** The moment a restore returns the database to, in ms. */
export function restoreMoment(point: RestorePoint): number {
  return point.kind === 'postgres-dump' ? point.takenAt : point.recoveryTimeUnix * 1000;
}
