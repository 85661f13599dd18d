/**
 * Puts a Supabase database back to a `supabase-pitr` restore point: says what approvers are about
 * to lose, asks Supabase once for a point-in-time restore, and watches the project until it is
 * healthy again. A resumed attempt never asks twice; it only watches and reports.
 */
import type { SupabasePitrStepConfig } from '../config/catalog-schema';
import { ProviderError } from '../domain/errors';
import type { Clock, DatabaseRestorer, RestoreContext, RestorePreview } from '../domain/ports';
import type { RestorePoint, SupabasePitrPoint } from '../domain/restore-point';
import type { HttpClient } from '../outbound/http-client';
import { describeDuration } from '../outbound/http-errors';
import { outsideWindow, SupabaseManagementApi, utcOf, type PitrSettings } from './supabase-management-api';

const POLL_INTERVAL_MS = 10_000;
/**
 * How long after the request a project that only ever reads ACTIVE_HEALTHY must stay so before
 * Rewind stops waiting. Supabase answers the request at once and takes the project down a little
 * later, so a healthy status just after asking is most likely the state before the restore began:
 * seeing any other status first (RESTORING, COMING_UP, …) is what proves the restore ran. A restore
 * replays a base backup and WAL and takes minutes, far longer than a poll; a project still healthy
 * and never seen restoring three minutes on is reported as unconfirmed, for a person to check,
 * rather than watched until the timeout.
 */
const QUIET_WINDOW_MS = 3 * 60_000;
const HEALTHY = 'ACTIVE_HEALTHY';
/** Statuses a restore does not come back from by itself. */
const FAILED = new Set(['RESTORE_FAILED', 'INIT_FAILED', 'REMOVED']);

const STATUS_WORDS: Readonly<Record<string, string>> = {
  ACTIVE_HEALTHY: 'healthy',
  RESTORING: 'restoring the database',
  COMING_UP: 'coming back up',
  RESTARTING: 'restarting',
  ACTIVE_UNHEALTHY: 'up but unhealthy',
  GOING_DOWN: 'going down',
  RESTORE_FAILED: 'the restore failed',
  INACTIVE: 'paused',
  UNKNOWN: 'status unknown',
};

interface Watch {
  /** A status other than healthy was seen, so the restore did run. */
  sawRestore: boolean;
  /** From the request to the last look. */
  elapsedMs: number;
}

export class SupabasePitrRestorer implements DatabaseRestorer {
  private readonly api: SupabaseManagementApi;

  constructor(
    private readonly step: SupabasePitrStepConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.api = new SupabaseManagementApi({ project: step.project, token: step.token, apiUrl: step.apiUrl }, deps);
  }

  async preview(point: RestorePoint, signal?: AbortSignal): Promise<RestorePreview> {
    const pitr = this.pitrPoint(point);
    const when = utcOf(pitr.recoveryTimeUnix);
    const ago = describeDuration(Math.max(0, this.deps.clock.now() - pitr.recoveryTimeUnix * 1_000));
    const overwrites = [
      `The whole database of Supabase project ${pitr.project} (every schema, auth and storage included) returns to ${when}.`,
      `Everything written after ${when} is lost: ${ago} of writes, users who signed up and rows of files uploaded since.`,
    ];
    const warnings = [
      'The project is unavailable while Supabase restores it (the API, Auth and Storage with the database); how long depends on the database size.',
      `Files in Storage buckets are not restored: files uploaded after ${when} stay in their buckets without their rows, and files deleted since stay deleted.`,
    ];
    warnings.push(...(await this.settingsWarnings(pitr, signal)));
    return { overwrites, warnings };
  }

  async restore(point: RestorePoint, context: RestoreContext): Promise<{ detail: string }> {
    const pitr = this.pitrPoint(point);
    const when = utcOf(pitr.recoveryTimeUnix);
    if (context.sentAt !== undefined) {
      // An earlier attempt asked (or was about to ask): sending again could restore twice.
      const watch = await this.watch(pitr, context, context.sentAt);
      const how = watch.sawRestore ? 'the project restored and is healthy again' : 'the project is healthy, though Rewind did not see it restoring';
      return { detail: `An earlier attempt asked Supabase at ${utcOf(Math.floor(context.sentAt / 1_000))} to restore project ${pitr.project} to ${when}; ${how}. Rewind did not ask twice; confirm the data.` };
    }
    const settings = await this.api.pitrSettings(context.signal);
    const refusal = this.refusal(pitr, settings);
    if (refusal) throw new ProviderError(refusal, false, { project: pitr.project });
    const askedAt = this.deps.clock.now();
    await context.markSent();
    await this.api.restorePitr(pitr.recoveryTimeUnix, context.signal);
    await context.progress(`Supabase accepted the restore of project ${pitr.project} to ${when}; waiting for the project to come back.`);
    const watch = await this.watch(pitr, context, askedAt);
    if (!watch.sawRestore) {
      return {
        detail: `Supabase accepted the restore of project ${pitr.project} to ${when}, but Rewind never saw the project restoring: it stayed healthy for ${describeDuration(watch.elapsedMs)}. Check the restore in the Supabase dashboard (Database → Backups) and confirm the data.`,
      };
    }
    return { detail: `Supabase restored project ${pitr.project} to ${when}; it is healthy again after ${describeDuration(watch.elapsedMs)}. Everything written after ${when} is gone; confirm the data.` };
  }

