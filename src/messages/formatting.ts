/**
 * Small text formatters shared by every template: durations, UTC timestamps, state and trigger
 * labels, release arrows, trimming. All UTC and locale-free so a message reads the same everywhere.
 */
import { actorLabel, type Actor } from '../domain/actor';
import { describeTrigger, formatDuration, formatUtc, versionArrow, type HistoryOutcome } from '../domain/history';
import { titleOf, type StepName } from '../domain/plan';
import { releaseLabel, type Release } from '../domain/release';
import type { RollbackRecord } from '../domain/rollback-record';

export { formatDuration };

/** Sensible sizes, well inside what Slack and Discord accept; renderers still enforce the hard limits. */
export const LIMITS = {
  title: 150,
  fieldValue: 300,
  longText: 1000,
  line: 200,
  itemLabel: 80,
  itemDetail: 160,
  listItems: 10,
  checklistItems: 25,
  historyRows: 20,
  buttons: 5,
  buttonLabel: 75,
  fallback: 300,
} as const;

/** `2026-11-23 09:45:12 UTC`. */
export const formatTimestamp = formatUtc;

const STATE_LABELS: Readonly<Record<HistoryOutcome, string>> = {
  pending_approval: 'Waiting for approval',
  queued: 'Queued',
  running: 'Rolling back',
  verifying: 'Verifying',
  succeeded: 'Succeeded',
  failed: 'Failed',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
  aborted: 'Aborted',
};

export function stateLabel(state: HistoryOutcome): string {
  return STATE_LABELS[state];
}

/** `manual (slack: steve)`, `alert: HighErrorRate`, `auto: health probe`. */
export function triggerLabel(record: RollbackRecord): string {
  return describeTrigger(record.trigger, record.requester);
}

/** `steve (manual, slack)`: who asked and through what. */
export function requestedBy(record: RollbackRecord): string {
  return `${actorLabel(record.requester)} (${record.trigger.kind}, ${record.trigger.source})`;
}

export function who(actor: Actor): string {
  return actorLabel(actor);
}

/** `2.4.1 → 2.4.0 (blue)`: the slot is where traffic goes, so only the target's is shown. */
export function releaseArrow(from: Release | undefined, to: Release | undefined, requested?: string): string {
  const arrow = versionArrow(from, to, requested);
  return to?.slot && !to.versionUnknown ? `${arrow} (${to.slot})` : arrow;
}

/** The record's from → to; an unresolved target says it will be resolved before acting. */
export function recordArrow(record: RollbackRecord): string {
  if (record.to) return releaseArrow(record.from, record.to);
  const target = record.requestedRelease ? `${record.requestedRelease} (to be resolved)` : 'to be resolved: last stable';
  return `${record.from ? releaseLabel(record.from) : 'current'} → ${target}`;
}

export function serviceLabel(record: Pick<RollbackRecord, 'service' | 'environment'>): string {
  return `${record.service} (${record.environment})`;
}

/** Cuts at `max` characters (code points, so emoji survive) and marks the cut with `…`. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/** First line only, trimmed: for titles and fallbacks built from free text. */
export function oneLine(text: string, max: number = LIMITS.line): string {
  return truncate(text.replace(/\s*\n\s*/g, ' ').trim(), max);
}

/** At most `max` items, the rest counted in a final `… and N more` entry. */
export function trimList(items: readonly string[], max: number = LIMITS.listItems): string[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max - 1), moreLine(items.length - (max - 1))];
}

export function moreLine(hidden: number): string {
  return `… and ${hidden} more`;
}

/** Lines of free text, each kept to one sane line, the list trimmed. */
export function lines(items: readonly string[], max: number = LIMITS.listItems): string {
  return trimList(items.map((item) => oneLine(item)), max).join('\n');
}

/** A `code` span; backticks inside would end it early, so they become quotes. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `step 3 of 6`, in this rollback's own plan (the catalog may add steps). */
export function stepPosition(record: Pick<RollbackRecord, 'steps'>, name: StepName): string {
  return `step ${record.steps.findIndex((s) => s.name === name) + 1} of ${record.steps.length}`;
}

/** `Roll back (step 3 of 6)`. */
export function stepTitle(record: Pick<RollbackRecord, 'steps'>, name: StepName): string {
  return `${titleOf(record.steps.find((s) => s.name === name) ?? { name })} (${stepPosition(record, name)})`;
}

/** `in 14 min` / `14 min ago`, relative to an explicit now. */
export function relative(at: number, now: number): string {
  return at >= now ? `in ${formatDuration(at - now)}` : `${formatDuration(now - at)} ago`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
