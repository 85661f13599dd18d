/**
 * Notices: one chat message about a service environment that is not part of a rollback ("automatic
 * rollback not started: cooldown"). Stored with their message in the same outbox as rollbacks, so
 * they reach every incident channel in order, with retries, through the same drainer.
 */
import type { RedisClient } from '../redis/redis-client';
import { z } from 'zod';
import { newRollbackId } from '../domain/ids';
import type { Message } from '../domain/message';
import type { Conversation, Notices } from '../domain/ports';
import { ChannelRefs } from '../domain/rollback-record';
import type { SecretScrubber } from '../observability/secret-scrubber';
import type { Keys } from './keys';

const NOTICE_TTL_SECONDS = 30 * 24 * 3600;
const Stored = z.object({ id: z.string(), service: z.string(), environment: z.string(), channels: ChannelRefs });

export class RedisNoticeStore implements Notices {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scrubber: SecretScrubber,
    private readonly now: () => number,
  ) {}

  static isNoticeId(id: string): boolean {
    return id.startsWith('nt_');
  }

  async post(where: Omit<Conversation, 'id'>, message: Message): Promise<string> {
    const id = `nt_${newRollbackId(this.now()).slice(3)}`;
    const event = { seq: 1, rollbackId: id, at: this.now(), kind: 'header', broadcast: false, supersedes: 'header', message };
    await this.redis
      .multi()
      .set(this.keys.notice(id), JSON.stringify({ id, service: where.service, environment: where.environment, channels: where.channels }), 'EX', NOTICE_TTL_SECONDS)
      .xadd(this.keys.outbox(id), '*', 'e', this.scrubber.scrub(JSON.stringify(event)))
      .expire(this.keys.outbox(id), NOTICE_TTL_SECONDS)
      .sadd(this.keys.outboxPending(), id)
      .exec();
    return id;
  }

  async get(id: string): Promise<Conversation | undefined> {
    const raw = await this.redis.get(this.keys.notice(id));
    return raw ? Stored.parse(JSON.parse(raw)) : undefined;
  }
}
