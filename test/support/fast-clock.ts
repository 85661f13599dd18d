/**
 * A clock for provider tests: time moves as if every sleep were served in full, but a sleep takes at
 * most a few milliseconds of real time. The sleeps asked for are recorded, so a test can show that
 * Retry-After was honoured without waiting for it.
 */
import type { Clock } from '../../src/domain/ports';
import { silentLogger } from '../../src/observability/logger';
import { HttpClient } from '../../src/outbound/http-client';

export class FastClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private skipped = 0;

  now(): number {
    return Date.now() + this.skipped;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    this.sleeps.push(ms);
    const real = Math.min(ms, 5);
    this.skipped += ms - real;
    await new Promise((resolve) => setTimeout(resolve, real));
  }
}

/** The shared HTTP client as providers get it, on a FastClock, with backoff short enough for tests. */
export function fastHttp(clock: FastClock): HttpClient {
  return new HttpClient({ logger: silentLogger(), clock, backoffBaseMs: 5, backoffCapMs: 20 });
}
