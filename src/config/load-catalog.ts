/** Reads the catalog YAML, resolves `${ENV}` references, validates it, and builds the Catalog. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { Catalog } from './catalog';
import { CatalogConfig } from './catalog-schema';
import { ConfigError, type ConfigIssue } from './config-error';
import { formatPath, resolveEnvRefs, type EnvRefResult, type UnsetVariable } from './env-refs';

export type { UnsetVariable } from './env-refs';

export interface LoadedCatalog {
  catalog: Catalog;
  config: CatalogConfig;
  /** Values substituted from the environment: scrubbed from logs and chat. */
  secrets: string[];
  /** The environment variables behind each substituted value, by catalog path. */
  envReferences: ReadonlyMap<string, string[]>;
}

/** What `rewind validate` learns from a file: a catalog that passed, or a file that is something else. */
export type CatalogCheck =
  | {
      kind: 'catalog';
      services: number;
      environments: number;
      /** Variables not set here: the catalog was checked with stand-ins, and they must be set where Rewind runs. */
      unset: UnsetVariable[];
    }
  | { kind: 'not-a-catalog'; what: string };

export interface CheckOptions {
  /** An unset variable is a problem, as it is at start (default: a note, so CI can check a catalog without the secrets). */
  strictEnv?: boolean;
}

/**
 * Stand-ins for unset variables, tried in turn at each path until the value's format check
 * accepts one: a URL (base URLs, check URLs, tokens), a bare name (hosts inside URLs, app and
 * project names), a postgres URL (databases). A value none of them fits cannot be checked
 * without the variable, and says so.
 */
const PLACEHOLDERS = ['http://rewind-validate.invalid', 'placeholder', 'postgres://rewind-validate.invalid/placeholder'] as const;

function zodIssues(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol'));
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && !issue.message.startsWith('expected "type"')) {
      const branchIssues = issue.errors.flat();
      out.push({ path, message: branchIssues.map((b) => b.message).join('; or ') });
    } else if (issue.code === 'invalid_key') {
      out.push({ path, message: issue.issues.map((i) => i.message).join('; ') });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** The document as plain values; what YAML parses but cannot resolve (an alias with no anchor) is a ConfigError too. */
function documentValue(doc: ReturnType<typeof parseDocument>, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(source, [{ path: '(yaml)', message: error instanceof Error ? error.message : String(error) }]);
  }
}

/**
 * Names the YAML files that sit next to catalogs (manifests/*.yaml) but are not one, so
 * `rewind validate manifests/*.yaml` can skip them. Only shapes that cannot be a misspelt catalog:
 * anything with `services` is checked as a catalog.
 */
function otherManifest(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || 'services' in value) return undefined;
  const doc = value as Record<string, unknown>;
  if ('display_information' in doc) return 'a Slack app manifest';
  if (typeof doc['apiVersion'] === 'string' && typeof doc['kind'] === 'string') return `a Kubernetes ${doc['kind']}`;
  return undefined;
}

function unsetProblem(variable: UnsetVariable): ConfigIssue {
  const [first, ...others] = variable.paths;
  const also = others.length > 0 ? `; also at ${others.join(', ')}` : '';
  return { path: first ?? '(root)', message: `environment variable ${variable.name} is not set (referenced as \${${variable.name}}${also})` };
}

/**
 * Resolves references, trying stand-ins for unset variables until each value's own check accepts
 * one (or none is left), so a value is never reported both as unset and as malformed.
 */
function parseWithPlaceholders(raw: unknown, env: Readonly<Record<string, string | undefined>>) {
  const choice = new Map<string, number>();
  for (;;) {
    const refs = resolveEnvRefs(raw, env, (_name, at) => PLACEHOLDERS[choice.get(at) ?? 0]!);
    const parsed = CatalogConfig.safeParse(refs.value);
    if (parsed.success) return { refs, parsed, issues: [] };
    const issues = zodIssues(parsed.error);
    const unsetPaths = new Set(refs.unset.flatMap((v) => v.paths));
    let retry = false;
    for (const path of new Set(issues.map((i) => i.path))) {
      const next = (choice.get(path) ?? 0) + 1;
      if (unsetPaths.has(path) && next < PLACEHOLDERS.length) {
        choice.set(path, next);
        retry = true;
      }
    }
    if (!retry) return { refs, parsed, issues };
  }
}

