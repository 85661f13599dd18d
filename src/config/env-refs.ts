/**
 * Resolves `${NAME}` references in the parsed catalog from the environment, so secrets never live
 * in the file. `$${NAME}` stays literal. Every value that came from the environment is returned so
 * logs and chat can scrub it.
 */

export interface EnvRefProblem {
  path: string;
  message: string;
}

export interface EnvRefResult {
  value: unknown;
  problems: EnvRefProblem[];
  /** Values substituted from the environment; treated as secrets everywhere. */
  substituted: string[];
  /** Which variables each value came from, by path (`services.api.environments.prod.provider.token` → RENDER_API_KEY), so errors can name them. */
  references: Map<string, string[]>;
}

const REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(root)';
}

export function resolveEnvRefs(input: unknown, env: Readonly<Record<string, string | undefined>>): EnvRefResult {
  const problems: EnvRefProblem[] = [];
  const substituted: string[] = [];
  const references = new Map<string, string[]>();

  const visit = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(REF, (match, escaped: string, name: string) => {
        if (escaped) return match.slice(1);
        const value = env[name];
        if (value === undefined || value === '') {
          problems.push({ path: formatPath(path), message: `environment variable ${name} is not set (referenced as \${${name}})` });
          return match;
        }
        substituted.push(value);
        const at = formatPath(path);
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

  return { value: visit(input, []), problems, substituted, references };
}
