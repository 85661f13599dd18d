/** Reads the catalog YAML, resolves `${ENV}` references, validates it, and builds the Catalog. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { Catalog } from './catalog';
import { CatalogConfig } from './catalog-schema';
import { ConfigError, type ConfigIssue } from './config-error';
import { formatPath, resolveEnvRefs } from './env-refs';

export interface LoadedCatalog {
  catalog: Catalog;
  config: CatalogConfig;
  /** Values substituted from the environment: scrubbed from logs and chat. */
  secrets: string[];
  /** The environment variables behind each substituted value, by catalog path. */
  envReferences: ReadonlyMap<string, string[]>;
}

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

/** Parses catalog text; throws ConfigError listing every problem with its path. */
export function parseCatalog(text: string, env: Readonly<Record<string, string | undefined>>, source = 'catalog'): LoadedCatalog {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)', message: e.message.split('\n')[0] ?? e.message })));
  }
  const refs = resolveEnvRefs(documentValue(doc, source), env);
  const parsed = CatalogConfig.safeParse(refs.value);
  const issues: ConfigIssue[] = [...refs.problems];
  if (!parsed.success) throw new ConfigError(source, [...issues, ...zodIssues(parsed.error)]);
  const { catalog, issues: semantic } = Catalog.build(parsed.data);
  issues.push(...semantic);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return { catalog, config: parsed.data, secrets: refs.substituted, envReferences: refs.references };
}

export async function loadCatalog(path: string, env: Readonly<Record<string, string | undefined>>): Promise<LoadedCatalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(path, [{ path: '(file)', message: `${reason}; set REWIND_CONFIG to the catalog's path` }]);
  }
  return parseCatalog(text, env, path);
}
