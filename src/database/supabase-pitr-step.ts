/**
 * The `supabase-pitr` plan step: before the rollback changes anything, notes the moment a Supabase
 * point-in-time restore would return the database to, after checking that PITR is on so a restore
 * on request could happen. It never restores anything itself.
 */
import type { SupabasePitrStepConfig } from '../config/catalog-schema';
import type { Clock, PlanStepContext, PlanStepOutcome, PlanStepRunner } from '../domain/ports';
import type { SupabasePitrPoint } from '../domain/restore-point';
import { SupabaseManagementApi, utcOf } from './supabase-management-api';
import type { HttpClient } from '../outbound/http-client';

export class SupabasePitrStep implements PlanStepRunner {
  private readonly api: SupabaseManagementApi;

  constructor(
    private readonly step: SupabasePitrStepConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.api = new SupabaseManagementApi({ project: step.project, token: step.token, apiUrl: step.apiUrl }, deps);
  }

  async run({ signal }: PlanStepContext): Promise<PlanStepOutcome> {
    // Taken before asking Supabase anything: a rate-limit wait must not move the point past a change.
    const takenAt = this.deps.clock.now();
    const recoveryTimeUnix = Math.floor(takenAt / 1_000);
    const { project } = this.step;
    const pitr = await this.api.pitrSettings(signal);
    if (!pitr.enabled) {
      throw new Error(
        `Point-in-time recovery is not enabled for Supabase project ${project}, so a restore on request would be impossible. ` +
          'Enable the PITR add-on for the project (Supabase dashboard → Project Settings → Add-ons), or back the database up with a postgres-backup step instead.',
      );
    }
    const restorePoint: SupabasePitrPoint = { kind: 'supabase-pitr', project, recoveryTimeUnix, takenAt };
    const reach = pitr.window.earliest !== undefined ? `its PITR window reaches back to ${utcOf(pitr.window.earliest)}` : 'Supabase does not report how far back its PITR window reaches yet';
    return {
      detail: `Restore point: Supabase project ${project} can return to ${utcOf(recoveryTimeUnix)}, just before the rollback; ${reach}. Nothing is restored unless someone asks and an approver agrees.`,
      restorePoint,
    };
  }
}
