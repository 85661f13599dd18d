/**
 * Which rollbacks a history export or a report covers: service, environment, outcome, trigger and
 * a time range on the request time. The same filter serves chat and the API. Drills are practice,
 * kept apart from incidents: left out unless the filter asks for them.
 */
import { z } from 'zod';
import { historyOutcome, HistoryOutcome } from './history';
import { TriggerKind } from './request';
import type { RollbackRecord } from './rollback-record';

export const DRILL_SCOPES = ['exclude', 'include', 'only'] as const;
export const DrillScope = z.enum(DRILL_SCOPES);
export type DrillScope = z.infer<typeof DrillScope>;

export const HistoryFilter = z.object({
  service: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  outcome: HistoryOutcome.optional(),
  trigger: TriggerKind.optional(),
  /** Epoch ms, inclusive. */
  since: z.number().int().optional(),
  /** Epoch ms, exclusive. */
  until: z.number().int().optional(),
  /** Drills: left out (the default), included with the rest, or the only ones shown. `trigger: drill` means `only`. */
  drills: DrillScope.optional(),
});
export type HistoryFilter = z.infer<typeof HistoryFilter>;

/** What the filter does with drills: `trigger: drill` asks for them alone; otherwise `drills`, default out. */
export function drillScopeOf(filter: Pick<HistoryFilter, 'trigger' | 'drills'>): DrillScope {
  return filter.trigger === 'drill' ? 'only' : (filter.drills ?? 'exclude');
}

export function matchesFilter(record: RollbackRecord, filter: HistoryFilter): boolean {
  const at = record.timings.requestedAt;
  const scope = drillScopeOf(filter);
  const drill = record.trigger.kind === 'drill';
  return (
    (scope === 'include' || (scope === 'only') === drill) &&
    (filter.service === undefined || record.service === filter.service) &&
    (filter.environment === undefined || record.environment === filter.environment) &&
    (filter.outcome === undefined || historyOutcome(record) === filter.outcome) &&
    (filter.trigger === undefined || record.trigger.kind === filter.trigger) &&
    (filter.since === undefined || at >= filter.since) &&
    (filter.until === undefined || at < filter.until)
  );
}

/** `checkout-api · production · failed · alert · since 2026-11-01 00:00 UTC`, for titles and file headers. */
export function describeFilter(filter: HistoryFilter): string {
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const parts = [
    filter.service ?? 'every service',
    filter.environment,
    filter.outcome,
    filter.trigger,
    filter.drills === 'only' && filter.trigger !== 'drill' ? 'drills only' : filter.drills === 'include' ? 'drills included' : undefined,
    filter.since === undefined ? undefined : `since ${iso(filter.since)}`,
    filter.until === undefined ? undefined : `until ${iso(filter.until)}`,
  ];
  return parts.filter((part): part is string => part !== undefined).join(' · ');
}
