/**
 * Bodies of Rewind's inbound webhooks as zod schemas: Alertmanager v4, Grafana, Rewind's generic
 * alert and deploy events. Lenient: unknown fields pass; every field Rewind reads is checked.
 */
import { z } from 'zod';
import { formatPath } from '../config/env-refs';

const Labels = z.record(z.string(), z.string());
const AlertStatus = z.enum(['firing', 'resolved']);
// Alertmanager and Grafana write Go's RFC 3339 (nanoseconds, offsets) and 0001-01-01 for "not ended".
const Timestamp = z.iso.datetime({ offset: true });
const HttpUrl = z.url({ protocol: /^https?$/ });
const Name = z.string().trim().min(1);
const MAX_LISTED_PROBLEMS = 20;

const versionError = (version: string, format: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'required' : `expected "${version}" (${format})`;

const Alert = z.object({
  status: AlertStatus,
  labels: Labels.default({}),
  annotations: Labels.default({}),
  startsAt: Timestamp,
  endsAt: Timestamp.optional(),
  /** Empty for alerts that came in through Alertmanager's API rather than from a rule. */
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

const groupFields = {
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: AlertStatus,
  receiver: z.string().default(''),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(''),
};

export const AlertmanagerPayload = z.object({
  version: z.literal('4', { error: versionError('4', 'Alertmanager webhook v4') }),
  ...groupFields,
  alerts: z.array(Alert),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

export const GrafanaAlert = Alert.extend({
  values: z.record(z.string(), z.number()).optional(),
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
});
export type GrafanaAlert = z.infer<typeof GrafanaAlert>;

export const GrafanaPayload = z.object({
  version: z.literal('1', { error: versionError('1', 'Grafana alerting webhook') }),
  ...groupFields,
  orgId: z.number().int().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  alerts: z.array(GrafanaAlert),
});
export type GrafanaPayload = z.infer<typeof GrafanaPayload>;

/** Rewind's own shape, for senders that are neither Alertmanager nor Grafana. */
export const GenericPayload = z.object({
  service: Name,
  environment: Name.optional(),
  status: AlertStatus.default('firing'),
  /** Free text, mapped like an alert's severity label (critical, p2, warning…). */
  severity: z.string().optional(),
  title: Name.max(200),
  /** Dedupe key; when absent, service + environment + title stand in for it. */
  id: Name.max(200).optional(),
  evidence: z.array(z.string().max(500)).max(20).default([]),
  url: HttpUrl.optional(),
});
export type GenericPayload = z.infer<typeof GenericPayload>;

/** A deploy event; `at` defaults to `now()` at parse time (pass the app clock's `now`). */
export function deployPayloadSchema(now: () => number) {
  return z.object({
    service: Name,
    environment: Name.optional(),
    version: Name,
    at: Timestamp.default(() => new Date(now()).toISOString()),
    by: Name.optional(),
    url: HttpUrl.optional(),
  });
}
export const DeployPayload = deployPayloadSchema(Date.now);
export type DeployPayload = z.infer<typeof DeployPayload>;

function kind(input: unknown): string {
  if (input === null) return 'null';
  return Array.isArray(input) ? 'array' : typeof input;
}

/** Short messages a sender can act on; undefined keeps zod's own. */
function problem(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (!issue.path?.length) return `expected a JSON object, got ${kind(issue.input)}`;
      return issue.input === undefined ? 'required' : `expected ${issue.expected}, got ${kind(issue.input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map(String).join(' or ')}`;
    case 'invalid_format':
      if (issue.format === 'datetime') return 'expected an ISO 8601 date-time such as 2026-11-22T12:14:19Z';
      if (issue.format === 'url') return 'expected an http:// or https:// URL';
      return undefined;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `at least ${issue.minimum} characters`;
      return issue.origin === 'array' ? `at least ${issue.minimum} items` : `at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `at most ${issue.maximum} characters`;
      return issue.origin === 'array' ? `at most ${issue.maximum} items` : `at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_PROBLEMS).map((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    return `${formatPath(path)}: ${issue.message}`;
  });
  const rest = issues.length - listed.length;
  return listed.join('; ') + (rest > 0 ? `; and ${rest} more` : '');
}

/** Validates a webhook body; on failure the reason lists each problem with its path, for a 400 answer. */
export function parsePayload<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; reason: string } {
  const parsed = schema.safeParse(body, { error: problem });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describeIssues(parsed.error.issues) };
}
