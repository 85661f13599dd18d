// Placeholder replaced in this same change by the real restorer (issue 12).
import type { PostgresBackupStepConfig } from '../config/catalog-schema';
import type { DatabaseRestorer, RestoreContext, RestorePreview } from '../domain/ports';
import type { RestorePoint } from '../domain/restore-point';

export class PostgresRestorer implements DatabaseRestorer {
  constructor(private readonly step: PostgresBackupStepConfig) {}
  preview(_point: RestorePoint, _signal?: AbortSignal): Promise<RestorePreview> {
    throw new Error(`not built yet (${this.step.dir})`);
  }
  restore(_point: RestorePoint, _context: RestoreContext): Promise<{ detail: string }> {
    throw new Error('not built yet');
  }
}
