/**
 * SIGTERM must stop Rewind even when Redis is gone: draining is bounded, and so is the forced
 * close after it (BullMQ's close would otherwise wait for Redis forever).
 */
import { bluegreenCatalog } from '../support/harness';
import { startRedisServer } from '../support/redis-server';
import { spawnRewind, writeCatalog } from '../support/spawn-rewind';
import { uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

describe('shutdown with Redis gone', () => {
  it('exits 0 on SIGTERM after Redis has stopped', async () => {
    const redis = await startRedisServer();
    const rewind = await spawnRewind('start', {
      REWIND_CONFIG: writeCatalog(bluegreenCatalog('http://127.0.0.1:9')),
      REDIS_URL: redis.url,
      REWIND_REDIS_PREFIX: uniquePrefix('shutdown'),
      REWIND_SHUTDOWN_TIMEOUT_MS: '2000',
    });
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500)); // let the connections notice
    rewind.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([rewind.exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running'), 30_000)))]);
    clearTimeout(timer);
    if (ended === 'still running') rewind.child.kill('SIGKILL');
    expect(ended).toBe(0);
    expect(rewind.output()).toContain('"msg":"stopped"');
  });
});
