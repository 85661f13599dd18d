/**
 * One rollback as a row of the runbook's rollback-history log (date, time, trigger, method, duration,
 * root cause), plus outcome and id. The JSON API serves it raw, so the text formatting it needs lives here.
 */
import { z } from 'zod';
import { actorLabel, type Actor } from './actor';
import type { Release } from './release';
import { ROLLBACK_STATES } from './rollback-state';
import type { RollbackRecord } from './rollback-record';
import type { Trigger } from './request';

/** A finished record's outcome; `aborted` is a cancellation that stopped a running rollback. */
export const HISTORY_OUTCOMES = [...ROLLBACK_STATES, 'aborted'] as const;
export const HistoryOutcome = z.enum(HISTORY_OUTCOMES);
export type HistoryOutcome = z.infer<typeof HistoryOutcome>;

export const HistoryEntry = z.object({
  rollbackId: z.string(),
  service: z.string(),
  environment: z.string(),
  /** `YYYY-MM-DD`, UTC, of the request. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** `HH:MM`, UTC, of the request. */
  time: z.string().regex(/^\d{2}:\d{2}$/),
  trigger: z.string(),
  method: z.string(),
  /** Requested → finished, formatted; `—` while unfinished. */
  duration: z.string(),
  durationMs: z.number().nonnegative().optional(),
  rootCause: z.string(),
  outcome: HistoryOutcome,
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const NOT_RECORDED = '—';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * "850 ms", "12 s", "2 min 05 s", "2 min", "1 h 03 min". Deterministic and locale-free; each unit is
 * rounded once so 59.6 s reads "1 min", never "60 s".
 */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (Math.round(safe) < 1000) return `${Math.round(safe)} ms`;
  const seconds = Math.round(safe / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return rest === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${pad2(rest)} s`;
  }
  const minutes = Math.round(seconds / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${pad2(rest)} min`;
}

/** `YYYY-MM-DD` and `HH:MM:SS` of an epoch-ms instant, in UTC. */
export function utcParts(ms: number): { date: string; time: string } {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** `2026-11-23 09:45:12 UTC`. */
export function formatUtc(ms: number): string {
  const { date, time } = utcParts(ms);
  return `${date} ${time} UTC`;
}

const AUTO_SOURCES: Readonly<Record<string, string>> = {
  'health-monitor': 'health probe',
  health: 'health probe',
  'metric-rule': 'metric rule',
};

/** The alert's name from its evidence (`alertname=HighErrorRate`, `alertname: …`), when present. */
function alertName(trigger: Trigger): string | undefined {
  for (const line of trigger.evidence) {
    const match = /alertname\s*[=:]\s*"?([\w.:-]+)/i.exec(line);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** `manual (slack: steve)`, `alert: HighErrorRate`, `auto: health probe`, `drill (slack: steve)`. */
export function describeTrigger(trigger: Trigger, requester: Actor): string {
  switch (trigger.kind) {
    case 'manual':
      return `manual (${trigger.source}: ${actorLabel(requester)})`;
    case 'alert':
      return `alert: ${alertName(trigger) ?? trigger.source}`;
    case 'auto':
      return `auto: ${AUTO_SOURCES[trigger.source] ?? trigger.source.replace(/[-_]/g, ' ')}`;
    case 'drill':
      return `drill (${trigger.source}: ${actorLabel(requester)})`;
  }
}

/** `2.4.1 → 2.4.0`, with placeholders where a side is not known (yet). */
export function versionArrow(from: Release | undefined, to: Release | undefined, requested?: string): string {
  return `${from?.version ?? 'current'} → ${to?.version ?? requested ?? 'last stable'}`;
}

/** How the rollback was done: a blue/green switch when the target names a slot, otherwise a rollback. */
export function describeMethod(record: RollbackRecord): string {
  const how = record.to?.slot ? 'blue/green switch' : 'rollback';
  return `${how} ${versionArrow(record.from, record.to, record.requestedRelease)}`;
}

export function historyOutcome(record: RollbackRecord): HistoryOutcome {
  return record.state === 'cancelled' && record.outcome?.code === 'aborted' ? 'aborted' : record.state;
}

/** Requested → finished in ms, or undefined while the rollback has not finished. */
export function elapsedMs(record: RollbackRecord): number | undefined {
  const { requestedAt, finishedAt } = record.timings;
  return finishedAt === undefined ? undefined : Math.max(0, finishedAt - requestedAt);
}

export function toHistoryEntry(record: RollbackRecord): HistoryEntry {
  const at = utcParts(record.timings.requestedAt);
  const durationMs = elapsedMs(record);
  return {
    rollbackId: record.id,
    service: record.service,
    environment: record.environment,
    date: at.date,
    time: at.time.slice(0, 5),
    trigger: describeTrigger(record.trigger, record.requester),
    method: describeMethod(record),
    duration: durationMs === undefined ? NOT_RECORDED : formatDuration(durationMs),
    ...(durationMs === undefined ? {} : { durationMs }),
    rootCause: record.postmortem?.rootCause?.trim() || NOT_RECORDED,
    outcome: historyOutcome(record),
  };
}
