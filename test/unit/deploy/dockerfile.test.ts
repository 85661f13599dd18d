/**
 * The Dockerfile, read as text (no Docker engine here): a multi-stage build on an official Node LTS
 * image pinned by major, `npm ci` → build → `npm prune --omit=dev`, and a runtime stage that
 * carries only dist/, node_modules/, manifests/ and package.json, runs as a non-root user with
 * NODE_ENV=production, exposes 3000, health-checks /healthz with Node (the check is run here
 * against a local server), and starts `node dist/cli.js start`. Also checks .dockerignore against
 * what the Dockerfile copies.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; main: string; engines: { node: string } };

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      if (next.startsWith('#')) continue;
      line = `${line.slice(0, -1).trimEnd()} ${next}`;
    }
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: start + 1 });
  }
  return out;
}

function stages(all: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      out.push({ image: words[0]!, name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else {
      const current = out.at(-1);
      if (!current) throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      current.instructions.push(instruction);
    }
  }
  return out;
}

const ALL = instructions(DOCKERFILE);
const STAGES = stages(ALL);
const BUILD = STAGES[0]!;
const RUNTIME = STAGES.at(-1)!;

const find = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const only = (stage: Stage, keyword: string): Instruction => {
  const found = find(stage, keyword);
  expect({ keyword, count: found.length }).toEqual({ keyword, count: 1 });
  return found[0]!;
};
const indexOf = (stage: Stage, predicate: (i: Instruction) => boolean) => stage.instructions.findIndex(predicate);

/** COPY/ADD arguments without flags: sources then destination, and the --from stage if any. */
function copyParts(instruction: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const words = instruction.args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** The JSON exec form of ENTRYPOINT/CMD/HEALTHCHECK CMD; fails on the shell form. */
function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new Error(`expected the exec form ["…"], got ${args}`);
  return parsed;
}

/** `.dockerignore` semantics: patterns from the context root, `**` across directories, `!` re-includes, the last match wins, a matched directory excludes its contents. */
function dockerIgnored(path: string): boolean {
  const patterns = DOCKERIGNORE.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    );
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regex = toRegex(negated ? pattern.slice(1) : pattern);
    if (prefixes.some((p) => regex.test(p))) ignored = !negated;
  }
  return ignored;
}

