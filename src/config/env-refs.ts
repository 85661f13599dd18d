/**
 * Resolves `${NAME}` references in the parsed catalog from the environment, so secrets never live
 * in the file. `$${NAME}` stays literal. Every value that came from the environment is returned so
 * logs and chat can scrub it, and every variable that is not set is returned with where it is used,
 * so the loader can decide whether that is an error (at start) or a note (`rewind validate`).
 */

/** A variable the catalog reads that the environment does not set, and every path that uses it. */
export interface UnsetVariable {
  name: string;
  /** Catalog paths in the order they appear, each once. */
  paths: string[];
}

export interface EnvRefResult {
  value: unknown;
  /** In order of first use, each variable once. */
  unset: UnsetVariable[];
  /** Values substituted from the environment; treated as secrets everywhere. */
  substituted: string[];
  /** Which variables each value came from, by path (`services.api.environments.prod.provider.token` → RENDER_API_KEY), so errors can name them. */
  references: Map<string, string[]>;
}

/**
 * What stands in for an unset variable at a path. Without one the reference stays as written
 * (`${NAME}`); `rewind validate` passes one so the value's own format check can still run.
 */
export type Placeholder = (name: string, path: string) => string;

const REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(root)';
}

export function resolveEnvRefs(input: unknown, env: Readonly<Record<string, string | undefined>>, placeholder?: Placeholder): EnvRefResult {
  const unset = new Map<string, UnsetVariable>();
  const substituted: string[] = [];
  const references = new Map<string, string[]>();

  const visit = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(REF, (match, escaped: string, name: string) => {
        if (escaped) return match.slice(1);
        const at = formatPath(path);
        const value = env[name];
        if (value === undefined || value === '') {
          const entry = unset.get(name) ?? { name, paths: [] };
          if (!entry.paths.includes(at)) entry.paths.push(at);
          unset.set(name, entry);
          return placeholder ? placeholder(name, at) : match;
        }
        substituted.push(value);
        references.set(at, [...(references.get(at) ?? []), name]);
        return value;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = visit(value, [...path, key]);
      return out;
    }
    return node;
  };

  const value = visit(input, []);
  return { value, unset: [...unset.values()], substituted, references };
}
