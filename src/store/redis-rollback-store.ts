/**
 * RollbackStore on Redis. Sequence numbers for audit and chat events come from the record, so a
 * commit retried after a crash either lands whole with the same numbers or is refused by the CAS.
 */
import type { RedisClient } from '../redis/redis-client';
import { AuditEvent, type NewAuditEvent } from '../domain/audit';
import { ConflictError, UnknownRollbackError } from '../domain/errors';
import { OutboundEvent } from '../domain/outbound-event';
import type { Commit, CreateResult, RecordListQuery, RollbackStore } from '../domain/ports';
import { RollbackRecord } from '../domain/rollback-record';
import { isFinished } from '../domain/rollback-state';
import type { SecretScrubber } from '../observability/secret-scrubber';
import type { Keys } from './keys';
import { COMMIT_SCRIPT, CREATE_SCRIPT } from './scripts';

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const GLOBAL_AUDIT_MAX_LEN = 100_000;

type Serialized = { recordJson: string; audit: string[]; outbox: string[]; record: RollbackRecord };

export class RedisRollbackStore implements RollbackStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scrubber: SecretScrubber,
    private readonly now: () => number = Date.now,
  ) {}

  /** Numbers the events from the record's counters and scrubs secrets from everything stored. */
  private serialize(commit: Commit, version: number): Serialized {
    const base = commit.record;
    const at = this.now();
    const audit = commit.audit.map((event, i) => ({ ...event, seq: base.auditSeq + i + 1, rollbackId: base.id }));
    const outbox = commit.outbox.map((event, i) => ({ broadcast: false, ...event, seq: base.outboxSeq + i + 1, rollbackId: base.id, at }));
    const record: RollbackRecord = { ...base, version, auditSeq: base.auditSeq + audit.length, outboxSeq: base.outboxSeq + outbox.length };
    return {
      record,
      recordJson: this.scrubber.scrub(JSON.stringify(record)),
      audit: audit.map((e) => this.scrubber.scrub(JSON.stringify(e))),
      outbox: outbox.map((e) => this.scrubber.scrub(JSON.stringify(e))),
    };
  }

  async create(commit: Commit, options: { idempotencyKey?: string }): Promise<CreateResult> {
    const { record } = commit;
    const s = this.serialize(commit, 1);
    const k = this.keys;
    const keys = [k.record(record.id), k.active(record.service, record.environment), k.idempotency(options.idempotencyKey ?? '-'), k.index(), k.serviceIndex(record.service), k.audit(record.id), k.globalAudit(), k.outbox(record.id), k.outboxPending()];
    const result = (await CREATE_SCRIPT.run(this.redis, keys, [
      record.id,
      s.recordJson,
      String(record.timings.requestedAt),
      String(IDEMPOTENCY_TTL_SECONDS),
      options.idempotencyKey ? '1' : '0',
      String(s.audit.length),
      String(s.outbox.length),
      String(GLOBAL_AUDIT_MAX_LEN),
      ...s.audit,
      ...s.outbox,
    ])) as [string, string?];
    if (result[0] === 'duplicate') return { status: 'duplicate', existingId: result[1]! };
    if (result[0] === 'active') return { status: 'active', activeId: result[1]! };
    return { status: 'created', record: RollbackRecord.parse(JSON.parse(s.recordJson)) };
  }

  async get(id: string): Promise<RollbackRecord | undefined> {
    const [version, json] = await this.redis.hmget(this.keys.record(id), 'v', 'json');
    if (!version || !json) return undefined;
    return RollbackRecord.parse({ ...JSON.parse(json), version: Number(version) });
  }

  async findByIdempotencyKey(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.idempotency(key))) ?? undefined;
  }

  async commit(expectedVersion: number, commit: Commit): Promise<RollbackRecord> {
    const { record } = commit;
    const s = this.serialize(commit, expectedVersion + 1);
    const k = this.keys;
    const keys = [k.record(record.id), k.active(record.service, record.environment), k.audit(record.id), k.globalAudit(), k.outbox(record.id), k.outboxPending()];
    const result = (await COMMIT_SCRIPT.run(this.redis, keys, [
      record.id,
      String(expectedVersion),
      s.recordJson,
      isFinished(record.state) ? '1' : '0',
      String(s.audit.length),
      String(s.outbox.length),
      String(GLOBAL_AUDIT_MAX_LEN),
      ...s.audit,
      ...s.outbox,
    ])) as number;
    if (result === -2) throw new UnknownRollbackError(record.id);
    if (result === -1) throw new ConflictError(record.id);
    return RollbackRecord.parse(JSON.parse(s.recordJson));
  }

  async activeFor(service: string, environment: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.active(service, environment))) ?? undefined;
  }

  async list(query: RecordListQuery): Promise<RollbackRecord[]> {
    const index = query.service ? this.keys.serviceIndex(query.service) : this.keys.index();
    const filtered = query.environment !== undefined || query.state !== undefined;
    const out: RollbackRecord[] = [];
    const page = filtered ? Math.max(query.limit * 4, 50) : query.limit;
    for (let start = 0; out.length < query.limit; start += page) {
      const ids = await this.redis.zrevrange(index, start, start + page - 1);
      if (ids.length === 0) break;
      for (const record of await this.getMany(ids)) {
        if (query.environment !== undefined && record.environment !== query.environment) continue;
        if (query.state !== undefined && record.state !== query.state) continue;
        out.push(record);
        if (out.length === query.limit) break;
      }
      if (ids.length < page) break;
    }
    return out;
  }

  private async getMany(ids: readonly string[]): Promise<RollbackRecord[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.record(id), 'v', 'json');
    const rows = (await pipeline.exec()) ?? [];
    const out: RollbackRecord[] = [];
    for (const [error, row] of rows) {
      const [version, json] = (row ?? []) as [string | null, string | null];
      if (error || !version || !json) continue;
      out.push(RollbackRecord.parse({ ...JSON.parse(json), version: Number(version) }));
    }
    return out;
  }

  async auditTrail(id: string): Promise<AuditEvent[]> {
    const entries = await this.redis.xrange(this.keys.audit(id), '-', '+');
    return entries.map(([, fields]) => AuditEvent.parse(JSON.parse(fields[1]!)));
  }

  async outboxEvents(id: string): Promise<OutboundEvent[]> {
    const entries = await this.redis.xrange(this.keys.outbox(id), '-', '+');
    return entries.map(([, fields]) => OutboundEvent.parse(JSON.parse(fields[1]!)));
  }

  async recordGlobalEvent(event: NewAuditEvent, context: Record<string, unknown>): Promise<void> {
    const entry = this.scrubber.scrub(JSON.stringify({ ...event, data: { ...event.data, ...context } }));
    await this.redis.xadd(this.keys.globalAudit(), 'MAXLEN', '~', String(GLOBAL_AUDIT_MAX_LEN), '*', 'e', entry);
  }

  /** The global audit stream, newest first (refusals included). */
  async recentAudit(limit: number): Promise<AuditEvent[]> {
    const entries = await this.redis.xrevrange(this.keys.globalAudit(), '+', '-', 'COUNT', limit);
    return entries.map(([, fields]) => AuditEvent.parse(JSON.parse(fields[1]!)));
  }
}
