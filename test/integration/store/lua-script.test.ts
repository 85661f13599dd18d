/** Scripts go by SHA1; a Redis that forgot them (restart, SCRIPT FLUSH, a new node) gets the source once. */
import type Redis from 'ioredis';
import { LuaScript } from '../../../src/redis/lua-script';
import { connect, uniquePrefix } from '../../support/redis';

describe('LuaScript', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = connect();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('runs by SHA1, and sends the source again after the server forgot it', async () => {
    const key = `${uniquePrefix('lua')}:counter`;
    const script = new LuaScript(`return redis.call("INCRBY", KEYS[1], ARGV[1])`);
    await redis.script('FLUSH');
    expect(await script.run(redis, [key], ['2'])).toBe(2);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await script.run(redis, [key], ['3'])).toBe(5);
    await redis.script('FLUSH');
    expect(await script.run(redis, [key], ['1'])).toBe(6);
  });

  it('passes on a script error instead of retrying it', async () => {
    const broken = new LuaScript('return redis.call("NOPE")');
    await expect(broken.run(redis, [], [])).rejects.toThrow(/Unknown Redis command|unknown command/i);
  });
});
