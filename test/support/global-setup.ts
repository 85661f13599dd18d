/** Jest global setup: one private redis-server for the whole run; each test file uses its own key prefix. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startRedisServer } from './redis-server';

export const PID_FILE = join(tmpdir(), `rewind-test-redis-${process.pid}.pid`);

export default async function globalSetup(): Promise<void> {
  const redis = await startRedisServer();
  process.env['REWIND_TEST_REDIS_URL'] = redis.url;
  process.env['REWIND_TEST_REDIS_PID_FILE'] = PID_FILE;
  writeFileSync(PID_FILE, String(redis.process.pid));
  (globalThis as { __rewindRedis?: unknown }).__rewindRedis = redis;
}
