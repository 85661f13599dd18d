/**
 * Drills (issue 15; seed 000's "rollback drills", seed 003's "regular rollback testing: monthly or
 * after major changes"): a real rollback run on purpose, on a non-production environment unless the
 * catalog allows production, timed end to end against the RTO of its severity, and recorded apart
 * from incidents. The catalog's `drills: { every }` asks for one when an environment has gone that
 * long without. Pure rules; the engine acts and keeps the ledger.
 */
import { ErrorCode, RewindError } from './errors';
import { isProductionEnvironment, type IncidentComms } from './incident-comms';
import type { RollbackRecord } from './rollback-record';

/** Shown first in a drill's header and report, so nobody takes it for an incident. */
export const DRILL_BANNER = '🧪 DRILL — practice rollback, not an incident';

export function isDrill(record: Pick<RollbackRecord, 'trigger'>): boolean {
  return record.trigger.kind === 'drill';
}

export type DrillGate = { allowed: true } | { allowed: false; message: string };

/** Production only where the catalog allows it (`drills: { allowProduction: true }`); anywhere else, yes. */
export function drillGate(service: string, environment: string, comms: Pick<IncidentComms, 'drills'>): DrillGate {
  if (!isProductionEnvironment(environment) || comms.drills?.allowProduction) return { allowed: true };
  return {
    allowed: false,
    message:
      `No drill on ${service} (${environment}): it is a production environment, and a drill runs a real rollback. ` +
      `Drill on a staging environment, or allow it in the catalog with \`drills: { allowProduction: true }\` for ${service} ${environment}. Nothing was changed.`,
  };
}

/** A drill the catalog does not allow here (production without `allowProduction`). */
export class DrillRefusedError extends RewindError {
  constructor(service: string, environment: string, userMessage: string) {
    super(ErrorCode.PolicyRefused, userMessage, { service, environment, drill: true });
  }
}

/** Which way the drill went against the RTO of its severity, timed end to end (requested → finished). */
export interface DrillTiming {
  /** Requested → finished; undefined while running. */
  durationMs?: number;
  rtoMs?: number;
  /** `met`: finished successfully within the RTO; `missed`: late, or the rollback did not succeed; `no_rto`: nothing to judge against. */
  verdict: 'met' | 'missed' | 'no_rto' | 'unfinished';
}

export function drillTiming(record: Pick<RollbackRecord, 'state' | 'timings' | 'rtoMs'>): DrillTiming {
  const { requestedAt, finishedAt } = record.timings;
  const durationMs = finishedAt === undefined ? undefined : Math.max(0, finishedAt - requestedAt);
  const rto = record.rtoMs === undefined ? {} : { rtoMs: record.rtoMs };
  const took = durationMs === undefined ? {} : { durationMs };
  if (durationMs === undefined) return { ...rto, verdict: 'unfinished' };
  if (record.rtoMs === undefined) return { ...took, verdict: 'no_rto' };
  const met = record.state === 'succeeded' && durationMs <= record.rtoMs;
  return { ...took, ...rto, verdict: met ? 'met' : 'missed' };
}

/** The end of a drill that gets a report: it ran (succeeded, failed) or was stopped while running (aborted). */
export function drillEnded(record: Pick<RollbackRecord, 'state' | 'outcome'>): boolean {
  return record.state === 'succeeded' || record.state === 'failed' || (record.state === 'cancelled' && record.outcome?.code === 'aborted');
}

/** The environment's latest drill that ran, as the ledger keeps it. */
export interface DrillEntry {
  rollbackId: string;
  /** When it ended. */
  at: number;
}

export type DrillReminderVerdict =
  | { due: false; why: 'not_configured' | 'production_not_allowed' | 'recent' }
  | {
      due: true;
      /** Names the overdue period: one reminder per environment and period, whoever checks. */
      period: string;
      everyMs: number;
      /** How long since the last drill ended; undefined when Rewind knows of none. */
      sinceMs?: number;
      last?: DrillEntry;
    };

/**
 * Whether an environment is overdue for a drill. Periods run `every` apart from the last drill's
 * end (one reminder when it becomes overdue, another after each further `every`); an environment
 * never drilled is overdue, once per `every` counted from the epoch, so every replica names the
 * same period. Environments where a drill would be refused (production, not allowed) get none.
 */
export function drillReminderVerdict(input: { environment: string; comms: Pick<IncidentComms, 'drills'>; last: DrillEntry | undefined; now: number }): DrillReminderVerdict {
  const drills = input.comms.drills;
  if (!drills) return { due: false, why: 'not_configured' };
  if (isProductionEnvironment(input.environment) && !drills.allowProduction) return { due: false, why: 'production_not_allowed' };
  const every = drills.everyMs;
  if (!input.last) return { due: true, period: `never-${Math.floor(input.now / every)}`, everyMs: every };
  const since = input.now - input.last.at;
  if (since < every) return { due: false, why: 'recent' };
  return { due: true, period: `${input.last.at}-${Math.floor(since / every)}`, everyMs: every, sinceMs: since, last: input.last };
}

/** Where Rewind keeps each environment's latest drill and claims reminders, shared by every replica. */
export interface DrillLedger {
  /** The latest drill that ended on the environment, if any. */
  last(service: string, environment: string): Promise<DrillEntry | undefined>;
  /** Records a drill's end; recording it again changes nothing. */
  record(service: string, environment: string, entry: DrillEntry): Promise<void>;
  /** True for exactly one caller per environment and period (until `ttlMs` passes): the one that posts the reminder. */
  claimReminder(service: string, environment: string, period: string, ttlMs: number): Promise<boolean>;
}
