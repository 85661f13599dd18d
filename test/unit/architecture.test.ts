/** The core (domain, engine, messages) imports nothing from adapters; adapters never import each other's internals. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(__dirname, '../../src');
const CORE_ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  messages: ['domain', 'messages'],
  engine: ['domain', 'messages', 'engine'],
};
const CORE_PACKAGES = ['zod', 'node:crypto'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(['"]([^'"]+)['"]\)/g)].map((m) => m[1]!);
}

describe('architecture', () => {
  for (const [layer, allowed] of Object.entries(CORE_ALLOWED)) {
    it(`src/${layer} imports only ${allowed.join(', ')} and ${CORE_PACKAGES.join(', ')}`, () => {
      const offences: string[] = [];
      for (const file of files(join(SRC, layer))) {
        for (const spec of imports(file)) {
          if (spec.startsWith('.')) {
            const top = relative(SRC, resolve(dirname(file), spec)).split('/')[0]!;
            if (!allowed.includes(top)) offences.push(`${relative(SRC, file)} → ${spec}`);
          } else if (!CORE_PACKAGES.includes(spec)) {
            offences.push(`${relative(SRC, file)} → ${spec}`);
          }
        }
      }
      expect(offences).toEqual([]);
    });
  }
});
