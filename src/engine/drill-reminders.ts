/**
 * The periodic check behind `drills: { every }`, run by a BullMQ job scheduler on whichever worker
 * takes the job: each environment that has gone that long without a drill gets one reminder in its
 * incident channel per overdue period, however many replicas check (a claim per environment and
 * period). The same check re-arms break-glass review reminders whose timer was lost.
 */
import { awaitsReminder } from '../domain/break-glass-review';
import { drillEnded, drillReminderVerdict, isDrill, type DrillEntry } from '../domain/drills';
import { drillReminder } from '../messages/templates/drill-report';
import type { EngineDeps } from './engine-deps';

/** How many of an environment's newest rollbacks are read to find a drill the ledger missed. */
const DRILL_SCAN = 200;
/** How many of the newest rollbacks are looked at for a review reminder to re-arm. */
const REVIEW_SCAN = 200;

export interface DrillCheck {
  /** `service/environment` of each reminder this check posted. */
  reminded: string[];
  /** Review reminders armed again. */
  rearmed: number;
}

/** The latest drill that ended, read from the records themselves. */
async function lastDrillInRecords(deps: Pick<EngineDeps, 'store'>, service: string, environment: string): Promise<DrillEntry | undefined> {
  const records = await deps.store.list({ service, environment, limit: DRILL_SCAN });
  const drill = records.find((r) => isDrill(r) && drillEnded(r) && r.timings.finishedAt !== undefined);
  return drill ? { rollbackId: drill.id, at: drill.timings.finishedAt! } : undefined;
}

async function checkEnvironment(deps: EngineDeps, service: string, environment: string, now: number): Promise<boolean> {
  const target = deps.catalog.resolve(service, environment);
  if (!target.comms.drills) return false;
  const last = await deps.drills.last(service, environment);
  const verdict = drillReminderVerdict({ environment, comms: target.comms, last, now });
  if (!verdict.due) return false;
  // One caller per environment and period gets past here, on any replica.
  if (!(await deps.drills.claimReminder(service, environment, verdict.period, verdict.everyMs))) return false;
  // The ledger is written after a drill's commit; a worker that died in between left it behind.
  const found = await lastDrillInRecords(deps, service, environment);
  if (found && (!last || found.at > last.at)) {
    await deps.drills.record(service, environment, found);
    if (!drillReminderVerdict({ environment, comms: target.comms, last: found, now }).due) return false;
  }
  const noticeId = await deps.notices.post(
    { service, environment, channels: target.channels },
    drillReminder({ service, environment, everyMs: verdict.everyMs, ...(verdict.sinceMs !== undefined ? { sinceMs: verdict.sinceMs } : {}), ...(verdict.last ? { last: verdict.last } : {}) }),
  );
  await deps.scheduler.deliver(noticeId);
  deps.logger.info({ service, environment, period: verdict.period }, 'drill reminder posted');
  return true;
}

/** Review reminders still owed: armed again (the job id makes a timer that still waits a no-op). */
async function rearmReviewReminders(deps: EngineDeps): Promise<number> {
  const owed = (await deps.store.list({ limit: REVIEW_SCAN })).filter(awaitsReminder);
  for (const record of owed) await deps.scheduler.remindReview(record.id, record.review!.remindAt!);
  return owed.length;
}

export async function checkDrills(deps: EngineDeps): Promise<DrillCheck> {
  const now = deps.clock.now();
  const reminded: string[] = [];
  for (const service of deps.catalog.services()) {
    for (const environment of deps.catalog.environments(service)) {
      try {
        if (await checkEnvironment(deps, service, environment, now)) reminded.push(`${service}/${environment}`);
      } catch (error) {
        deps.logger.warn({ service, environment, err: error }, 'drill check failed for this environment');
      }
    }
  }
  return { reminded, rearmed: await rearmReviewReminders(deps) };
}
