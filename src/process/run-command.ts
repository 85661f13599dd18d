/**
 * Runs a command from the catalog (never text from chat): argv without a shell, in its own process
 * group killed whole on timeout or abort, with only PATH, HOME and the catalog's variables, keeping
 * the masked tail of its output. Shared by the `command` check and the `command` plan step.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { OutputTail } from './output-tail';

/** How long the output may keep flowing after the command exited (a child still holding the pipe). */
const DRAIN_GRACE_MS = 2_000;

export interface CommandSpec {
  run: readonly string[];
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  timeoutMs: number;
  /** Where all of stdout goes when the caller needs it whole (a list the command prints); the tail then keeps stderr only. */
  stdoutFile?: string;
}

export type Ending =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'timeout' }
  | { kind: 'aborted'; reason: unknown }
  | { kind: 'unstartable'; code: string };

export interface CommandRun {
  ending: Ending;
  elapsedMs: number;
  tail: string[];
}

export function runCommand(spec: CommandSpec, signal?: AbortSignal): Promise<CommandRun> {
  const tail = new OutputTail({ secrets: Object.values(spec.env ?? {}) });
  const [file, ...args] = spec.run as [string, ...string[]];
  const began = performance.now();
  return new Promise<CommandRun>((resolve) => {
    let child: ChildProcess;
    let stdoutFd: number | undefined;
    try {
      if (spec.stdoutFile !== undefined) stdoutFd = openSync(spec.stdoutFile, 'w', 0o600);
      child = spawn(file, args, {
        ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
        env: environment(spec.env),
        stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
        // Its own process group, so a timeout can take the children it started down with it.
        detached: true,
        shell: false,
        windowsHide: true,
      });
    } catch (error) {
      if (stdoutFd !== undefined) closeSync(stdoutFd);
      resolve({ ending: { kind: 'unstartable', code: errorCode(error) }, elapsedMs: 0, tail: [] });
      return;
    }
    // The child holds its own copy of the descriptor.
    if (stdoutFd !== undefined) closeSync(stdoutFd);

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
      if (!settled) timers.push(setTimeout(finish, DRAIN_GRACE_MS));
    });
    // All output read: the verdict is complete.
    child.once('close', finish);
    timers.push(setTimeout(() => stop({ kind: 'timeout' }), spec.timeoutMs));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** PATH and HOME so the command can find its tools, and the catalog's own variables; nothing else of Rewind's. */
function environment(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
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

export function describeEnding(ending: Ending): string {
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

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