  private pitrPoint(point: RestorePoint): SupabasePitrPoint {
    if (point.kind !== 'supabase-pitr') {
      throw new Error(`The supabase-pitr step of project ${this.step.project} cannot restore a ${point.kind} restore point; this is a mix-up in Rewind's plan, not something to retry: report it.`);
    }
    if (point.project !== this.step.project) {
      throw new Error(`The restore point is for Supabase project ${point.project}, but this step restores project ${this.step.project}: the catalog changed since the point was kept. Restore by hand from the Supabase dashboard.`);
    }
    return point;
  }

  /** Why Supabase could not restore to the point now, or undefined when it can. */
  private refusal(point: SupabasePitrPoint, settings: PitrSettings): string | undefined {
    const when = utcOf(point.recoveryTimeUnix);
    const { project } = point;
    if (!settings.enabled) {
      return `Point-in-time recovery is no longer enabled for Supabase project ${project}, so it cannot return to ${when}. Nothing was requested. Re-enable the PITR add-on, or restore a daily backup from the Supabase dashboard.`;
    }
    const outside = outsideWindow(point.recoveryTimeUnix, settings.window);
    if (outside === 'too-old') {
      return `${when} is older than the earliest moment Supabase can restore project ${project} to (${utcOf(settings.window.earliest!)}). Nothing was requested. Restore an older daily backup from the Supabase dashboard if one reaches back that far.`;
    }
    if (outside === 'too-new') {
      return `Supabase can restore project ${project} only up to ${utcOf(settings.window.latest!)} so far, before ${when}. Nothing was requested. Try again in a few minutes, once Supabase has archived past that moment.`;
    }
    return undefined;
  }

  private async settingsWarnings(point: SupabasePitrPoint, signal: AbortSignal | undefined): Promise<string[]> {
    let settings: PitrSettings;
    try {
      settings = await this.api.pitrSettings(signal);
    } catch (error) {
      if (signal?.aborted || !(error instanceof ProviderError)) throw error;
      return [`Rewind could not read the PITR settings of project ${point.project} (${error.userMessage}); the restore checks them again before asking Supabase.`];
    }
    const refusal = this.refusal(point, settings);
    return refusal ? [`Right now this restore would be refused: ${refusal.replace(' Nothing was requested.', '')}`] : [];
  }

  /**
   * Polls the project's status until it is healthy after the restore (see QUIET_WINDOW_MS), posting
   * each change. Gives up after the step's timeout, counted from this attempt's first look: a resumed
   * attempt watches in full again, since the restore may still be running.
   */
  private async watch(point: SupabasePitrPoint, context: RestoreContext, askedAt: number): Promise<Watch> {
    const { clock } = this.deps;
    const deadline = clock.now() + this.step.timeout;
    let last: string | undefined;
    let lastError: string | undefined;
    let sawRestore = false;
    for (;;) {
      const status = await this.api.projectStatus(context.signal).catch((error: unknown) => {
        if (context.signal.aborted || !(error instanceof ProviderError)) throw error;
        if (!error.retryable) throw this.lostSight(point, error.userMessage);
        // Supabase's API having a bad minute does not stop a restore already running.
        lastError = error.userMessage;
        return undefined;
      });
      const elapsedMs = clock.now() - askedAt;
      if (status !== undefined && status !== last) {
        last = status;
        await context.progress(`Supabase project ${point.project}: ${status}${STATUS_WORDS[status] ? ` (${STATUS_WORDS[status]})` : ''}, ${describeDuration(Math.max(0, elapsedMs))} after the request.`);
      }
      if (status !== undefined && FAILED.has(status)) {
        throw new Error(`Supabase reports project ${point.project} as ${status} after the restore request: the restore did not complete. Open the project in the Supabase dashboard and contact Supabase support; Rewind will not ask again.`);
      }
      if (status === HEALTHY && (sawRestore || elapsedMs >= QUIET_WINDOW_MS)) return { sawRestore, elapsedMs };
      if (status !== undefined && status !== HEALTHY) sawRestore = true;
      const remaining = deadline - clock.now();
      if (remaining <= 0) throw this.timedOut(point, last, lastError);
      await clock.sleep(Math.min(POLL_INTERVAL_MS, remaining), context.signal);
    }
  }

  private lostSight(point: SupabasePitrPoint, why: string): Error {
    return new Error(`Supabase was asked to restore project ${point.project} to ${utcOf(point.recoveryTimeUnix)}, but Rewind cannot follow the restore: ${why} Check the project in the Supabase dashboard; Rewind will not ask again.`);
  }

  private timedOut(point: SupabasePitrPoint, last: string | undefined, lastError: string | undefined): Error {
    const seen = last ? `its last status was ${last}` : `Rewind could not read its status${lastError ? ` (${lastError})` : ''}`;
    return new Error(
      `Supabase project ${point.project} was not healthy again within ${describeDuration(this.step.timeout)} of the restore request; ${seen}. ` +
        'The restore may still be running: check the project in the Supabase dashboard (its status, and Database → Backups) before doing anything else. Rewind will not ask again.',
    );
  }
}
