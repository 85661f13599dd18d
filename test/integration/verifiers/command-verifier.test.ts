/**
 * The command check with real processes (`node -e …`, so it runs wherever the tests do): exit codes,
 * the timeout and the process group it kills, the output tail and what it masks.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/app/system-clock';
import { CommandCheckConfig } from '../../../src/config/catalog-schema';
import type { Release } from '../../../src/domain/release';
import { CommandVerifier } from '../../../src/verifiers/command-verifier';
import { waitFor } from '../../support/wait-for';

const TARGET: Release = { id: '2.4.0', version: '2.4.0' };
const NODE = process.execPath;

function verifier(check: Record<string, unknown>) {
  return new CommandVerifier(CommandCheckConfig.parse({ type: 'command', ...check }), { clock: systemClock });
}

/** A check that runs `script` with node. */
function script(source: string, check: Record<string, unknown> = {}) {
  return verifier({ run: [NODE, '-e', source], ...check });
}

/** Whether `pid` still runs; a killed process waiting to be reaped (a zombie, on Linux) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Starts a grandchild that would run for a minute and writes both pids to `file`, then idles. */
const SPAWN_TREE = `
  const { spawn } = require('node:child_process');
  const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  require('node:fs').writeFileSync(process.env.PIDS_FILE, JSON.stringify([process.pid, grandchild.pid]));
  console.log('started');
  setTimeout(() => {}, 60000);
`;

