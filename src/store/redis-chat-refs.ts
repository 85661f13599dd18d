/** ChatRefs in one Redis hash per rollback, kept for 30 days (long enough to edit a header or add a root cause). */
import type { RedisClient } from '../redis/redis-client';
import type { ChatRefs } from '../domain/chat-refs';
import type { Keys } from './keys';

const TTL_SECONDS = 30 * 24 * 3600;

export class RedisChatRefs implements ChatRefs {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async get(rollbackId: string, key: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.chatRefs(rollbackId), key)) ?? undefined;
  }

  async set(rollbackId: string, key: string, value: string): Promise<void> {
    const hash = this.keys.chatRefs(rollbackId);
    // Pipelined, not a transaction: should the EXPIRE be lost, the next set of the rollback renews it.
    await Promise.all([this.redis.hset(hash, key, value), this.redis.expire(hash, TTL_SECONDS)]);
  }
}
