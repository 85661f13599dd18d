/**
 * docker-compose.yml renders with Compose (`docker-compose config` exits 0, run against a scratch
 * project directory holding a .env copied from .env.example, so no .env is left in the repo) and
 * the rendered project is the one docs/deployment.md describes: Redis with AOF and noeviction on a
 * volume; ingress and worker from one build, waiting for a healthy Redis, with health checks that
 * work; the demo service; secrets only through .env. It also checks that `cp .env.example .env`
 * gives a configuration Rewind starts with (environment valid, demo catalog loads) and that
 * .env.example lists every variable the code reads.
 *
 * Without /usr/bin/docker-compose the file is rendered by a structural stand-in (YAML merge keys,
 * `${VAR:-default}`, env_file) and the Compose test is reported as skipped. CI installs Compose.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { discordSettingsFromEnv } from '../../../src/chat/discord/discord-settings';
import { slackSettingsFromEnv } from '../../../src/chat/slack/slack-settings';
import { loadCatalog } from '../../../src/config/load-catalog';
import { ProcessEnv, parseProcessEnv } from '../../../src/config/process-env';
import { SECRET_ENV_NAMES } from '../../../src/observability/secret-scrubber';
import { queueSettingsFromEnv } from '../../../src/queue/queue-settings';

const ROOT = join(__dirname, '../../..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');
/** REWIND_TEST_COMPOSE=none forces the structural stand-in (to exercise it on machines with Compose). */
const COMPOSE_BIN = process.env['REWIND_TEST_COMPOSE'] === 'none' ? undefined : ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((path) => existsSync(path));
/** Where the Dockerfile puts the repository's files inside the image. */
const IMAGE_WORKDIR = '/app';

interface HealthCheck {
  test: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
}

interface ComposeService {
  build?: string | { context: string };
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | null>;
  env_file?: string | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: HealthCheck;
  ports?: (string | { published: number | string; target: number; host_ip?: string })[];
  volumes?: (string | { type: string; source: string; target: string })[];
  init?: boolean;
  read_only?: boolean;
  tmpfs?: string | string[];
  restart?: string;
  stop_grace_period?: string;
}

interface ComposeProject {
  version?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

interface Rendered {
  project: ComposeProject;
  /** The scratch project directory (relative paths of the file resolve against it). */
  dir: string;
  by: 'docker-compose' | 'structural stand-in';
}

/** Active `NAME=value` lines of an env file (Compose v1 semantics: no quotes, no inline comments). */
function envEntries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) out.set(match[1]!, match[2]!);
  }
  return out;
}

/** Every variable .env.example mentions, set or commented out (`# NAME=…`). */
function listedVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}

