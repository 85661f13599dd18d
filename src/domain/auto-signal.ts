/** Something that says a service is unhealthy: a failed health probe streak, a metric rule, or an alert. */
import { z } from 'zod';
import { Severity } from './severity';

export const AUTO_SOURCES = ['health-monitor', 'metric-rule', 'alertmanager', 'grafana', 'generic'] as const;
export const AutoSource = z.enum(AUTO_SOURCES);
export type AutoSource = z.infer<typeof AutoSource>;

export const AutoSignal = z.object({
  source: AutoSource,
  service: z.string().min(1),
  environment: z.string().min(1).optional(),
  severity: Severity.optional(),
  /** False for resolved alerts, which never start anything. */
  firing: z.boolean(),
  /** The same firing seen twice has the same key and starts one rollback at most. */
  dedupeKey: z.string().min(1).max(500),
  title: z.string().min(1).max(300),
  evidence: z.array(z.string().max(1000)).max(40).default([]),
  links: z.array(z.string().max(2000)).max(10).default([]),
  /** When the deciding probe or alert arrived (ms). */
  at: z.number(),
});
export type AutoSignal = z.infer<typeof AutoSignal>;

/** Alerts are "alert" triggers; the built-in monitor and rules are "auto". */
export function triggerKindOf(source: AutoSource): 'auto' | 'alert' {
  return source === 'health-monitor' || source === 'metric-rule' ? 'auto' : 'alert';
}
