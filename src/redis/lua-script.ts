/**
 * A Lua script run by its SHA1 (EVALSHA), so the source crosses the wire once per Redis server
 * rather than with every call; a server that does not know it yet (restart, failover, a new cluster
 * node) answers NOSCRIPT and gets the source once with EVAL, which also caches it there.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client';

export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