describe('Dockerfile stages', () => {
  it('is multi-stage on one official Node LTS slim image pinned by major, never :latest', () => {
    expect(STAGES.length).toBeGreaterThanOrEqual(2);
    const minimum = Number(/>=\s*(\d+)/.exec(PACKAGE.engines.node)?.[1]);
    for (const stage of STAGES) {
      const match = /^node:(\d+)-(bookworm|bullseye|trixie)-slim$/.exec(stage.image);
      expect({ image: stage.image, pinned: match !== null }).toEqual({ image: stage.image, pinned: true });
      const major = Number(match![1]);
      // Even majors are the LTS lines; package.json's engines says which are supported.
      expect({ major, lts: major % 2 === 0, supported: major >= minimum }).toEqual({ major, lts: true, supported: true });
    }
    expect(new Set(STAGES.map((s) => s.image)).size).toBe(1);
    expect(DOCKERFILE).not.toMatch(/:latest\b/);
  });

  it('installs with `npm ci` from the lockfile before copying the sources, builds, then prunes dev dependencies', () => {
    expect(BUILD.name).toBe('build');
    const copies = find(BUILD, 'COPY').map(copyParts);
    expect(copies[0]).toEqual({ from: undefined, sources: ['package.json', 'package-lock.json'], dest: './' });
    const runs = find(BUILD, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(ALL.some((i) => i.keyword === 'RUN' && /\bnpm (install|i)\b/.test(i.args))).toBe(false);
    const npmCi = indexOf(BUILD, (i) => i.keyword === 'RUN' && i.args.startsWith('npm ci'));
    const copySrc = indexOf(BUILD, (i) => i.keyword === 'COPY' && copyParts(i).sources.includes('src'));
    const build = indexOf(BUILD, (i) => i.keyword === 'RUN' && i.args.includes('npm run build'));
    const prune = indexOf(BUILD, (i) => i.keyword === 'RUN' && /npm prune --omit=dev/.test(i.args));
    expect(npmCi).toBeGreaterThanOrEqual(0);
    expect([npmCi < copySrc, copySrc < build, build <= prune]).toEqual([true, true, true]);
    // Everything `npm run build` (tsc -p tsconfig.build.json) reads is in the build stage.
    const copied = copies.flatMap((c) => c.sources);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src']));
  });

  it('downloads nothing outside npm: no ADD of URLs, no curl or wget, no tini install', () => {
    expect(ALL.filter((i) => i.keyword === 'ADD').map((i) => i.args)).toEqual([]);
    expect(DOCKERFILE).not.toMatch(/ADD\s+(--\S+\s+)*https?:/i);
    expect(ALL.filter((i) => i.keyword === 'RUN' && /\b(curl|wget|apt-get|tini)\b/.test(i.args)).map((i) => i.args)).toEqual([]);
  });

  it('puts no secret in ENV or ARG', () => {
    const declared = ALL.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG').flatMap((i) => [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!));
    expect(declared.filter((name) => /TOKEN|SECRET|PASSWORD|KEY/i.test(name))).toEqual([]);
  });
});

describe('Dockerfile runtime stage', () => {
  it('carries only package.json, dist/ and the production node_modules/ from the build stage, plus manifests/', () => {
    const copies = find(RUNTIME, 'COPY').map(copyParts);
    expect(copies).toEqual([
      { from: 'build', sources: ['/app/package.json'], dest: './package.json' },
      { from: 'build', sources: ['/app/node_modules'], dest: './node_modules' },
      { from: 'build', sources: ['/app/dist'], dest: './dist' },
      { from: undefined, sources: ['manifests'], dest: './manifests' },
    ]);
    expect(only(RUNTIME, 'WORKDIR').args).toBe('/app');
    expect(only(BUILD, 'WORKDIR').args).toBe('/app');
    // `rewind discord register` reads manifests/discord-commands.json next to dist/.
    expect(existsSync(join(ROOT, 'manifests/discord-commands.json'))).toBe(true);
  });

  it('runs as a non-root user, set after the files are copied', () => {
    const users = find(RUNTIME, 'USER');
    expect(users.length).toBeGreaterThanOrEqual(1);
    const user = users.at(-1)!.args.split(':')[0]!;
    expect(['root', '0', '']).not.toContain(user);
    // Numeric, so Kubernetes' runAsNonRoot can verify it; 1000 is the `node` user of the official image.
    expect(users.at(-1)!.args).toBe('1000:1000');
    const lastCopy = Math.max(...RUNTIME.instructions.map((i, index) => (i.keyword === 'COPY' ? index : -1)));
    expect(RUNTIME.instructions.indexOf(users.at(-1)!)).toBeGreaterThan(lastCopy);
  });

  it('sets NODE_ENV=production and exposes 3000', () => {
    const env = find(RUNTIME, 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bPORT=3000\b/);
    expect(only(RUNTIME, 'EXPOSE').args).toBe('3000');
  });

  it('starts `node dist/cli.js start` in exec form, so node receives SIGTERM itself', () => {
    expect(execForm(only(RUNTIME, 'ENTRYPOINT').args)).toEqual(['node', 'dist/cli.js']);
    expect(execForm(only(RUNTIME, 'CMD').args)).toEqual(['start']);
    // The path the image runs is the one the build produces and package.json publishes.
    const tsconfigBuild = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string } };
    expect(tsconfigBuild.compilerOptions.outDir).toBe('dist');
    expect(PACKAGE.bin['rewind']).toBe('dist/cli.js');
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);
  });

  it('health-checks /healthz with Node: exit 0 on 200, 1 on 503', async () => {
    const healthcheck = only(RUNTIME, 'HEALTHCHECK').args;
    expect(healthcheck).toMatch(/--interval=\d+s/);
    expect(healthcheck).toMatch(/--timeout=\d+s/);
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 'CMD'.length).trim());
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    for (const status of [200, 503]) {
      const requested: string[] = [];
      const server = createServer((req, res) => {
        requested.push(req.url ?? '');
        res.writeHead(req.url === '/healthz' ? status : 404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const child = spawn(process.execPath, command.slice(1), { env: { PORT: String(port) }, stdio: 'ignore' });
      const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      expect({ status, exitCode, requested }).toEqual({ status, exitCode: status === 200 ? 0 : 1, requested: ['/healthz'] });
    }
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, git, test artefacts and .env out of the build context', () => {
    const mustIgnore = ['node_modules', 'node_modules/yaml/package.json', 'dist/cli.js', '.git/config', '.env', '.env.local', 'coverage/lcov.info', 'test/unit/deploy/dockerfile.test.ts', '.scratch/x', 'rewind.log'];
    expect(mustIgnore.filter((path) => !dockerIgnored(path))).toEqual([]);
  });

  it('keeps every file the Dockerfile copies from the context', () => {
    const sources = ALL.filter((i) => i.keyword === 'COPY').map(copyParts).filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect({ source, exists: existsSync(join(ROOT, source)), ignored: dockerIgnored(source) }).toEqual({ source, exists: true, ignored: false });
    const runtimeFiles = ['src/cli.ts', 'src/chat/console/static/index.html', 'manifests/discord-commands.json', 'manifests/demo.yaml', 'manifests/rewind.example.yaml'];
    expect(runtimeFiles.filter((path) => dockerIgnored(path))).toEqual([]);
  });
});
