/**
 * Time bounds people type for history, exports and reports: `30d`, `12h`, `2w` ago, or a date
 * (`2026-11-01`, `2026-11-01T09:00:00Z`). Parsed without a clock so the grammar stays pure; the
 * engine turns a bound into an instant with its own clock.
 */
import { z } from 'zod';

export const TIME_BOUND_HINT = 'a duration back from now such as 30d, 12h, 2w or 90m, or a date such as 2026-11-01 or 2026-11-01T09:00:00Z';

export const TimeBound = z.discriminatedUnion('kind', [
  /** This long before now. */
  z.object({ kind: z.literal('ago'), ms: z.number().int().positive() }),
  /** This instant, epoch ms. */
  z.object({ kind: z.literal('at'), ms: z.number().int() }),
]);
export type TimeBound = z.infer<typeof TimeBound>;

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const AGO = /^(\d{1,6})\s*(m|min|h|d|w)$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A date with a time must say its zone: a bare local time would mean different instants on different servers.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** `30d` → 30 days ago; `2026-11-01` → that day's 00:00 UTC; undefined when it is neither. */
export function parseTimeBound(text: string): TimeBound | undefined {
  const trimmed = text.trim();
  const ago = AGO.exec(trimmed);
  if (ago) {
    const ms = Number(ago[1]) * UNIT_MS[ago[2]!.toLowerCase()]!;
    return ms > 0 ? { kind: 'ago', ms } : undefined;
  }
  if (!DATE_ONLY.test(trimmed) && !DATE_TIME.test(trimmed)) return undefined;
  if (!realDay(trimmed.slice(0, 10))) return undefined;
  const ms = Date.parse(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  return Number.isFinite(ms) ? { kind: 'at', ms } : undefined;
}

/** Date.parse rolls 2026-02-31 over to March; reading the day back catches it. */
function realDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

export function resolveTimeBound(bound: TimeBound, now: number): number {
  return bound.kind === 'ago' ? now - bound.ms : bound.ms;
}

/** `the last 30 days`, `since 2026-11-01 00:00 UTC`: how a report names its window. */
export function describeSince(bound: TimeBound | undefined): string {
  if (!bound) return 'all recorded time';
  if (bound.kind === 'at') return `since ${new Date(bound.ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const { ms } = bound;
  for (const [unit, size] of [['week', UNIT_MS['w']!], ['day', UNIT_MS['d']!], ['hour', UNIT_MS['h']!], ['minute', UNIT_MS['m']!]] as const) {
    if (ms % size === 0) {
      const n = ms / size;
      return n === 1 ? `the last ${unit}` : `the last ${n} ${unit}s`;
    }
  }
  return `the last ${Math.round(ms / 60_000)} minutes`;
}
