/** ioredis connections as BullMQ wants them: no per-request retry limit, reconnect with backoff. */
import Redis from 'ioredis';

export function createRedis(url: string, name: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, {
    connectionName: `rewind-${name}`,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
  });
  redis.on('error', onError);
  return redis;
}
