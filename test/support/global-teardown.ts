/** Jest global teardown: stops the redis-server of global setup. */
import { rmSync } from 'node:fs';
import type { RunningRedis } from './redis-server';

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __rewindRedis?: RunningRedis }).__rewindRedis;
  if (redis) await redis.stop();
  const pidFile = process.env['REWIND_TEST_REDIS_PID_FILE'];
  if (pidFile) rmSync(pidFile, { force: true });
}