describe('command verifier', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'rewind-command-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function pids(): number[] {
    return JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8')) as number[];
  }

  it('passes on exit 0 and names the check after the leading words of its argv', async () => {
    const check = verifier({ run: [NODE, '-e', 'console.log("all good")'] });
    expect(check.name).toBe('node');
    const result = await check.verify({ target: TARGET });
    expect(result).toMatchObject({ name: 'node', type: 'command', status: 'pass', threshold: 'exit 0 within 5 min' });
    expect(result.measured).toMatch(/^exit 0 in \d+\.\d s$/);
    expect(result.samples).toHaveLength(1);
    expect(result.samples[0]).toMatchObject({ outcome: 'pass', value: 'exit 0', note: 'all good' });
  });

  it('names an npm script by its words and stops at the first option', () => {
    expect(verifier({ run: ['npm', 'run', 'test:e2e:smoke', '--', '--headed'] }).name).toBe('npm run test:e2e:smoke');
    expect(verifier({ run: ['/usr/bin/make', '--quiet', 'smoke'] }).name).toBe('make');
    expect(verifier({ name: 'smoke tests', run: ['npm', 'test'] }).name).toBe('smoke tests');
  });

  it('fails on a non-zero exit with the last lines of stdout and stderr', async () => {
    const result = await script('console.log("checking /"); console.error("expected 200, got 503"); process.exit(3)').verify({ target: TARGET });
    expect(result.status).toBe('fail');
    expect(result.measured).toMatch(/^exit 3 in \d+\.\d s: checking \/ \| expected 200, got 503$/);
    expect(result.samples[0]).toMatchObject({ outcome: 'fail', value: 'exit 3', note: 'checking /\nexpected 200, got 503' });
  });

  it('fails when the command is killed by a signal', async () => {
    const result = await script('process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000)').verify({ target: TARGET });
    expect(result.status).toBe('fail');
    expect(result.measured).toMatch(/^killed by SIGTERM after \d+\.\d s$/);
  });

  it('fails on timeout and kills the whole process group, grandchildren included', async () => {
    // The tree runs forever: the check only returns because the timeout stopped it.
    const result = await script(SPAWN_TREE, { timeout: '1s', env: { PIDS_FILE: join(dir, 'pids.json') } }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: 'timed out after 1 s: started', threshold: 'exit 0 within 1 s' });
    const [child, grandchild] = pids() as [number, number];
    await waitFor(() => [alive(child), alive(grandchild)], (seen) => !seen.includes(true), { timeoutMs: 2_000, what: 'the command and its child to be gone' });
  });

  it('keeps only the tail of a huge output', async () => {
    // 5 MB of numbered lines, then a last word.
    const source = `
      const line = 'x'.repeat(90);
      let out = '';
      for (let i = 0; i < 55000; i++) out += i + ' ' + line + '\\n';
      process.stdout.write(out, () => { console.error('the end'); process.exit(1); });
    `;
    const result = await script(source).verify({ target: TARGET });
    expect(result.status).toBe('fail');
    const note = result.samples[0]!.note!;
    const lines = note.split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[9]).toBe('the end');
    expect(lines[8]).toMatch(/^54999 x+$/);
    expect(note.length).toBeLessThanOrEqual(4 * 1024);
    expect(result.measured.length).toBeLessThan(1_100);
    expect(result.measured).toMatch(/ \| the end$/);
    expect(result.measured).not.toContain('\n0 x');
  });

  it('masks env values and token-shaped strings the command prints', async () => {
    const secret = 'hunter2-very-secret-value';
    const github = `ghp_${'A1b2'.repeat(9)}`;
    const result = await script(
      `console.log("using " + process.env.SMOKE_PASSWORD); console.log("auth: Bearer abcdefghijklmnop"); console.log("${github}"); console.log("DEPLOY_TOKEN=s3cr3t-value"); process.exit(2)`,
      { env: { SMOKE_PASSWORD: secret } },
    ).verify({ target: TARGET });
    expect(result.status).toBe('fail');
    const evidence = JSON.stringify(result);
    for (const leaked of [secret, 'abcdefghijklmnop', github, 's3cr3t-value']) expect(evidence).not.toContain(leaked);
    expect(result.samples[0]!.note).toBe('using [redacted]\nauth: Bearer [redacted]\n[redacted]\nDEPLOY_TOKEN=[redacted]');
  });

  it('masks a secret that straddles the cut of the tail', async () => {
    const secret = 'Zq9-'.repeat(30);
    // 100 KB first, so the tail is trimmed while it streams; the secret then ends about 4000 bytes
    // before the end, inside the kept 4 KiB but starting before it: trimming it first would leave its end readable.
    const source = `process.stdout.write('a'.repeat(100000) + '\\n' + process.env.S + 'y'.repeat(4000) + '\\n', () => process.exit(1))`;
    const result = await script(source, { env: { S: secret } }).verify({ target: TARGET });
    expect(JSON.stringify(result)).not.toMatch(/Zq9-Zq9-/);
  });

  it('runs in cwd with PATH, HOME and the check env, and nothing else of the parent environment', async () => {
    process.env['REWIND_SHOULD_NOT_LEAK'] = 'parent-secret';
    try {
      const source = `
        const env = process.env;
        const ok = process.cwd() === ${JSON.stringify(dir)} && env.SMOKE_URL === 'http://127.0.0.1:9/' && env.PATH === ${JSON.stringify(process.env['PATH'])}
          && env.HOME === ${JSON.stringify(process.env['HOME'])} && env.REWIND_SHOULD_NOT_LEAK === undefined;
        console.log(ok ? 'env ok' : 'env wrong: ' + process.cwd());
        process.exit(ok ? 0 : 1);
      `;
      const result = await script(source, { cwd: dir, env: { SMOKE_URL: 'http://127.0.0.1:9/' } }).verify({ target: TARGET });
      expect(result.samples[0]!.note).toBe('env ok');
      expect(result.status).toBe('pass');
    } finally {
      delete process.env['REWIND_SHOULD_NOT_LEAK'];
    }
  });

  it('gives the command no stdin', async () => {
    const result = await script('process.stdin.on("data", () => {}); process.stdin.on("end", () => process.exit(0))', { timeout: '5s' }).verify({ target: TARGET });
    expect(result.status).toBe('pass');
  });

  it('stops the command, and its children, when the signal aborts', async () => {
    const controller = new AbortController();
    const file = join(dir, 'pids.json');
    const running = script(SPAWN_TREE, { env: { PIDS_FILE: file } }).verify({ target: TARGET, signal: controller.signal });
    const started = () => {
      try {
        return pids().length === 2;
      } catch {
        return false;
      }
    };
    await waitFor(started, Boolean, { timeoutMs: 5_000, what: 'the command to start' });
    controller.abort(new Error('rollback cancelled'));
    await expect(running).rejects.toThrow('rollback cancelled');
    const [child, grandchild] = pids() as [number, number];
    await waitFor(() => [alive(child), alive(grandchild)], (seen) => !seen.includes(true), { timeoutMs: 2_000, what: 'the command and its child to be gone' });
  });

  it('is inconclusive when the command cannot be started', async () => {
    const result = await verifier({ run: ['rewind-no-such-command-here', 'smoke'] }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', name: 'rewind-no-such-command-here smoke' });
    expect(result.measured).toBe('could not start rewind-no-such-command-here (ENOENT); check run and cwd');
  });

  it('is inconclusive when cwd does not exist', async () => {
    const result = await script('process.exit(0)', { cwd: join(dir, 'missing') }).verify({ target: TARGET });
    expect(result.status).toBe('inconclusive');
  });
});