/** `${NAME}`, `${NAME:-default}` and `${NAME-default}` as Compose interpolates them. */
function interpolate(value: unknown, env: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (_m, name: string, op: string | undefined, fallback: string | undefined) => {
      const found = env.get(name);
      if (op === ':-') return found ? found : (fallback ?? '');
      if (op === '-') return found ?? fallback ?? '';
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

/** What `docker-compose config` does that the assertions rely on, for machines without Compose. */
function renderStructurally(dir: string): ComposeProject {
  const dotenv = envEntries(readFileSync(join(dir, '.env'), 'utf8'));
  const raw = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeProject & Record<string, unknown>;
  const project = interpolate(raw, dotenv) as ComposeProject;
  for (const service of Object.values(project.services)) {
    if (typeof service.build === 'string') service.build = { context: join(dir, service.build) };
    const files = service.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
    const fromFiles = Object.fromEntries(files.flatMap((file) => [...envEntries(readFileSync(join(dir, file), 'utf8'))]));
    if (files.length > 0) service.environment = { ...fromFiles, ...service.environment };
    delete service.env_file;
  }
  return project;
}

/** Renders docker-compose.yml against a scratch project directory whose .env has `envText`. */
function render(envText: string): Rendered {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-compose-'));
  try {
    writeFileSync(join(dir, '.env'), envText);
    if (!COMPOSE_BIN) return { project: renderStructurally(dir), dir, by: 'structural stand-in' };
    // A clean environment: variables of the shell running jest must not leak into the interpolation.
    const result = spawnSync(COMPOSE_BIN, ['-f', COMPOSE_FILE, '--project-directory', dir, 'config'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`docker-compose config exited ${String(result.status)}:\n${result.stderr}${result.error ? String(result.error) : ''}`);
    return { project: parse(result.stdout) as ComposeProject, dir, by: 'docker-compose' };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function service(rendered: Rendered, name: string): ComposeService {
  const found = rendered.project.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function environment(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Ports as `host_ip:published:target`, whichever syntax the renderer used. */
function ports(svc: ComposeService): string[] {
  return (svc.ports ?? []).map((p) => {
    if (typeof p !== 'string') return `${p.host_ip ?? '0.0.0.0'}:${String(p.published)}:${p.target}`;
    const parts = p.replace(/\/tcp$/, '').split(':');
    return parts.length === 3 ? parts.join(':') : `0.0.0.0:${parts.join(':')}`;
  });
}

function buildContext(svc: ComposeService): string | undefined {
  return typeof svc.build === 'string' ? svc.build : svc.build?.context;
}

/** The JavaScript a `node -e` health check runs. */
function healthScript(svc: ComposeService): string {
  const test = list(svc.healthcheck?.test);
  const at = test.indexOf('-e');
  expect(test.slice(0, 2)).toEqual(['CMD', 'node']);
  if (at < 0 || !test[at + 1]) throw new Error(`expected a node -e health check, got ${JSON.stringify(test)}`);
  return test[at + 1]!;
}

function durationSeconds(value: string | undefined): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  return Number(match[1]) / (match[2] === 'ms' ? 1_000 : match[2] === 'm' ? 1 / 60 : 1);
}

/** Runs a health check script with PORT pointing at a local server that answers `status` on `path`. */
async function runHealthCheck(script: string, path: string, status: number): Promise<{ exitCode: number | null; requested: string[] }> {
  const requested: string[] = [];
  const server: Server = createServer((req, res) => {
    requested.push(req.url ?? '');
    res.writeHead(req.url === path ? status : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env['PATH'] ?? '', PORT: String(port) }, stdio: 'ignore' });
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { exitCode, requested };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Every `env['NAME']` / `process.env.NAME` the application code reads. */
function variablesReadBySrc(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/env(?:\[['"]([A-Z][A-Z0-9_]*)['"]\]|\.([A-Z][A-Z0-9_]*)\b)/g)) names.add((m[1] ?? m[2])!);
      }
    }
  };
  walk(join(ROOT, 'src'));
  for (const name of Object.keys(ProcessEnv.shape)) names.add(name);
  return names;
}

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PUBLIC_KEY|API_KEY|PRIVATE/;
const secretNames = (names: Iterable<string>) => [...names].filter((name) => SECRET_NAME.test(name) || (SECRET_ENV_NAMES as readonly string[]).includes(name));

const cleanups: string[] = [];
let asShipped: Rendered;

beforeAll(() => {
  if (!COMPOSE_BIN) console.warn('docker-compose is not installed: docker-compose.yml is checked by a structural stand-in, not by Compose');
  asShipped = render(ENV_EXAMPLE);
  cleanups.push(asShipped.dir);
});

afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

describe('docker-compose.yml', () => {
  (COMPOSE_BIN ? it : it.skip)('renders with `docker-compose config` (exit 0) from a .env copied from .env.example', () => {
    expect(asShipped.by).toBe('docker-compose');
    expect(Object.keys(asShipped.project.services).sort()).toEqual(['demo-api', 'demo-render', 'ingress', 'redis', 'worker']);
  });

  it('has no obsolete top-level `version` and leaves no .env in the repository', () => {
    const raw = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Record<string, unknown>;
    expect(raw['version']).toBeUndefined();
    expect(Object.keys(raw['services'] as object).sort()).toEqual(['demo-api', 'demo-render', 'ingress', 'redis', 'worker']);
    expect(existsSync(join(ROOT, '.env'))).toBe(false);
  });

  it('runs Redis 7 with AOF (fsync every second) and noeviction on a named volume, health-checked by PING', () => {
    const redis = service(asShipped, 'redis');
    expect(redis.image).toBe('redis:7-alpine');
    const command = list(redis.command);
    const option = (name: string) => command[command.indexOf(name) + 1];
    expect(command[0]).toBe('redis-server');
    expect({ appendonly: option('--appendonly'), appendfsync: option('--appendfsync'), policy: option('--maxmemory-policy') }).toEqual({
      appendonly: 'yes',
      appendfsync: 'everysec',
      policy: 'noeviction',
    });
    const data = (redis.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':').slice(0, 2).join(':') : `${v.source}:${v.target}`));
    expect(data).toEqual(['redis-data:/data']);
    expect(Object.keys(asShipped.project.volumes ?? {})).toContain('redis-data');
    expect(list(redis.healthcheck?.test).join(' ')).toContain('redis-cli ping');
    expect(redis.ports ?? []).toEqual([]);
    expect(redis.restart).toBe('unless-stopped');
  });

  it('builds ingress, worker, demo-api and demo-render from one image of this repository', () => {
    const built = ['ingress', 'worker', 'demo-api', 'demo-render'].map((name) => service(asShipped, name));
    for (const svc of built) expect(buildContext(svc)).toBe(asShipped.dir);
    expect(new Set(built.map((svc) => svc.image))).toEqual(new Set(['rewind:local']));
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it.each([
    ['ingress', ['ingress'], '/readyz'],
    ['worker', ['worker'], '/healthz'],
  ])('runs `rewind %s` after Redis is healthy, against the compose Redis and demo service', (name, command, healthPath) => {
    const svc = service(asShipped, name);
    expect(list(svc.command)).toEqual(command);
    expect(svc.entrypoint).toBeUndefined();
    expect(svc.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    const env = environment(svc);
    expect(env['REDIS_URL']).toBe('redis://redis:6379');
    expect(env['DEMO_SERVICE_URL']).toBe('http://demo-api:8080');
    expect(env['DEMO_RENDER_URL']).toBe('http://demo-render:8090');
    expect(env['REWIND_CONFIG']).toBe('/app/manifests/demo.yaml');
    expect(healthScript(svc)).toContain(healthPath);
    expect(svc.healthcheck?.retries).toBeGreaterThanOrEqual(3);
    expect({ init: svc.init, read_only: svc.read_only, tmpfs: list(svc.tmpfs), restart: svc.restart }).toEqual({
      init: true,
      read_only: true,
      tmpfs: ['/tmp'],
      restart: 'unless-stopped',
    });
    // Longer than REWIND_SHUTDOWN_TIMEOUT_MS's default (10 s), so SIGTERM's drain is not cut short.
    expect(durationSeconds(svc.stop_grace_period)).toBeGreaterThan(10);
  });

  it('publishes the ingress on loopback :3000 and nothing for the worker', () => {
    expect(ports(service(asShipped, 'ingress'))).toEqual(['127.0.0.1:3000:3000']);
    expect(ports(service(asShipped, 'worker'))).toEqual([]);
  });

  it('lets REWIND_CONFIG in .env replace the demo catalog', () => {
    const custom = render(`${ENV_EXAMPLE}\nREWIND_CONFIG=/etc/rewind/rewind.yaml\n`);
    cleanups.push(custom.dir);
    expect(environment(service(custom, 'ingress'))['REWIND_CONFIG']).toBe('/etc/rewind/rewind.yaml');
    expect(environment(service(custom, 'worker'))['REWIND_CONFIG']).toBe('/etc/rewind/rewind.yaml');
  });

  it('runs the demo blue/green service on 0.0.0.0:8080, published on loopback, health-checked on /metrics', () => {
    const demo = service(asShipped, 'demo-api');
    expect(list(demo.entrypoint)).toEqual(['node', 'dist/demo/bluegreen-main.js']);
    expect(existsSync(join(ROOT, 'src/demo/bluegreen-main.ts'))).toBe(true);
    expect(environment(demo)).toMatchObject({ DEMO_SERVICE_HOST: '0.0.0.0', DEMO_SERVICE_PORT: '8080' });
    expect(ports(demo)).toEqual(['127.0.0.1:8080:8080']);
    const script = healthScript(demo);
    // /health answers 503 on purpose while the demo's bad release is live; that is not a dead container.
    expect(script).toContain("'http://127.0.0.1:8080/metrics'");
    expect(script).not.toMatch(/\/health\b/);
    expect({ init: demo.init, read_only: demo.read_only }).toEqual({ init: true, read_only: true });
  });

  it('runs demo-web\'s Render stand-in on 0.0.0.0:8090, published on loopback, health-checked on /app/version', () => {
    const render = service(asShipped, 'demo-render');
    expect(list(render.entrypoint)).toEqual(['node', 'dist/demo/render-main.js']);
    expect(existsSync(join(ROOT, 'src/demo/render-main.ts'))).toBe(true);
    expect(environment(render)).toMatchObject({ DEMO_RENDER_HOST: '0.0.0.0', DEMO_RENDER_PORT: '8090' });
    expect(ports(render)).toEqual(['127.0.0.1:8090:8090']);
    expect(healthScript(render)).toContain("'http://127.0.0.1:8090/app/version'");
    expect({ init: render.init, read_only: render.read_only }).toEqual({ init: true, read_only: true });
  });

  it('has health checks that pass on 200 and fail on 503 or no answer', async () => {
    for (const [name, path] of [['ingress', '/readyz'], ['worker', '/healthz']] as const) {
      const script = healthScript(service(asShipped, name));
      expect({ name, ...(await runHealthCheck(script, path, 200)) }).toEqual({ name, exitCode: 0, requested: [path] });
      expect({ name, ...(await runHealthCheck(script, path, 503)) }).toEqual({ name, exitCode: 1, requested: [path] });
    }
    const closed = spawnSync(process.execPath, ['-e', healthScript(service(asShipped, 'worker'))], { env: { PORT: '1' }, timeout: 10_000 });
    expect(closed.status).toBe(1);
  });
});

describe('secrets in the Compose setup', () => {
  it('names no secret in docker-compose.yml: ingress and worker take them from .env only', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    const raw = parse(text, { merge: true }) as ComposeProject;
    for (const [name, svc] of Object.entries(raw.services)) {
      expect({ name, secrets: secretNames(Object.keys(svc.environment ?? {})) }).toEqual({ name, secrets: [] });
    }
    expect(raw.services['ingress']?.env_file).toBe('.env');
    expect(raw.services['worker']?.env_file).toBe('.env');
    expect(raw.services['demo-api']?.env_file).toBeUndefined();
    expect(text).not.toMatch(/xox[abpr]-|xapp-|gh[po]_|-----BEGIN|:\/\/[^/\s:@]*:[^/\s@]+@/);
  });

  it('passes every secret of .env to ingress and worker unchanged, and none to demo-api', () => {
    const names = secretNames(envEntries(ENV_EXAMPLE).keys());
    expect(names).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'DISCORD_PUBLIC_KEY', 'REWIND_API_TOKEN']));
    const sentinel = (name: string) => `sentinel-${name.toLowerCase()}`;
    const filled = ENV_EXAMPLE.replace(/^([A-Z][A-Z0-9_]*)=(.*)$/gm, (line, name: string) => (names.includes(name) ? `${name}=${sentinel(name)}` : line));
    const rendered = render(filled);
    cleanups.push(rendered.dir);
    for (const svcName of ['ingress', 'worker']) {
      const env = environment(service(rendered, svcName));
      expect(Object.fromEntries(names.map((n) => [n, env[n]]))).toEqual(Object.fromEntries(names.map((n) => [n, sentinel(n)])));
    }
    expect(JSON.stringify(service(rendered, 'demo-api'))).not.toContain('sentinel-');
    expect(JSON.stringify(service(rendered, 'redis'))).not.toContain('sentinel-');
  });
});

describe('.env.example', () => {
  const entries = envEntries(ENV_EXAMPLE);

  it('leaves every secret empty (no real-looking tokens) and documents each variable with a comment', () => {
    const secrets = secretNames(entries.keys());
    expect(Object.fromEntries(secrets.map((n) => [n, entries.get(n)]))).toEqual(Object.fromEntries(secrets.map((n) => [n, ''])));
    const lines = ENV_EXAMPLE.split('\n');
    for (const [index, line] of lines.entries()) {
      if (!/^[A-Z][A-Z0-9_]*=/.test(line)) continue;
      expect({ line, commentAbove: lines[index - 1]?.startsWith('#') }).toEqual({ line, commentAbove: true });
      // Compose v1 would keep an inline comment as part of the value.
      expect({ line, inlineComment: line.includes(' #') }).toEqual({ line, inlineComment: false });
    }
  });

  it('lists every variable the code reads that docker-compose.yml does not set itself', () => {
    const setByCompose = new Set(Object.values(asShipped.project.services).flatMap((svc) => Object.keys(svc.environment ?? {})).filter((name) => !entries.has(name)));
    const listed = listedVariables(ENV_EXAMPLE);
    // Set by the operating system or by Kubernetes in every pod, never by whoever deploys Rewind.
    const SYSTEM = new Set(['PATH', 'HOME', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']);
    const missing = [...variablesReadBySrc()].filter((name) => !listed.has(name) && !setByCompose.has(name) && !SYSTEM.has(name)).sort();
    expect(missing).toEqual([]);
    expect([...listed]).toEqual(expect.arrayContaining(['REWIND_CONFIG', 'REDIS_URL', 'REWIND_API_TOKEN', 'REWIND_CONSOLE', 'REWIND_ROLLBACK_CONCURRENCY', 'REWIND_SHUTDOWN_TIMEOUT_MS']));
  });

  it('as shipped, gives ingress and worker an environment Rewind starts with: the demo catalog and the console, no chat platform', async () => {
    for (const name of ['ingress', 'worker']) {
      const env = environment(service(asShipped, name));
      const settings = parseProcessEnv(env);
      expect(settings).toMatchObject({ REDIS_URL: 'redis://redis:6379', PORT: 3000, LOG_LEVEL: 'info' });
      expect(settings.REWIND_API_TOKEN).toBeUndefined();
      expect(queueSettingsFromEnv(env)).toMatchObject({ prefix: '{rewind}', rollbackConcurrency: 64, shutdownTimeoutMs: 10_000 });
      expect(slackSettingsFromEnv(env)).toBeUndefined();
      expect(discordSettingsFromEnv(env)).toBeUndefined();
      expect(env['REWIND_CONSOLE']).toBe('1');
      // The catalog path inside the image maps to the repository's manifests/ (COPY manifests ./manifests).
      const catalogPath = join(ROOT, relative(IMAGE_WORKDIR, settings.REWIND_CONFIG));
      const { catalog } = await loadCatalog(catalogPath, env);
      expect(catalog.services()).toEqual(['demo-api', 'demo-web']);
    }
  });
});
