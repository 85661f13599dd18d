/**
 * High severity waits for approval: only listed approvers decide, the requester cannot approve
 * their own request, a late or repeated click changes nothing, and an unanswered request expires.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { AlreadyDecidedError, NotAnApproverError, SelfApprovalError } from '../../../src/domain/errors';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, LEAD, ONCALL, SECOND_LEAD, startHarness, STRANGER, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

describe('approval', () => {
  let target: BlueGreenService;
  let h: Harness;

  async function requestHigh(extra: Record<string, unknown> = {}): Promise<RollbackRecord> {
    const result = await h.rewind.service.request({
      service: 'checkout-api',
      severity: 'high',
      reason: 'checkout broken',
      requester: LEAD,
      origin: { platform: 'slack', channelId: 'C0INCIDENT' },
      ...extra,
    });
    if (result.kind !== 'created') throw new Error(`expected a new rollback, got ${result.kind}`);
    return result.record;
  }

  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  describe('with a 15 minute timeout', () => {
    beforeEach(async () => {
      h = await startHarness(bluegreenCatalog(target.url));
    });

    it('waits in pending_approval and shows Approve and Reject on the header', async () => {
      const record = await requestHigh();
      expect(record.state).toBe('pending_approval');
      expect(record.policy).toMatchObject({ decision: 'await_approval', required: 1, selfApproval: false });
      const header = await waitFor(
        () => h.sink.forRollback(record.id).find((e) => e.kind === 'header'),
        (e) => e !== undefined,
        { what: 'the header' },
      );
      expect(header!.message.buttons.map((b) => b.action)).toEqual(expect.arrayContaining(['approve', 'reject']));
      // Delivered after the header (the outbox keeps order), so it may arrive a moment later.
      await waitFor(() => h.sink.forRollback(record.id).some((e) => e.message.kind === 'approval'), (seen) => seen, { what: 'the approval request in the thread' });
      expect(target.rollbackRequests).toBe(0);
    });

    it('refuses a non-approver and the requester, records both refusals, and changes nothing', async () => {
      const record = await requestHigh();
      await expect(h.rewind.service.approve(record.id, STRANGER)).rejects.toThrow(NotAnApproverError);
      await expect(h.rewind.service.approve(record.id, LEAD)).rejects.toThrow(SelfApprovalError);
      await expect(h.rewind.service.reject(record.id, STRANGER)).rejects.toThrow(NotAnApproverError);
      const after = (await h.rewind.store.get(record.id))!;
      expect(after.state).toBe('pending_approval');
      expect(after.approvals).toEqual([]);
      const refusals = (await h.rewind.store.auditTrail(record.id)).filter((e) => e.type === 'approval.refused');
      expect(refusals.map((e) => [e.actor.id, e.data?.['code']])).toEqual([
        ['U0STRANGER', 'not_an_approver'],
        ['U0LEAD', 'self_approval'],
        ['U0STRANGER', 'not_an_approver'],
      ]);
      expect(target.rollbackRequests).toBe(0);
    });

    it('runs once after an approver approves; a second and a concurrent click are "already decided"', async () => {
      const record = await requestHigh();
      const clicks = await Promise.allSettled([h.rewind.service.approve(record.id, SECOND_LEAD), h.rewind.service.approve(record.id, SECOND_LEAD)]);
      const ok = clicks.filter((c) => c.status === 'fulfilled');
      const refused = clicks.filter((c): c is PromiseRejectedResult => c.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.reason).toBeInstanceOf(AlreadyDecidedError);
      expect((refused[0]!.reason as AlreadyDecidedError).userMessage).toContain('lead2');

      const done = await h.waitForState(record.id, ['succeeded', 'failed']);
      expect(done.state).toBe('succeeded');
      expect(done.approvals.map((a) => a.actor.id)).toEqual(['U0LEAD2']);
      await expect(h.rewind.service.approve(record.id, SECOND_LEAD)).rejects.toThrow('Already decided by lead2');
      expect(target.rollbackRequests).toBe(1);
      const audit = await h.rewind.store.auditTrail(record.id);
      expect(audit.filter((e) => e.type === 'approval.granted')).toHaveLength(1);
    });

    it('a rejection ends it; the rejected request never touches the provider', async () => {
      const record = await requestHigh();
      const rejected = await h.rewind.service.reject(record.id, SECOND_LEAD, 'fix forward instead');
      expect(rejected.state).toBe('rejected');
      expect(rejected.rejection).toMatchObject({ actor: { id: 'U0LEAD2' }, reason: 'fix forward instead' });
      await expect(h.rewind.service.approve(record.id, SECOND_LEAD)).rejects.toThrow('Already decided by lead2');
      expect(await h.rewind.store.activeFor('checkout-api', 'production')).toBeUndefined();
      expect(target.rollbackRequests).toBe(0);
    });

    it('requires two distinct approvers under a two-person rule', async () => {
      await h.close();
      h = await startHarness(bluegreenCatalog(target.url, '        approvals: { high: { required: 2 } }'));
      const record = await requestHigh({ requester: ONCALL });
      const first = await h.rewind.service.approve(record.id, LEAD);
      expect(first.state).toBe('pending_approval');
      await expect(h.rewind.service.approve(record.id, LEAD)).rejects.toThrow('already approved');
      const second = await h.rewind.service.approve(record.id, SECOND_LEAD);
      expect(second.state).toBe('queued');
      await h.waitForState(record.id, 'succeeded');
      expect(target.rollbackRequests).toBe(1);
    });
  });

  describe('with a short timeout', () => {
    beforeEach(async () => {
      h = await startHarness(bluegreenCatalog(target.url, '        approvals: { high: { required: 1, timeout: 1s } }'));
    });

    it('expires when nobody decides in time, frees the environment and edits the header', async () => {
      const record = await requestHigh();
      const expired = await h.waitForState(record.id, 'expired', 10_000);
      expect(expired.timings.finishedAt).toBeGreaterThanOrEqual(expired.policy.expiresAt!);
      expect(await h.rewind.store.activeFor('checkout-api', 'production')).toBeUndefined();
      await expect(h.rewind.service.approve(record.id, SECOND_LEAD)).rejects.toThrow(/Already decided.*expired/);
      const header = await waitFor(
        () => h.sink.forRollback(record.id).filter((e) => e.kind === 'header').at(-1),
        (e) => e !== undefined && /expired/i.test(renderPlainText(e.message)),
        { what: 'the header to show the expiry' },
      );
      expect(header!.message.buttons).toEqual([]);
      const audit = await h.rewind.store.auditTrail(record.id);
      expect(audit.at(-1)).toMatchObject({ type: 'transition', from: 'pending_approval', to: 'expired', actor: { platform: 'rewind' } });
      expect(target.rollbackRequests).toBe(0);
    });
  });
});
