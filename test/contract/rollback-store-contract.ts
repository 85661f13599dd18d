/**
 * What every RollbackStore must do, run against each implementation: the in-memory store (unit,
 * test/unit/store) and the Redis store (integration, test/integration/store). The engine relies on
 * each of these; a store that passes them can stand in for the other.
 */
import type { NewAuditEvent } from '../../src/domain/audit';
import { ConflictError, UnknownRollbackError } from '../../src/domain/errors';
import type { NewOutboundEvent } from '../../src/domain/outbound-event';
import type { RollbackStore } from '../../src/domain/ports';
import type { RollbackRecord } from '../../src/domain/rollback-record';
import type { RollbackState } from '../../src/domain/rollback-state';
import { ACTORS, makeRecord, MINUTE, T0 } from '../support/record-factory';

export interface StoreUnderTest {
  store: RollbackStore;
  close?(): Promise<void>;
}

export type StoreFactory = (now: () => number) => Promise<StoreUnderTest> | StoreUnderTest;

const NOTICE = (title: string): NewOutboundEvent => ({
  kind: 'thread',
  message: { kind: 'notice', tone: 'info', title, fields: [], sections: [], buttons: [], footer: [], fallback: title },
});

const AUDIT = (type: NewAuditEvent['type'], at: number, extra: Partial<NewAuditEvent> = {}): NewAuditEvent => ({ type, at, actor: ACTORS.steve, ...extra });

