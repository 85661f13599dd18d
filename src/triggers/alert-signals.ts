/**
 * Turns validated alert webhooks into one signal per service, environment and state, so a burst of
 * alerts about one service starts at most one automatic rollback.
 */
import { SEVERITIES, type Severity } from '../domain/severity';
import type { AlertmanagerPayload, GenericPayload, GrafanaAlert, GrafanaPayload } from './alert-payloads';

/** Label names that carry each field, tried in order. */
export interface LabelMapping {
  service: string[];
  environment: string[];
  severity: string[];
}

export const DEFAULT_LABELS: LabelMapping = { service: ['service', 'app', 'job'], environment: ['environment', 'env'], severity: ['severity'] };

export interface AlertSignal {
  source: 'alertmanager' | 'grafana' | 'generic';
  service: string;
  environment?: string;
  /** The most severe of the group's alerts; undefined when no alert carries a known severity. */
  severity?: Severity;
  /** False for resolved alerts, which never start anything. */
  firing: boolean;
  /** Same for repeat notifications of the same alerts; different for a later firing of the same alert. */
  dedupeKey: string;
  title: string;
  evidence: string[];
  /** http(s) only, deduplicated. */
  links: string[];
  /** Earliest `startsAt` of the group (ISO 8601, as sent); absent for generic alerts. */
  startsAt?: string;
}

export interface SkippedAlert {
  reason: string;
  fingerprint?: string;
}

export interface SignalBatch {
  signals: AlertSignal[];
  skipped: SkippedAlert[];
}

const MAX_LINE = 300;
const MAX_LINES = 12;
const MAX_LINKS = 10;
const MAX_TITLE_NAMES = 3;

// A Map, not an object literal: label values like "constructor" must not hit Object.prototype.
const SEVERITY_WORDS = new Map<string, Severity>([
  ...(['critical', 'crit', 'page', 'p1'] as const).map((w) => [w, 'critical'] as const),
  ...(['high', 'error', 'major', 'p2'] as const).map((w) => [w, 'high'] as const),
  ...(['warning', 'warn', 'medium', 'p3'] as const).map((w) => [w, 'medium'] as const),
  ...(['info', 'low', 'minor', 'p4', 'none'] as const).map((w) => [w, 'low'] as const),
]);

export function mapSeverity(value: string | undefined): Severity | undefined {
  return value === undefined ? undefined : SEVERITY_WORDS.get(value.trim().toLowerCase());
}

function mostSevere(severities: (Severity | undefined)[]): Severity | undefined {
  const ranks = severities.flatMap((s) => (s ? [SEVERITIES.indexOf(s)] : []));
  return ranks.length ? SEVERITIES[Math.min(...ranks)] : undefined;
}

