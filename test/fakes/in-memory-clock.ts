/**
 * A clock the test drives: `now()` moves only when the test (or a sleep, in auto mode) moves it.
 *
 * - auto mode (the default): a sleep advances the clock by what it asked for and resolves at once,
 *   so a polling loop runs to its end in a few microtasks, deterministically.
 * - manual mode: a sleep waits until the test calls `advance()` past its due time (or its signal
 *   aborts), so a test can act while the engine is parked in a wait.
 */
import type { Clock } from '../../src/domain/ports';

interface Sleeper {
  due: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private current: number;
  private readonly sleepers: Sleeper[] = [];
  private readonly sleepWatchers: (() => void)[] = [];

  constructor(
    start: number,
    private readonly mode: 'auto' | 'manual' = 'auto',
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Sets the time outright (forward only) and wakes the sleepers that are due. */
  set(ms: number): void {
    if (ms < this.current) throw new Error(`ManualClock only moves forward (at ${this.current}, asked for ${ms})`);
    this.current = ms;
    this.wake();
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Sleeps not yet woken (manual mode). */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Resolves once at least one sleep is waiting (manual mode): the engine has reached a wait. */
  whenSleeping(): Promise<void> {
    if (this.sleepers.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.sleepWatchers.push(resolve));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    this.sleeps.push(ms);
    if (this.mode === 'auto') {
      this.current += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = { due: this.current + Math.max(0, ms), resolve };
      const onAbort = () => {
        this.remove(sleeper);
        reject(signal?.reason ?? new Error('aborted'));
      };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      for (const watcher of this.sleepWatchers.splice(0)) watcher();
    });
  }

  private remove(sleeper: Sleeper): void {
    const i = this.sleepers.indexOf(sleeper);
    if (i >= 0) this.sleepers.splice(i, 1);
  }

  private wake(): void {
    const due = this.sleepers.filter((s) => s.due <= this.current).sort((a, b) => a.due - b.due);
    for (const sleeper of due) {
      this.remove(sleeper);
      sleeper.resolve();
    }
  }
}