export function rollbackStoreContract(name: string, factory: StoreFactory): void {
  describe(`RollbackStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: RollbackStore;
    let now = T0;
    let serial = 0;

    beforeEach(async () => {
      now = T0;
      subject = await factory(() => now);
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close?.();
    });

    /** A new queued request (version 0, no events yet), `minutesLater` after T0. */
    function fresh(overrides: Partial<RollbackRecord> = {}, minutesLater = 0): RollbackRecord {
      serial++;
      const requestedAt = T0 + minutesLater * MINUTE;
      return makeRecord({
        id: `rb_contract_${String(serial).padStart(4, '0')}`,
        state: 'queued',
        version: 0,
        auditSeq: 0,
        outboxSeq: 0,
        timings: { requestedAt, queuedAt: requestedAt },
        ...overrides,
      });
    }

    async function create(record: RollbackRecord, idempotencyKey?: string) {
      return store.create({ record, audit: [AUDIT('requested', record.timings.requestedAt, { to: record.state })], outbox: [NOTICE('requested')] }, idempotencyKey ? { idempotencyKey } : {});
    }

    async function created(record: RollbackRecord, idempotencyKey?: string): Promise<RollbackRecord> {
      const result = await create(record, idempotencyKey);
      if (result.status !== 'created') throw new Error(`expected created, got ${result.status}`);
      return result.record;
    }

    /** Commits a move to `state` on the stored version. */
    async function moveTo(id: string, state: RollbackState): Promise<RollbackRecord> {
      const current = (await store.get(id))!;
      return store.commit(current.version, { record: { ...current, state }, audit: [AUDIT('transition', now, { from: current.state, to: state })], outbox: [] });
    }

    describe('create', () => {
      it('stores a new record at version 1 and makes it the active rollback of its service environment', async () => {
        const record = fresh();
        const result = await create(record, 'interaction-1');
        expect(result).toMatchObject({ status: 'created', record: { id: record.id, version: 1, auditSeq: 1, outboxSeq: 1, state: 'queued' } });
        expect(await store.get(record.id)).toMatchObject({ id: record.id, version: 1, service: 'checkout-api', environment: 'production' });
        expect(await store.activeFor('checkout-api', 'production')).toBe(record.id);
        expect(await store.findByIdempotencyKey('interaction-1')).toBe(record.id);
      });

      it('answers a seen idempotency key with the existing rollback, before looking at the active one', async () => {
        const first = await created(fresh(), 'interaction-1');
        const again = fresh();
        expect(await create(again, 'interaction-1')).toEqual({ status: 'duplicate', existingId: first.id });
        expect(await store.get(again.id)).toBeUndefined();
      });

      it('refuses a second rollback of an environment with an active one, and does not consume its key', async () => {
        const first = await created(fresh(), 'interaction-1');
        const second = fresh();
        expect(await create(second, 'interaction-2')).toEqual({ status: 'active', activeId: first.id });
        expect(await store.get(second.id)).toBeUndefined();
        expect(await store.findByIdempotencyKey('interaction-2')).toBeUndefined();
        expect(await store.auditTrail(second.id)).toEqual([]);
      });

      it('lets other environments and services have their own active rollback', async () => {
        const production = await created(fresh());
        const staging = await created(fresh({ environment: 'staging' }));
        const other = await created(fresh({ service: 'search-api' }));
        expect(await store.activeFor('checkout-api', 'production')).toBe(production.id);
        expect(await store.activeFor('checkout-api', 'staging')).toBe(staging.id);
        expect(await store.activeFor('search-api', 'production')).toBe(other.id);
        expect(await store.activeFor('payments', 'production')).toBeUndefined();
      });

      it('knows nothing of ids and keys it never stored', async () => {
        expect(await store.get('rb_contract_missing')).toBeUndefined();
        expect(await store.findByIdempotencyKey('never-seen')).toBeUndefined();
        expect(await store.auditTrail('rb_contract_missing')).toEqual([]);
        expect(await store.outboxEvents('rb_contract_missing')).toEqual([]);
      });
    });

    describe('commit', () => {
      it('is compare-and-set on the version: the next version lands, a stale one throws ConflictError and writes nothing', async () => {
        const record = await created(fresh());
        const saved = await store.commit(1, { record: { ...record, reason: 'first' }, audit: [AUDIT('step.started', now)], outbox: [NOTICE('first')] });
        expect(saved).toMatchObject({ version: 2, reason: 'first' });
        await expect(store.commit(1, { record: { ...record, reason: 'stale' }, audit: [AUDIT('step.started', now)], outbox: [NOTICE('stale')] })).rejects.toThrow(ConflictError);
        expect(await store.get(record.id)).toMatchObject({ version: 2, reason: 'first' });
        expect((await store.auditTrail(record.id)).length).toBe(2);
        expect((await store.outboxEvents(record.id)).length).toBe(2);
      });

      it('lets exactly one of two concurrent commits on the same version through', async () => {
        const record = await created(fresh());
        const results = await Promise.allSettled(
          ['a', 'b'].map((reason) => store.commit(1, { record: { ...record, reason }, audit: [AUDIT('step.started', now)], outbox: [] })),
        );
        const won = results.filter((r): r is PromiseFulfilledResult<RollbackRecord> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
        expect(await store.get(record.id)).toMatchObject({ version: 2, reason: won[0]!.value.reason });
        expect((await store.auditTrail(record.id)).map((e) => e.seq)).toEqual([1, 2]);
      });

      it('throws UnknownRollbackError for a record it does not hold', async () => {
        const ghost = fresh();
        await expect(store.commit(1, { record: ghost, audit: [], outbox: [] })).rejects.toThrow(UnknownRollbackError);
        expect(await store.get(ghost.id)).toBeUndefined();
      });

      it('keeps the record exactly as committed', async () => {
        const record = await created(fresh());
        const draft: RollbackRecord = { ...record, state: 'running', timings: { ...record.timings, startedAt: T0 + 1_000 }, approvals: [{ actor: ACTORS.lead, at: T0 + 500 }] };
        draft.steps = draft.steps.map((s) => (s.name === 'precheck' ? { ...s, status: 'succeeded', attempts: 1, startedAt: T0 + 1_000, finishedAt: T0 + 1_300, detail: 'ok' } : s));
        await store.commit(1, { record: draft, audit: [], outbox: [] });
        expect(await store.get(record.id)).toEqual({ ...draft, version: 2 });
      });
    });

    describe('sequence numbers', () => {
      it('numbers audit and outbox events 1, 2, 3… per rollback with no gap, across create and commits', async () => {
        const record = fresh();
        const result = await store.create(
          { record, audit: [AUDIT('requested', now), AUDIT('step.started', now)], outbox: [NOTICE('one'), NOTICE('two'), NOTICE('three')] },
          {},
        );
        if (result.status !== 'created') throw new Error(result.status);
        expect(result.record).toMatchObject({ auditSeq: 2, outboxSeq: 3 });
        now += 1_000;
        const second = await store.commit(1, { record: result.record, audit: [AUDIT('step.succeeded', now)], outbox: [NOTICE('four'), NOTICE('five')] });
        expect(second).toMatchObject({ version: 2, auditSeq: 3, outboxSeq: 5 });
        await store.commit(2, { record: second, audit: [], outbox: [] });
        const third = await store.commit(3, { record: (await store.get(record.id))!, audit: [AUDIT('transition', now, { from: 'queued', to: 'running' })], outbox: [NOTICE('six')] });
        expect(third).toMatchObject({ version: 4, auditSeq: 4, outboxSeq: 6 });

        const audit = await store.auditTrail(record.id);
        expect(audit.map((e) => [e.seq, e.type, e.rollbackId])).toEqual([
          [1, 'requested', record.id],
          [2, 'step.started', record.id],
          [3, 'step.succeeded', record.id],
          [4, 'transition', record.id],
        ]);
        const outbox = await store.outboxEvents(record.id);
        expect(outbox.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(outbox.map((e) => e.message.title)).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
        expect(outbox.map((e) => e.at)).toEqual([T0, T0, T0, T0 + 1_000, T0 + 1_000, T0 + 1_000]);
        expect(outbox.every((e) => e.rollbackId === record.id && e.broadcast === false)).toBe(true);
      });

      it('keeps what the event says about broadcast and supersedes', async () => {
        const record = fresh();
        await store.create({ record, audit: [], outbox: [{ ...NOTICE('summary'), broadcast: true, supersedes: 'summary' }] }, {});
        expect(await store.outboxEvents(record.id)).toEqual([expect.objectContaining({ seq: 1, broadcast: true, supersedes: 'summary' })]);
      });

      it('numbers each rollback on its own', async () => {
        const a = await created(fresh());
        const b = await created(fresh({ environment: 'staging' }));
        await store.commit(1, { record: a, audit: [AUDIT('step.started', now)], outbox: [NOTICE('a2')] });
        expect((await store.auditTrail(a.id)).map((e) => e.seq)).toEqual([1, 2]);
        expect((await store.auditTrail(b.id)).map((e) => e.seq)).toEqual([1]);
        expect((await store.outboxEvents(b.id)).map((e) => e.seq)).toEqual([1]);
      });
    });

    describe('the active rollback', () => {
      it.each(['succeeded', 'failed', 'rejected', 'expired', 'cancelled'] as const)('is freed when the rollback commits %s', async (state) => {
        const record = await created(fresh({ state: state === 'rejected' || state === 'expired' ? 'pending_approval' : 'queued' }));
        await moveTo(record.id, state);
        expect(await store.activeFor('checkout-api', 'production')).toBeUndefined();
        const next = fresh({}, 1);
        expect((await create(next)).status).toBe('created');
        expect(await store.activeFor('checkout-api', 'production')).toBe(next.id);
      });

      it.each(['queued', 'running', 'verifying'] as const)('stays taken while the rollback is %s', async (state) => {
        const record = await created(fresh());
        await moveTo(record.id, state);
        expect(await store.activeFor('checkout-api', 'production')).toBe(record.id);
      });

      it('is not freed by a later commit of an older, finished rollback', async () => {
        const old = await created(fresh());
        await moveTo(old.id, 'succeeded');
        const current = await created(fresh({}, 1));
        // A postmortem written on the old rollback after the new one started.
        await moveTo(old.id, 'succeeded');
        expect(await store.activeFor('checkout-api', 'production')).toBe(current.id);
      });
    });

    describe('list', () => {
      async function seed(): Promise<Record<string, RollbackRecord>> {
        const out: Record<string, RollbackRecord> = {};
        const plan: [string, Partial<RollbackRecord>, number, RollbackState][] = [
          ['prodOld', {}, 0, 'succeeded'],
          ['stagingFailed', { environment: 'staging' }, 1, 'failed'],
          ['searchProd', { service: 'search-api' }, 2, 'succeeded'],
          ['prodCancelled', {}, 3, 'cancelled'],
          ['prodRunning', {}, 4, 'running'],
        ];
        for (const [key, overrides, minute, state] of plan) {
          const record = await created(fresh(overrides, minute));
          out[key] = await moveTo(record.id, state);
        }
        return out;
      }

      it('lists newest request first, up to the limit', async () => {
        const r = await seed();
        expect((await store.list({ limit: 10 })).map((x) => x.id)).toEqual([r['prodRunning']!.id, r['prodCancelled']!.id, r['searchProd']!.id, r['stagingFailed']!.id, r['prodOld']!.id]);
        expect((await store.list({ limit: 2 })).map((x) => x.id)).toEqual([r['prodRunning']!.id, r['prodCancelled']!.id]);
      });

      it('filters by service, environment and state, together', async () => {
        const r = await seed();
        expect((await store.list({ service: 'checkout-api', limit: 10 })).map((x) => x.id)).toEqual([r['prodRunning']!.id, r['prodCancelled']!.id, r['stagingFailed']!.id, r['prodOld']!.id]);
        expect((await store.list({ service: 'checkout-api', environment: 'staging', limit: 10 })).map((x) => x.id)).toEqual([r['stagingFailed']!.id]);
        expect((await store.list({ environment: 'production', state: 'succeeded', limit: 10 })).map((x) => x.id)).toEqual([r['searchProd']!.id, r['prodOld']!.id]);
        expect((await store.list({ service: 'checkout-api', environment: 'production', state: 'succeeded', limit: 10 })).map((x) => x.id)).toEqual([r['prodOld']!.id]);
        expect(await store.list({ service: 'payments', limit: 10 })).toEqual([]);
      });

      it('returns records at their current version', async () => {
        const r = await seed();
        const [first] = await store.list({ service: 'checkout-api', state: 'running', limit: 1 });
        expect(first).toEqual(r['prodRunning']);
        expect(first!.version).toBe(2);
      });

      it('fills the limit from past a page of filtered-out records', async () => {
        const kept = await created(fresh({ environment: 'staging' }));
        await moveTo(kept.id, 'succeeded');
        for (let i = 1; i <= 60; i++) {
          const record = await created(fresh({}, i));
          await moveTo(record.id, 'cancelled');
        }
        expect((await store.list({ environment: 'staging', limit: 1 })).map((x) => x.id)).toEqual([kept.id]);
      });
    });

    describe('global events', () => {
      it('keeps every rollback audit event and every refusal outside a rollback, newest first', async () => {
        const record = await created(fresh());
        now += 1_000;
        await store.recordGlobalEvent(AUDIT('request.refused', now, { reason: 'Low severity: fix it in the next release.', data: { severity: 'low' } }), { code: 'policy_refused', service: 'checkout-api' });
        const recent = await store.recentAudit(10);
        expect(recent).toHaveLength(2);
        expect(recent[0]).toMatchObject({ type: 'request.refused', at: T0 + 1_000, reason: 'Low severity: fix it in the next release.', data: { severity: 'low', code: 'policy_refused', service: 'checkout-api' } });
        expect(recent[0]!.seq).toBeUndefined();
        expect(recent[0]!.rollbackId).toBeUndefined();
        expect(recent[1]).toMatchObject({ type: 'requested', seq: 1, rollbackId: record.id });
        expect(await store.auditTrail(record.id)).toHaveLength(1);
        expect((await store.recentAudit(1)).map((e) => e.type)).toEqual(['request.refused']);
      });
    });
  });
}
