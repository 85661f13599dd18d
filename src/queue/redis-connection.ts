/** ioredis connections as BullMQ wants them: no per-request retry limit, reconnect with backoff; or failing fast for intake. */
import Redis from 'ioredis';

/**
 * `failFast`: for taking in chat commands. While Redis is down a command fails at once instead of
 * waiting in ioredis's offline queue, so the person who sent it is told it was not recorded, and it
 * can never run later behind their back (BullMQ's "failing fast when Redis is down").
 */
export function createRedis(url: string, name: string, onError: (error: Error) => void, options: { failFast?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    connectionName: `rewind-${name}`,
    ...(options.failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null }),
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
  });
  redis.on('error', onError);
  return redis;
}
