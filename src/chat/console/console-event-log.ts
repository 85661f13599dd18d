/**
 * The console's chat lives in one Redis stream, so workers (which post) and any ingress replica
 * (which serves the page) share it. Capped: the console shows recent history only.
 */
import type { RedisClient } from '../../redis/redis-client';
import { ConsoleEvent } from './console-event';

const MAX_EVENTS = 5_000;

export interface LoggedEvent {
  /** The stream id, ordered. */
  position: string;
  event: ConsoleEvent;
}

export function decode(entries: [string, string[]][]): LoggedEvent[] {
  return entries.flatMap(([position, fields]) => {
    const parsed = ConsoleEvent.safeParse(JSON.parse(fields[1] ?? 'null'));
    return parsed.success ? [{ position, event: parsed.data }] : [];
  });
}

/** Stream ids are "ms-seq"; compare them as numbers, not strings. */
export function after(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am! > bm! || (am === bm && as! > bs!);
}

export class ConsoleEventLog {
  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
  ) {}

  async append(event: ConsoleEvent): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(MAX_EVENTS), '*', 'e', JSON.stringify(event));
  }

  /** The newest `limit` events, oldest first. */
  async recent(limit: number): Promise<LoggedEvent[]> {
    return decode(await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit)).reverse();
  }
}