/** First non-empty value among the names: Prometheus treats an empty label as absent. */
function pick(labels: Record<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = labels[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** One line for a chat thread: whitespace collapsed (descriptions are often multi-line), then clipped. */
function line(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LINE ? `${flat.slice(0, MAX_LINE - 1)}…` : flat;
}

function capLines(lines: string[], tail: string[] = []): string[] {
  const room = MAX_LINES - tail.length;
  if (lines.length <= room) return [...lines, ...tail];
  const kept = lines.slice(0, room - 1);
  return [...kept, `… and ${lines.length - kept.length} more`, ...tail];
}

function httpLinks(candidates: (string | undefined)[]): string[] {
  const links = new Set<string>();
  for (const candidate of candidates) {
    if (!candidate || links.size >= MAX_LINKS) continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') links.add(url.href);
    } catch {
      // Not a URL: nothing to link.
    }
  }
  return [...links];
}

/** `2026-11-22 12:14:19 UTC`: seconds are enough in chat, and UTC avoids guessing the reader's zone. */
function utc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** Go's zero time (0001-01-01) means "not ended". */
function hasEnded(endsAt: string | undefined): endsAt is string {
  return endsAt !== undefined && Date.parse(endsAt) > 0;
}

function formatNumber(value: number): string {
  // Six significant digits hide float noise (0.30000000000000004) without hiding a real difference.
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

type Source = AlertSignal['source'];
type Alert = AlertmanagerPayload['alerts'][number] & Partial<Pick<GrafanaAlert, 'values' | 'silenceURL' | 'dashboardURL' | 'panelURL'>>;
type AlertGroup = Pick<AlertmanagerPayload, 'commonLabels' | 'commonAnnotations' | 'externalURL' | 'truncatedAlerts'> & { alerts: Alert[] };

interface Resolved {
  alert: Alert;
  name: string;
  service: string;
  environment: string | undefined;
  severity: Severity | undefined;
  evidence: string[];
  links: (string | undefined)[];
}

function alertEvidence(alert: Alert, name: string, labels: Record<string, string>, annotations: Record<string, string>): string[] {
  const lines = [
    alert.status === 'firing'
      ? `${name} firing since ${utc(alert.startsAt)}`
      : `${name} resolved${hasEnded(alert.endsAt) ? ` at ${utc(alert.endsAt)}` : ''}`,
  ];
  if (annotations['summary']) lines.push(`summary: ${annotations['summary']}`);
  if (annotations['description']) lines.push(`description: ${annotations['description']}`);
  const values = Object.entries(alert.values ?? {});
  if (values.length) lines.push(`values: ${values.map(([k, v]) => `${k}=${formatNumber(v)}`).join(', ')}`);
  // Labels starting with "__" are Grafana's and Prometheus's internals, not evidence.
  const shown = Object.entries(labels).filter(([k]) => !k.startsWith('__')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (shown.length) lines.push(`labels: ${shown.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  return lines.map(line);
}

function resolveAlert(alert: Alert, group: AlertGroup, mapping: LabelMapping): Resolved | SkippedAlert {
  const labels = { ...group.commonLabels, ...alert.labels };
  const annotations = { ...group.commonAnnotations, ...alert.annotations };
  const name = pick(labels, ['alertname']) ?? pick(annotations, ['summary']) ?? `alert ${alert.fingerprint}`;
  const service = pick(labels, mapping.service);
  if (!service) {
    return { reason: `${name}: no service label (tried ${mapping.service.join(', ')})`, fingerprint: alert.fingerprint };
  }
  return {
    alert,
    name,
    service,
    environment: pick(labels, mapping.environment),
    severity: mapSeverity(pick(labels, mapping.severity)),
    evidence: alertEvidence(alert, name, labels, annotations),
    links: [alert.generatorURL, annotations['runbook_url'], alert.silenceURL, alert.dashboardURL, alert.panelURL],
  };
}

function title(names: string[]): string {
  const distinct = [...new Set(names)];
  const shown = distinct.slice(0, MAX_TITLE_NAMES).join(', ');
  const text = distinct.length > MAX_TITLE_NAMES ? `${shown} and ${distinct.length - MAX_TITLE_NAMES} more` : shown;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function toSignal(source: Source, members: Resolved[], group: AlertGroup): AlertSignal {
  const first = members[0]!;
  const fingerprints = [...new Set(members.map((m) => m.alert.fingerprint))].sort();
  const startsAt = members
    .map((m) => m.alert.startsAt)
    .reduce((earliest, s) => (Date.parse(s) < Date.parse(earliest) ? s : earliest));
  const severity = mostSevere(members.map((m) => m.severity));
  const n = group.truncatedAlerts;
  const truncated = n > 0 ? [`${n} more alert${n === 1 ? ' was' : 's were'} left out of this notification (truncatedAlerts)`] : [];
  return {
    source,
    service: first.service,
    ...(first.environment !== undefined ? { environment: first.environment } : {}),
    ...(severity !== undefined ? { severity } : {}),
    firing: first.alert.status === 'firing',
    dedupeKey: `${source}:${first.service}:${first.environment ?? ''}:${fingerprints.join('+')}:${startsAt}`,
    title: title(members.map((m) => m.name)),
    evidence: capLines(members.flatMap((m) => m.evidence), truncated),
    links: httpLinks([...members.flatMap((m) => m.links), group.externalURL]),
    startsAt,
  };
}

function groupSignals(source: Source, group: AlertGroup, mapping: LabelMapping): SignalBatch {
  const groups = new Map<string, Resolved[]>();
  const skipped: SkippedAlert[] = [];
  for (const alert of group.alerts) {
    const resolved = resolveAlert(alert, group, mapping);
    if (!('service' in resolved)) {
      skipped.push(resolved);
      continue;
    }
    const key = JSON.stringify([resolved.service, resolved.environment ?? null, alert.status]);
    const members = groups.get(key);
    if (members) members.push(resolved);
    else groups.set(key, [resolved]);
  }
  return { signals: [...groups.values()].map((members) => toSignal(source, members, group)), skipped };
}

export function alertmanagerSignals(payload: AlertmanagerPayload, labels: LabelMapping = DEFAULT_LABELS): SignalBatch {
  return groupSignals('alertmanager', payload, labels);
}

export function grafanaSignals(payload: GrafanaPayload, labels: LabelMapping = DEFAULT_LABELS): SignalBatch {
  return groupSignals('grafana', payload, labels);
}

export function genericSignals(payload: GenericPayload): SignalBatch {
  const severity = mapSeverity(payload.severity);
  const environment = payload.environment;
  return {
    signals: [
      {
        source: 'generic',
        service: payload.service,
        ...(environment !== undefined ? { environment } : {}),
        ...(severity !== undefined ? { severity } : {}),
        firing: payload.status === 'firing',
        dedupeKey: `generic:${payload.id ?? `${payload.service}:${environment ?? ''}:${payload.title}`}`,
        title: payload.title,
        evidence: capLines(payload.evidence.map(line)),
        links: httpLinks([payload.url]),
      },
    ],
    skipped: [],
  };
}
