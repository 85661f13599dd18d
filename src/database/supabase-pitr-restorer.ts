// Placeholder replaced in this same change by the real restorer (issue 12).
import type { SupabasePitrStepConfig } from '../config/catalog-schema';
import type { Clock, DatabaseRestorer, RestoreContext, RestorePreview } from '../domain/ports';
import type { RestorePoint } from '../domain/restore-point';
import type { HttpClient } from '../outbound/http-client';

export class SupabasePitrRestorer implements DatabaseRestorer {
  constructor(
    private readonly step: SupabasePitrStepConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {}
  preview(_point: RestorePoint, _signal?: AbortSignal): Promise<RestorePreview> {
    throw new Error(`not built yet (${this.step.project}, ${typeof this.deps})`);
  }
  restore(_point: RestorePoint, _context: RestoreContext): Promise<{ detail: string }> {
    throw new Error('not built yet');
  }
}
