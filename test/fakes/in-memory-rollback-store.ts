/**
 * RollbackStore in memory, with the Redis store's semantics (src/store/redis-rollback-store.ts and
 * its Lua scripts), checked by the same contract suite (test/contract/rollback-store-contract.ts):
 *
 * - create refuses with `duplicate` when the idempotency key was seen (checked first), with `active`
 *   when the service+environment has an active rollback; otherwise it takes the active slot.
 * - commit is compare-and-set on the version: UnknownRollbackError for a missing record,
 *   ConflictError when someone committed first; a final state frees the active slot if it holds it.
 * - audit and outbox events are numbered from the record's counters, contiguous per rollback;
 *   every audit event also lands in the global stream, with refusals recorded outside any rollback.
 *
 * Everything is stored as JSON and parsed back, so a caller never shares objects with the store.
 */
import { AuditEvent, type NewAuditEvent } from '../../src/domain/audit';
import { ConflictError, UnknownRollbackError } from '../../src/domain/errors';
import { OutboundEvent } from '../../src/domain/outbound-event';
import type { Commit, CreateResult, RecordListQuery, RollbackStore } from '../../src/domain/ports';
import { RollbackRecord } from '../../src/domain/rollback-record';
import { isFinished } from '../../src/domain/rollback-state';

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

interface Stored {
  version: number;
  json: string;
  requestedAt: number;
}

export class InMemoryRollbackStore implements RollbackStore {
  private readonly records = new Map<string, Stored>();
  private readonly active = new Map<string, string>();
  private readonly idempotency = new Map<string, { id: string; expiresAt: number }>();
  private readonly audit = new Map<string, string[]>();
  private readonly outbox = new Map<string, string[]>();
  private readonly global: string[] = [];
  /** Rollbacks with chat events written (the Redis store's outbox-pending set). */
  readonly outboxPending = new Set<string>();
  private readonly beforeCommitHooks: ((id: string) => Promise<void> | void)[] = [];
  /** Commits attempted, and those refused by the version check. */
  commits = 0;
  conflicts = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Runs `hook` once, right before the next commit's version check: another writer slipping in
   * between a read and a commit, as a second worker or a second click would.
   */
  beforeNextCommit(hook: (id: string) => Promise<void> | void): void {
    this.beforeCommitHooks.push(hook);
  }

  private activeKey(service: string, environment: string): string {
    return `${service}\u0000${environment}`;
  }

  /** Numbers the events from the record's counters, as the Redis store does. */
  private serialize(commit: Commit, version: number): { record: RollbackRecord; audit: string[]; outbox: string[] } {
    const base = commit.record;
    const at = this.now();
    const audit = commit.audit.map((event, i) => ({ ...event, seq: base.auditSeq + i + 1, rollbackId: base.id }));
    const outbox = commit.outbox.map((event, i) => ({ broadcast: false, ...event, seq: base.outboxSeq + i + 1, rollbackId: base.id, at }));
    const record: RollbackRecord = { ...base, version, auditSeq: base.auditSeq + audit.length, outboxSeq: base.outboxSeq + outbox.length };
    return { record, audit: audit.map((e) => JSON.stringify(e)), outbox: outbox.map((e) => JSON.stringify(e)) };
  }

  private append(id: string, audit: string[], outbox: string[]): void {
    const trail = this.audit.get(id) ?? [];
    trail.push(...audit);
    this.audit.set(id, trail);
    this.global.push(...audit);
    const events = this.outbox.get(id) ?? [];
    events.push(...outbox);
    this.outbox.set(id, events);
    if (outbox.length > 0) this.outboxPending.add(id);
  }

