/** OutboxLog on Redis streams: one stream per rollback, one cursor per sink, a token lock per drain. */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client';
import { OutboundEvent } from '../domain/outbound-event';
import type { OutboxLog } from '../domain/ports';
import type { Keys } from './keys';
import { RELEASE_LOCK_SCRIPT } from './scripts';
import { LuaScript } from '../redis/lua-script';

/**
 * KEYS: outbox stream, cursor hash, pending set. ARGV: rollbackId, sink names…
 * Removes the rollback from the pending set only if every sink's cursor is at the stream's end,
 * atomically with respect to appends (which are scripts too).
 */
const SETTLE_SCRIPT = new LuaScript(`
local last = redis.call("XREVRANGE", KEYS[1], "+", "-", "COUNT", 1)
if #last == 0 then redis.call("SREM", KEYS[3], ARGV[1]) return 1 end
local lastId = last[1][1]
for i = 2, #ARGV do
  if redis.call("HGET", KEYS[2], ARGV[i]) ~= lastId then return 0 end
end
redis.call("SREM", KEYS[3], ARGV[1])
return 1
`);

export class RedisOutboxLog implements OutboxLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async pending(rollbackId: string, sink: string, limit: number): Promise<{ position: string; event: OutboundEvent }[]> {
    const cursor = await this.redis.hget(this.keys.outboxCursor(rollbackId), sink);
    const start = cursor ? `(${cursor}` : '-';
    const entries = await this.redis.xrange(this.keys.outbox(rollbackId), start, '+', 'COUNT', limit);
    return entries.map(([position, fields]) => ({ position, event: OutboundEvent.parse(JSON.parse(fields[1]!)) }));
  }

  async advance(rollbackId: string, sink: string, position: string): Promise<void> {
    await this.redis.hset(this.keys.outboxCursor(rollbackId), sink, position);
  }

  async tryLock(rollbackId: string, ttlMs: number): Promise<string | undefined> {
    const token = randomBytes(8).toString('hex');
    const ok = await this.redis.set(this.keys.outboxLock(rollbackId), token, 'PX', ttlMs, 'NX');
    return ok ? token : undefined;
  }

  async unlock(rollbackId: string, token: string): Promise<void> {
    await RELEASE_LOCK_SCRIPT.run(this.redis, [this.keys.outboxLock(rollbackId)], [token]);
  }

  async settle(rollbackId: string, sinks: readonly string[]): Promise<boolean> {
    const k = this.keys;
    const result = await SETTLE_SCRIPT.run(this.redis, [k.outbox(rollbackId), k.outboxCursor(rollbackId), k.outboxPending()], [rollbackId, ...sinks]);
    return result === 1;
  }

  async markDeliveryWaiting(rollbackId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.outboxWaiting(rollbackId), '1', 'PX', ttlMs, 'NX')) !== null;
  }

  async clearDeliveryWaiting(rollbackId: string): Promise<void> {
    await this.redis.del(this.keys.outboxWaiting(rollbackId));
  }

  async pauseSink(rollbackId: string, sink: string, ms: number): Promise<void> {
    await this.redis.set(this.keys.outboxPause(rollbackId, sink), '1', 'PX', Math.max(1, Math.ceil(ms)));
  }

  async sinkPause(rollbackId: string, sink: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.keys.outboxPause(rollbackId, sink)));
  }

  async pendingRollbacks(limit: number): Promise<string[]> {
    return this.redis.srandmember(this.keys.outboxPending(), limit);
  }
}
