/**
 * Dot paths into parsed JSON, as checks name them in the catalog: `health`, `build.version`,
 * `items.0.id` (`items[0].id` and negative indexes such as `history.-1` work too).
 */

export type PathLookup = { found: true; value: unknown } | { found: false };

export function splitPath(path: string): string[] {
  return path
    .trim()
    .replace(/^\$\.?/, '')
    .replace(/\[(-?\d+)\]/g, '.$1')
    .split('.')
    .filter((segment) => segment.length > 0);
}

export function readPath(value: unknown, path: string): PathLookup {
  let current: unknown = value;
  for (const segment of splitPath(path)) {
    if (Array.isArray(current) && /^-?\d+$/.test(segment)) {
      const index = Number(segment);
      const at = index < 0 ? current.length + index : index;
      if (at < 0 || at >= current.length) return { found: false };
      current = current[at];
    } else if (current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** A JSON value as a short string for a chat line: strings bare, everything else as JSON. */
export function showValue(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Whether a found value equals what the catalog expects. Scalars compare by their text as well, so
 * `version: 2.4` in YAML (a number) matches `"2.4"` in the body; objects never equal a scalar.
 */
export function valueMatches(actual: unknown, expected: string | number | boolean | null): boolean {
  if (actual === expected) return true;
  if (actual === null || expected === null) return false;
  if (typeof actual === 'object') return false;
  return String(actual) === String(expected);
}
