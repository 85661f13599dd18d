/**
 * ioredis connections as BullMQ wants them: no per-request retry limit, reconnect with backoff; or
 * failing fast for intake. A Redis Cluster is reached from one seed node (`REDIS_CLUSTER=true`);
 * every key Rewind and BullMQ use shares the `{rewind}` hash tag, so one slot holds them all.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-client';

export interface RedisConnectionOptions {
  /**
   * For taking in chat commands. While Redis is down a command fails at once instead of waiting in
   * ioredis's offline queue, so the person who sent it is told it was not recorded, and it can never
   * run later behind their back (BullMQ's "failing fast when Redis is down").
   */
  failFast?: boolean;
  /** `url` is one node of a Redis Cluster; the others are discovered from it. */
  cluster?: boolean;
}

const retry = (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000);

/** What a redis:// or rediss:// URL says besides where: user, password, database, TLS. */
function credentials(url: URL): RedisOptions {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export function createRedis(url: string, name: string, onError: (error: Error) => void, options: RedisConnectionOptions = {}): RedisClient {
  const perRequest = options.failFast ? { maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null };
  const offline = options.failFast ? { enableOfflineQueue: false } : {};
  let redis: RedisClient;
  if (options.cluster) {
    const seed = new URL(url);
    redis = new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
      ...offline,
      enableReadyCheck: true,
      clusterRetryStrategy: retry,
      redisOptions: { connectionName: `rewind-${name}`, ...perRequest, ...credentials(seed) },
    });
  } else {
    redis = new Redis(url, { connectionName: `rewind-${name}`, ...perRequest, ...offline, enableReadyCheck: true, retryStrategy: retry });
  }
  redis.on('error', onError);
  return redis;
}
