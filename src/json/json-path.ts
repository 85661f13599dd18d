/**
 * Dot paths into parsed JSON, as the catalog names them for checks and provider field maps:
 * `health`, `build.version`, `items.0.id` (`items[0].id` and negative indexes such as `history.-1` work too).
 */

export type PathLookup = { found: true; value: unknown } | { found: false };

export function splitPath(path: string): string[] {
  return path
    .trim()
    .replace(/^\$(?=[.[]|$)\.?/, '')
    .replace(/\[(-?\d+)\]/g, '.$1')
    .split('.')
    .filter((segment) => segment.length > 0);
}

/** A field name: anything but the path's own punctuation (JSON keys may hold spaces), not blank. */
const SEGMENT = /^(?=.*\S)[^.[\]]+$/;
const INDEXES = /^(?:\[-?\d+\])+$/;
export const PATH_EXAMPLES = '"currentVersion", "deploy.version" or "history[-1].version"';

/** Why `path` is not a path readPath understands, or undefined when it is one. `$` alone is the whole document. */
export function pathProblem(path: string): string | undefined {
  if (path.trim() === '$') return undefined;
  const body = path.trim().replace(/^\$(?=[.[])\.?/, '');
  if (!body) return `"${path}" is empty; expected a JSON path such as ${PATH_EXAMPLES}`;
  for (const part of body.split('.')) {
    const bracket = part.indexOf('[');
    const name = bracket < 0 ? part : part.slice(0, bracket);
    const rest = bracket < 0 ? '' : part.slice(bracket);
    const nameOk = name === '' ? rest !== '' : SEGMENT.test(name);
    if (part === '' || !nameOk || (rest !== '' && !INDEXES.test(rest))) {
      return `"${path}" is not a JSON path: "${part}" is not a field name or [index]; expected a path such as ${PATH_EXAMPLES}`;
    }
  }
  return undefined;
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
