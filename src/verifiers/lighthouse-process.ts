/**
 * Runs the Lighthouse CLI as a child process and collects its JSON report. Lighthouse is ESM-only,
 * so a CommonJS process (and jest) cannot import it; a child process also lets a hung run be killed
 * outright. Each run gets its own temporary directory, removed afterwards, and nothing it started
 * (Node or Chromium) outlives it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface LighthouseRunOptions {
  url: string;
  categories: readonly string[];
  chromePath: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Where the run's temporary directory goes; the system's temp directory unless given. */
  workRoot?: string | undefined;
}

export type LighthouseRun =
  | { kind: 'finished'; exitCode: number | null; stdout: string; stderrTail: string }
  | { kind: 'timed-out' }
  | { kind: 'not-started'; reason: string };

const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
].join(' ');

/** Kept of stderr for the reason a run failed: its last lines say why. */
const STDERR_TAIL = 4_000;

/** The CLI's path from the installed package's own `bin` entry, wherever npm put it. */
export function lighthouseCli(): string {
  const manifestPath = require.resolve('lighthouse/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['lighthouse'];
  if (!bin) throw new Error('the lighthouse package names no CLI in its bin entry');
  return join(dirname(manifestPath), bin);
}

function cliArguments(options: LighthouseRunOptions, cli: string): string[] {
  return [
    cli,
    options.url,
    '--output=json',
    '--output-path=stdout',
    `--only-categories=${options.categories.join(',')}`,
    '--quiet',
    `--chrome-flags=${CHROME_FLAGS}`,
    // Desktop, and no throttling: the page is measured as it loads from where the bot runs. Simulated
    // throttling (the default) models a slow phone from a near-zero-latency trace, so a slow server
    // barely moves the score and a local page scores oddly; `provided` counts real time-to-first-byte
    // and real main-thread blocking, which is what a rollback changes.
    '--form-factor=desktop',
    '--screenEmulation.disabled',
    '--throttling-method=provided',
    // A screenshot of the whole page is not evidence anyone reads here, and costs a second per run.
    '--disable-full-page-screenshot',
  ];
}

/**
 * The child's environment: what Node and Chromium need, not the bot's tokens. TMPDIR puts the
 * profile chrome-launcher creates (`mktemp -t lighthouse.XXXXXXX`) inside our own directory.
 */
function childEnvironment(chromePath: string, workDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CHROME_PATH: chromePath, TMPDIR: workDir };
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone (ESRCH): nothing to stop.
  }
}

/**
 * chrome-launcher starts Chromium detached, in a process group of its own, so killing Lighthouse's
 * group does not reach it; the pid file it leaves in the profile it made under `workDir` does.
 * chrome-launcher deletes that profile when it closes Chromium itself, so a pid file still present
 * names a Chromium that may be running.
 */
function killChromium(workDir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(workDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith('lighthouse.')) continue;
    let pid: number;
    try {
      pid = Number(readFileSync(join(workDir, entry, 'chrome.pid'), 'utf8').trim());
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && pid > 1) killGroup(pid);
  }
}

/**
 * Runs Lighthouse once. Resolves with its output, or `timed-out` after stopping everything it
 * started; rejects with the signal's reason when the caller aborts (also after stopping it all).
 */
export async function runLighthouse(options: LighthouseRunOptions): Promise<LighthouseRun> {
  const { signal } = options;
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  let cli: string;
  try {
    cli = lighthouseCli();
  } catch (error) {
    return { kind: 'not-started', reason: `Lighthouse CLI not found: ${error instanceof Error ? error.message : String(error)}` };
  }
  const workDir = mkdtempSync(join(options.workRoot ?? tmpdir(), 'rewind-lighthouse-'));
  try {
    return await supervise(options, cli, workDir);
  } finally {
    killChromium(workDir);
    rmSync(workDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

function supervise(options: LighthouseRunOptions, cli: string, workDir: string): Promise<LighthouseRun> {
  const { signal } = options;
  return new Promise<LighthouseRun>((resolve, reject) => {
    // Detached: the CLI leads a process group, so one kill stops it and anything it forked.
    const child = spawn(process.execPath, cliArguments(options, cli), {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnvironment(options.chromePath, workDir),
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });

    let stopped: { kind: 'timed-out' } | { kind: 'aborted'; reason: unknown } | undefined;
    const stop = (why: NonNullable<typeof stopped>) => {
      if (stopped) return;
      stopped = why;
      if (child.pid !== undefined) killGroup(child.pid);
      killChromium(workDir);
    };
    const timer = setTimeout(() => stop({ kind: 'timed-out' }), options.timeoutMs);
    const onAbort = () => stop({ kind: 'aborted', reason: signal?.reason ?? new Error('aborted') });
    signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    child.on('error', (error) => settle(() => resolve({ kind: 'not-started', reason: `could not start Lighthouse: ${error.message}` })));
    // `close`, not `exit`: the report is only whole once stdout has ended.
    child.on('close', (exitCode) =>
      settle(() => {
        if (stopped?.kind === 'aborted') reject(stopped.reason);
        else if (stopped?.kind === 'timed-out') resolve(stopped);
        else resolve({ kind: 'finished', exitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderrTail: stderr });
      }),
    );
  });
}
