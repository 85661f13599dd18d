/** Test access to the private redis-server of src/demo/local-redis.ts (the demo uses the same code). */
export { freePort, startLocalRedis as startRedisServer, type LocalRedis as RunningRedis } from '../../src/demo/local-redis';