  async create(commit: Commit, options: { idempotencyKey?: string }): Promise<CreateResult> {
    const { record } = commit;
    const s = this.serialize(commit, 1);
    const key = options.idempotencyKey;
    if (key !== undefined) {
      const seen = this.idempotency.get(key);
      if (seen && seen.expiresAt > this.now()) return { status: 'duplicate', existingId: seen.id };
    }
    const activeKey = this.activeKey(record.service, record.environment);
    const active = this.active.get(activeKey);
    if (active !== undefined) return { status: 'active', activeId: active };
    this.active.set(activeKey, record.id);
    if (key !== undefined) this.idempotency.set(key, { id: record.id, expiresAt: this.now() + IDEMPOTENCY_TTL_MS });
    const json = JSON.stringify(s.record);
    this.records.set(record.id, { version: 1, json, requestedAt: record.timings.requestedAt });
    this.append(record.id, s.audit, s.outbox);
    return { status: 'created', record: RollbackRecord.parse(JSON.parse(json)) };
  }

  async get(id: string): Promise<RollbackRecord | undefined> {
    const stored = this.records.get(id);
    if (!stored) return undefined;
    return RollbackRecord.parse({ ...JSON.parse(stored.json), version: stored.version });
  }

  async findByIdempotencyKey(key: string): Promise<string | undefined> {
    const seen = this.idempotency.get(key);
    return seen && seen.expiresAt > this.now() ? seen.id : undefined;
  }

  async commit(expectedVersion: number, commit: Commit): Promise<RollbackRecord> {
    const { record } = commit;
    this.commits++;
    const hook = this.beforeCommitHooks.shift();
    if (hook) await hook(record.id);
    const s = this.serialize(commit, expectedVersion + 1);
    const stored = this.records.get(record.id);
    if (!stored) throw new UnknownRollbackError(record.id);
    if (stored.version !== expectedVersion) {
      this.conflicts++;
      throw new ConflictError(record.id);
    }
    const json = JSON.stringify(s.record);
    this.records.set(record.id, { ...stored, version: expectedVersion + 1, json });
    const activeKey = this.activeKey(record.service, record.environment);
    if (isFinished(record.state) && this.active.get(activeKey) === record.id) this.active.delete(activeKey);
    this.append(record.id, s.audit, s.outbox);
    return RollbackRecord.parse(JSON.parse(json));
  }

  async activeFor(service: string, environment: string): Promise<string | undefined> {
    return this.active.get(this.activeKey(service, environment));
  }

  async list(query: RecordListQuery): Promise<RollbackRecord[]> {
    // Newest request first; equal times by id, descending, as a Redis sorted set's ZREVRANGE orders them.
    const ids = [...this.records.entries()]
      .sort(([a, x], [b, y]) => y.requestedAt - x.requestedAt || (a < b ? 1 : a > b ? -1 : 0))
      .map(([id]) => id);
    const out: RollbackRecord[] = [];
    for (const id of ids) {
      const record = (await this.get(id))!;
      if (query.service !== undefined && record.service !== query.service) continue;
      if (query.environment !== undefined && record.environment !== query.environment) continue;
      if (query.state !== undefined && record.state !== query.state) continue;
      if (out.length === query.limit) break;
      out.push(record);
    }
    return out;
  }

  async auditTrail(id: string): Promise<AuditEvent[]> {
    return (this.audit.get(id) ?? []).map((json) => AuditEvent.parse(JSON.parse(json)));
  }

  async outboxEvents(id: string): Promise<OutboundEvent[]> {
    return (this.outbox.get(id) ?? []).map((json) => OutboundEvent.parse(JSON.parse(json)));
  }

  async recordGlobalEvent(event: NewAuditEvent, context: Record<string, unknown>): Promise<void> {
    this.global.push(JSON.stringify({ ...event, data: { ...event.data, ...context } }));
  }

  /** The global audit stream, newest first (refusals included), as RedisRollbackStore.recentAudit. */
  async recentAudit(limit: number): Promise<AuditEvent[]> {
    if (limit <= 0) return [];
    return this.global
      .slice(-limit)
      .reverse()
      .map((json) => AuditEvent.parse(JSON.parse(json)));
  }
}
