/** The Redis store keeps the RollbackStore contract, on the test Redis, under a key prefix of its own per case. */
import type Redis from 'ioredis';
import { SecretScrubber } from '../../../src/observability/secret-scrubber';
import { Keys } from '../../../src/store/keys';
import { RedisRollbackStore } from '../../../src/store/redis-rollback-store';
import { rollbackStoreContract } from '../../contract/rollback-store-contract';
import { connect, uniquePrefix } from '../../support/redis';

let redis: Redis;
beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await redis.quit();
});

rollbackStoreContract('Redis', (now) => ({ store: new RedisRollbackStore(redis, new Keys(uniquePrefix('store')), new SecretScrubber(), now) }));
