/** A connection to Redis as Rewind uses it: one server, or a Redis Cluster (all of Rewind's keys share one hash-tag slot). */
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;
