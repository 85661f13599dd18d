// Placeholder replaced in this same change by the real step (issue 12).
import type { SupabasePitrStepConfig } from '../config/catalog-schema';
import type { Clock, PlanStepContext, PlanStepOutcome, PlanStepRunner } from '../domain/ports';
import type { HttpClient } from '../outbound/http-client';

export class SupabasePitrStep implements PlanStepRunner {
  constructor(
    private readonly step: SupabasePitrStepConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {}
  run(_context: PlanStepContext): Promise<PlanStepOutcome> {
    throw new Error(`not built yet (${this.step.project}, ${typeof this.deps})`);
  }
}
