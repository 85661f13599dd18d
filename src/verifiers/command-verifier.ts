/**
 * The `command` check: a team's own smoke test (seed 003: `npm run test:e2e:smoke`) run from the
 * catalog's argv, without a shell. Exit 0 within the timeout passes; any other exit, a signal or the
 * timeout fails. The evidence is the masked tail of what it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { CommandCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import type { CheckResult, CheckStatus } from '../domain/verification';
import { describeDuration } from '../outbound/http-errors';
import { OutputTail } from './output-tail';

/** How long the output may keep flowing after the command exited (a child still holding the pipe). */
const DRAIN_GRACE_MS = 2_000;
const NAME_WORDS = 3;
/** `measured` is one line in a chat message; the whole tail stays in the sample's note. */
const MEASURED_TAIL_CHARS = 1_000;

type Ending =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'timeout' }
  | { kind: 'aborted'; reason: unknown }
  | { kind: 'unstartable'; code: string };

interface Run {
  ending: Ending;
  elapsedMs: number;
  tail: string[];
}

export class CommandVerifier implements Verifier {
  readonly type = 'command';
  readonly name: string;

  constructor(
    private readonly check: CommandCheckConfig,
    private readonly deps: { clock: Clock },
  ) {
    this.name = check.name ?? defaultName(check.run);
  }

  async verify({ signal }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const run = await this.run(signal);
    if (run.ending.kind === 'aborted') throw run.ending.reason;
    const { status, measured } = this.judge(run);
    return {
      name: this.name,
      type: this.type,
      status,
      measured,
      threshold: `exit 0 within ${describeDuration(this.check.timeout)}`,
      durationMs: clock.now() - started,
      samples: [{ at: clock.now(), outcome: status, value: describeEnding(run.ending), ...(run.tail.length ? { note: run.tail.join('\n') } : {}) }],
    };
  }

  private judge({ ending, elapsedMs, tail }: Run): { status: CheckStatus; measured: string } {
    const last = tail.length ? `: ${shorten(tail.join(' | '))}` : '';
    switch (ending.kind) {
      case 'exit':
        return ending.code === 0
          ? { status: 'pass', measured: `exit 0 in ${seconds(elapsedMs)}` }
          : { status: 'fail', measured: `exit ${ending.code} in ${seconds(elapsedMs)}${last}` };
      case 'signal':
        return { status: 'fail', measured: `killed by ${ending.signal} after ${seconds(elapsedMs)}${last}` };
      case 'timeout':
        return { status: 'fail', measured: `timed out after ${describeDuration(this.check.timeout)}${last}` };
      case 'unstartable':
        // The command never ran, so nothing was learned about the release: a person decides.
        return { status: 'inconclusive', measured: `could not start ${this.check.run[0] ?? 'the command'} (${ending.code}); check run and cwd` };
      case 'aborted':
        throw ending.reason;
    }
  }

  private run(signal: AbortSignal | undefined): Promise<Run> {
    const tail = new OutputTail({ secrets: Object.values(this.check.env ?? {}) });
    const [file, ...args] = this.check.run as [string, ...string[]];
    const began = performance.now();
    return new Promise<Run>((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(file, args, {
          ...(this.check.cwd !== undefined ? { cwd: this.check.cwd } : {}),
          env: this.environment(),
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so a timeout can take the children it started down with it.
          detached: true,
          shell: false,
          windowsHide: true,
        });
      } catch (error) {
        resolve({ ending: { kind: 'unstartable', code: errorCode(error) }, elapsedMs: 0, tail: [] });
        return;
      }

      let ending: Ending | undefined;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = () => {
        if (settled || !ending) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        killGroup(child);
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ ending, elapsedMs: performance.now() - began, tail: tail.lines() });
      };
      /** The first ending counts: a timeout's SIGKILL must not be reported as the command's own signal. */
      const end = (what: Ending) => {
        ending ??= what;
      };
      const stop = (what: Ending) => {
        end(what);
        finish();
      };
      const onAbort = () => stop({ kind: 'aborted', reason: signal?.reason ?? new Error('aborted') });

      child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
      child.once('error', (error) => stop({ kind: 'unstartable', code: errorCode(error) }));
      child.once('exit', (code, sig) => {
        end(code !== null ? { kind: 'exit', code } : { kind: 'signal', signal: sig ?? 'a signal' });
        // A background child may hold the pipe open long after the command is done.
        timers.push(setTimeout(finish, DRAIN_GRACE_MS));
      });
      // All output read: the verdict is complete.
      child.once('close', finish);
      timers.push(setTimeout(() => stop({ kind: 'timeout' }), this.check.timeout));
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** PATH and HOME so the command can find its tools, and the check's own variables; nothing else of Rewind's. */
  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const name of ['PATH', 'HOME'] as const) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    return { ...env, ...this.check.env };
  }
}

/**
 * `npm run test:e2e:smoke` from `["npm", "run", "test:e2e:smoke", "--", "--headed"]`: the leading
 * plain words only, up to the first option, so neither a script (`node -e …`) nor a value passed
 * as an argument becomes the check's name in a thread.
 */
function defaultName(run: readonly string[]): string {
  const words: string[] = [];
  for (const word of run.slice(0, NAME_WORDS)) {
    if (word.startsWith('-') || !/^[\w.:/@+-]{1,40}$/.test(word)) break;
    words.push(words.length === 0 ? (word.split('/').pop() ?? word) : word);
  }
  return words.length ? words.join(' ') : 'command';
}

/**
 * Kills the command's whole process group. Also after a normal exit: what it left running in the
 * background is no part of a finished check.
 */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function describeEnding(ending: Ending): string {
  switch (ending.kind) {
    case 'exit':
      return `exit ${ending.code}`;
    case 'signal':
      return ending.signal;
    case 'timeout':
      return 'timeout';
    case 'unstartable':
      return ending.code;
    case 'aborted':
      return 'aborted';
  }
}

/** The end of `text`, where a failing run says why. */
function shorten(text: string): string {
  return text.length > MEASURED_TAIL_CHARS ? `…${text.slice(text.length - MEASURED_TAIL_CHARS)}` : text;
}

/** `1.2 s`: a test run is read in seconds. */
function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
