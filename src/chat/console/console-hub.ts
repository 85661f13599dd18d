/**
 * Fans the console's event stream out to connected pages: one blocking reader per process tails
 * the stream, however many browsers are connected. A new subscriber gets recent history first,
 * then everything after it, with nothing lost or repeated in between.
 */
import type { RedisClient } from '../../redis/redis-client';
import type { Logger } from '../../observability/logger';
import { visibleTo, type ConsoleEvent } from './console-event';
import { after, decode, type ConsoleEventLog } from './console-event-log';

const REPLAY = 500;
const BLOCK_MS = 2_000;

type Listener = { user: string; send: (event: ConsoleEvent) => void; from: string | undefined; buffer: { position: string; event: ConsoleEvent }[] | undefined };

export class ConsoleHub {
  private readonly listeners = new Set<Listener>();
  private lastPosition = '$';
  private running = false;
  private stopped = false;

  constructor(
    private readonly log: ConsoleEventLog,
    private readonly reader: RedisClient,
    private readonly logger: Logger,
  ) {}

  /** Sends the recent history visible to `user`, then live events; returns the unsubscribe function. */
  async subscribe(user: string, send: (event: ConsoleEvent) => void): Promise<() => void> {
    // Registered before the snapshot and buffering, so an event landing in between is not lost.
    const listener: Listener = { user, send, from: undefined, buffer: [] };
    this.listeners.add(listener);
    this.ensureRunning();
    const history = await this.log.recent(REPLAY);
    for (const { event } of history) if (visibleTo(event, user)) send(event);
    listener.from = history.at(-1)?.position ?? '0-0';
    for (const item of listener.buffer ?? []) if (after(item.position, listener.from) && visibleTo(item.event, user)) send(item.event);
    listener.buffer = undefined;
    return () => this.listeners.delete(listener);
  }

  private ensureRunning(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.tail();
  }

  private async tail(): Promise<void> {
    while (!this.stopped) {
      try {
        const result = (await this.reader.xread('BLOCK', BLOCK_MS, 'STREAMS', this.log.key, this.lastPosition)) as [string, [string, string[]][]][] | null;
        for (const [, entries] of result ?? []) {
          for (const item of decode(entries)) {
            this.lastPosition = item.position;
            this.dispatch(item);
          }
          const last = entries.at(-1);
          if (last) this.lastPosition = last[0];
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error }, 'console stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private dispatch(item: { position: string; event: ConsoleEvent }): void {
    for (const listener of this.listeners) {
      if (listener.buffer) listener.buffer.push(item);
      else if (visibleTo(item.event, listener.user) && (!listener.from || after(item.position, listener.from))) listener.send(item.event);
    }
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
    this.reader.disconnect();
  }
}
