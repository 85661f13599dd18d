/**
 * Who hears about a rollback beyond its incident thread, per environment (issue 15): the pager,
 * the on-call mentioned in the header, stakeholder channels, a review after a rollback that skipped
 * approval, and how often the environment should be drilled.
 */
export interface PagingSettings {
  /** PagerDuty Events API v2: one alert per rollback (dedup_key), triggered and resolved. */
  pagerduty?: { routingKey: string; apiUrl: string };
  /** Opsgenie Alert API: one alert per rollback (alias), created and closed. */
  opsgenie?: { apiKey: string; apiUrl: string };
}

/** Mentioned in the header on a critical start and on failure, and nowhere else. */
export interface MentionSettings {
  /** A Slack user group (`S…`) or user (`U…`, `W…`). */
  slack?: string;
  /** A Discord role or user. */
  discord?: { kind: 'role' | 'user'; id: string };
}

export interface IncidentComms {
  paging: PagingSettings;
  mention: MentionSettings;
  /** Stakeholder channels: a short message at start and one at the end, no buttons, no thread. */
  announce: { slack: string[]; discord: string[] };
  /** A critical rollback that skipped approval asks the approvers for a review; reminded once after this long. */
  reviewAfterMs?: number;
  /** A drill reminder when the environment has gone this long without one. */
  drills?: { everyMs: number; allowProduction: boolean };
}

export const NO_COMMS: IncidentComms = { paging: {}, mention: {}, announce: { slack: [], discord: [] } };

/** Whether an environment's name says it is production, where drills need the catalog's leave. */
export function isProductionEnvironment(environment: string): boolean {
  return /^(prod|production)([-_.].*)?$/i.test(environment);
}
