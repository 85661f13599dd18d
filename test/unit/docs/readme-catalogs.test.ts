/** The complete catalog examples in README.md are valid catalogs: a reader can start from them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from '../../../src/config/load-catalog';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
/** Policy a reader would bring: the examples show environments, not the decision matrix. */
const DEFAULTS = 'defaults: { approvals: { high: { required: 0 }, medium: { required: 0 } } }\n';

describe('README catalog examples', () => {
  const examples = [...README.matchAll(/```yaml\n(services:\n[\s\S]*?)```/g)].map((m) => m[1]!);

  it('include the Render + PostgreSQL and the Fly.io + Supabase environments', () => {
    expect(examples.some((e) => e.includes('type: render') && e.includes('postgres-backup'))).toBe(true);
    expect(examples.some((e) => e.includes('type: fly') && e.includes('SUPABASE_DB_URL'))).toBe(true);
  });

  it.each(examples.map((e, i) => [i + 1, e] as const))('example %i validates', (_n, yaml) => {
    const names = [...yaml.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!);
    const env = Object.fromEntries(names.map((name) => [name, name.endsWith('_URL') ? 'postgres://user:pass@db.internal:5432/app' : `value-of-${name.toLowerCase()}`]));
    expect(() => parseCatalog(DEFAULTS + yaml, env)).not.toThrow();
  });
});
