/** Per-test-file access to the shared test Redis: a unique key prefix and tracked connections. */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export function testRedisUrl(): string {
  const url = process.env['REWIND_TEST_REDIS_URL'];
  if (!url) throw new Error('REWIND_TEST_REDIS_URL is not set: run the tests through jest (global setup starts redis-server)');
  return url;
}

/** A Redis Cluster-style hash-tag prefix unique to one test. */
export function uniquePrefix(label = 't'): string {
  return `{rwt-${label}-${randomBytes(4).toString('hex')}}`;
}

export function connect(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}