type Compiled = { kind: 'catalog'; catalog: Catalog; config: CatalogConfig; refs: EnvRefResult } | { kind: 'not-a-catalog'; what: string };

/**
 * Every check on one catalog text; throws ConfigError listing each problem once, with its path.
 * With unset variables the result holds stand-ins, so it is only returned to callers that say so
 * (`checkCatalog` reports counts, `parseCatalog` throws on any unset variable).
 */
function compile(text: string, env: Readonly<Record<string, string | undefined>>, source: string, strictEnv: boolean): Compiled {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)', message: e.message.split('\n')[0] ?? e.message })));
  }
  const raw = documentValue(doc, source);
  const other = otherManifest(raw);
  if (other) return { kind: 'not-a-catalog', what: other };

  const { refs, parsed, issues: schemaIssues } = parseWithPlaceholders(raw, env);
  const unsetAt = new Map<string, string[]>();
  for (const variable of refs.unset) for (const path of variable.paths) unsetAt.set(path, [...(unsetAt.get(path) ?? []), variable.name]);

  const issues: ConfigIssue[] = strictEnv ? refs.unset.map(unsetProblem) : [];
  for (const issue of schemaIssues) {
    const names = unsetAt.get(issue.path);
    if (!names) issues.push(issue);
    // Strict: the unset variable is this value's problem and is already listed. Otherwise no
    // stand-in fitted, so the value cannot be judged; saying so beats passing it unchecked.
    else if (!strictEnv) {
      const list = names.join(', ');
      issues.push({ path: issue.path, message: `cannot be checked without ${list} (${issue.message}); set ${names.length > 1 ? 'them' : 'it'}, a stand-in value will do` });
    }
  }
  if (!parsed.success) throw new ConfigError(source, issues);
  const { catalog, issues: semantic } = Catalog.build(parsed.data);
  issues.push(...semantic);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return { kind: 'catalog', catalog, config: parsed.data, refs };
}

/** Parses catalog text as Rewind runs it: every variable set; throws ConfigError listing every problem with its path. */
export function parseCatalog(text: string, env: Readonly<Record<string, string | undefined>>, source = 'catalog'): LoadedCatalog {
  const compiled = compile(text, env, source, true);
  if (compiled.kind === 'not-a-catalog') {
    throw new ConfigError(source, [{ path: '(root)', message: `this is ${compiled.what}, not a Rewind catalog` }]);
  }
  return { catalog: compiled.catalog, config: compiled.config, secrets: compiled.refs.substituted, envReferences: compiled.refs.references };
}

/**
 * Checks catalog text without needing its secrets (`rewind validate`): an unset variable is
 * returned as a note unless `strictEnv`; every other problem throws ConfigError as at start.
 */
export function checkCatalog(text: string, env: Readonly<Record<string, string | undefined>>, source = 'catalog', options: CheckOptions = {}): CatalogCheck {
  const compiled = compile(text, env, source, options.strictEnv ?? false);
  if (compiled.kind === 'not-a-catalog') return compiled;
  return { kind: 'catalog', services: compiled.catalog.services().length, environments: compiled.catalog.countEnvironments(), unset: compiled.refs.unset };
}

async function readCatalogText(path: string, hint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(path, [{ path: '(file)', message: `${reason}${hint}` }]);
  }
}

export async function loadCatalog(path: string, env: Readonly<Record<string, string | undefined>>): Promise<LoadedCatalog> {
  return parseCatalog(await readCatalogText(path, "; set REWIND_CONFIG to the catalog's path"), env, path);
}

export async function checkCatalogFile(path: string, env: Readonly<Record<string, string | undefined>>, options: CheckOptions = {}): Promise<CatalogCheck> {
  return checkCatalog(await readCatalogText(path, ''), env, path, options);
}
