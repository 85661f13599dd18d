/**
 * Each folder of src/ imports only what scripts/layers.js allows it: the core (domain, messages,
 * engine) nothing outside it, adapters the core and the shared plumbing but never each other; only
 * the composition root wires them. ESLint enforces the same table (see architecture-lint.test.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const { CORE, LAYERS, WIRING } = require('../../scripts/layers.js') as {
  CORE: Record<string, string[]>;
  LAYERS: Record<string, string[]>;
  WIRING: string[];
};

const SRC = resolve(__dirname, '../../src');
const CORE_PACKAGES = ['zod', 'node:crypto'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/(?:import|require)\(['"]([^'"]+)['"]\)/g)].map((m) => m[1]!);
}

/** src/<folder>/… of a relative import, or undefined for a package. */
function folderOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = relative(SRC, resolve(dirname(file), spec));
  return target.split('/')[0];
}

describe('architecture', () => {
  const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());

  it('every folder of src/ has a place in the layer table', () => {
    expect(folders.filter((f) => !(f in LAYERS) && !WIRING.includes(f))).toEqual([]);
  });

  for (const folder of Object.keys(LAYERS)) {
    it(`src/${folder} imports only ${[folder, ...LAYERS[folder]!].join(', ')}`, () => {
      const offences: string[] = [];
      for (const file of files(join(SRC, folder))) {
        for (const spec of imports(file)) {
          const target = folderOf(file, spec);
          if (target === undefined) {
            if (folder in CORE && !CORE_PACKAGES.includes(spec)) offences.push(`${relative(SRC, file)} → ${spec}`);
            continue;
          }
          if (target === folder || LAYERS[folder]!.includes(target)) continue;
          offences.push(`${relative(SRC, file)} → ${spec}`);
        }
      }
      expect(offences).toEqual([]);
    });
  }
});
