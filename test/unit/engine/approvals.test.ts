/**
 * Approvals on in-memory ports: only listed approvers decide (directly, by Slack group or Discord
 * role), the requester may not approve their own request unless policy allows it, a quorum needs
 * that many different approvers, a late or repeated click changes nothing and says who decided,
 * an unanswered request expires by the clock, and concurrent clicks serialize through the
 * store's compare-and-set.
 */
import type { Actor } from '../../../src/domain/actor';
import type { GroupDirectory } from '../../../src/domain/approvers';
import { AlreadyApprovedError, AlreadyDecidedError, NotAnApproverError, SelfApprovalError } from '../../../src/domain/errors';
import { decideApproval, expireApproval } from '../../../src/engine/decide-approval';
import { auditLine, inMemoryEngine, MINUTE, PEOPLE, policyOf, START, STANDARD_RULES, targetOf, type EngineWorld } from '../../support/in-memory-engine';

const approve = (w: EngineWorld, id: string, actor: Actor) => decideApproval(w.deps, id, actor, 'approve');
const reject = (w: EngineWorld, id: string, actor: Actor, reason?: string) => decideApproval(w.deps, id, actor, 'reject', reason);

function worldWith(rules: Partial<typeof STANDARD_RULES>, extra: { selfApproval?: boolean; groups?: GroupDirectory } = {}): EngineWorld {
  const policy = policyOf({ rules: { ...STANDARD_RULES, ...rules }, selfApproval: extra.selfApproval ?? false });
  return inMemoryEngine({ target: targetOf({ policy }), ...(extra.groups ? { groups: extra.groups } : {}) });
}

describe('approvals: who may decide', () => {
  it('a listed approver approves: queued, handed to a worker, the expiry timer cancelled', async () => {
    const w = inMemoryEngine();
    const { id, policy } = await w.request({ severity: 'high' });
    expect(w.scheduler.pendingExpiries()).toEqual([{ rollbackId: id, atMs: START + 15 * MINUTE }]);

    w.clock.advance(2 * MINUTE);
    const after = await approve(w, id, PEOPLE.lead);

    expect(after.state).toBe('queued');
    expect(after.approvals).toEqual([{ actor: PEOPLE.lead, at: START + 2 * MINUTE }]);
    expect(after.timings.queuedAt).toBe(START + 2 * MINUTE);
    expect(w.scheduler.pending()).toEqual([{ rollbackId: id, run: 1 }]);
    expect(w.scheduler.expiriesCancelled).toEqual([{ rollbackId: id, atMs: policy.expiresAt }]);
    expect(w.scheduler.pendingExpiries()).toEqual([]);
    expect((await w.trail(id)).map(auditLine).slice(-2)).toEqual(['approval.granted', 'transition:queued']);
    expect(await w.thread(id)).toContain('Approved by lead: starting the rollback');
    expect(w.provider.rollbackCalls).toEqual([]);
  });

  const refusals: { name: string; actor: Actor; requester?: Actor; error: new (...args: never[]) => Error; code: string }[] = [
    { name: 'someone not on the list', actor: PEOPLE.stranger, error: NotAnApproverError, code: 'not_an_approver' },
    { name: 'an approver of another platform id', actor: { platform: 'discord', id: 'U0LEAD' }, error: NotAnApproverError, code: 'not_an_approver' },
    { name: 'the requester, even when listed', actor: PEOPLE.lead, requester: PEOPLE.lead, error: SelfApprovalError, code: 'self_approval' },
  ];

  it.each(refusals)('refuses $name, records the refusal in the audit trail, and changes nothing', async ({ actor, requester, error, code }) => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high', ...(requester ? { requester } : {}) });
    await expect(approve(w, record.id, actor)).rejects.toThrow(error);
    const after = await w.get(record.id);
    expect(after).toMatchObject({ state: 'pending_approval', approvals: [] });
    const refused = (await w.trail(record.id)).at(-1)!;
    expect(refused).toMatchObject({ type: 'approval.refused', actor, data: { code } });
    expect(w.scheduler.pending()).toEqual([]);
  });

  it('lets the requester approve their own request where policy allows self-approval', async () => {
    const w = worldWith({}, { selfApproval: true });
    const record = await w.request({ severity: 'high', requester: PEOPLE.lead });
    expect(record.policy.selfApproval).toBe(true);
    expect((await approve(w, record.id, PEOPLE.lead)).state).toBe('queued');
  });

  it('lets a listed requester reject their own request (self-approval only guards approving)', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high', requester: PEOPLE.lead });
    expect((await reject(w, record.id, PEOPLE.lead, 'fixed forward')).state).toBe('rejected');
  });

  it('matches Slack user groups through the group directory and Discord roles from the click', async () => {
    const groups: GroupDirectory = { members: async (platform, group) => (platform === 'slack' && group === 'S0SRE' ? ['U0SREMEMBER'] : []) };
    const w = worldWith({ high: { kind: 'approval', required: 2, approvers: { slack: ['S0SRE'], discord: ['role:role-sre'] }, timeoutMs: 15 * MINUTE } }, { groups });
    const record = await w.request({ severity: 'high' });
    await expect(approve(w, record.id, { platform: 'slack', id: 'U0NOTINGROUP' })).rejects.toThrow(NotAnApproverError);
    await expect(approve(w, record.id, { platform: 'discord', id: '888', roles: ['role-other'] })).rejects.toThrow(NotAnApproverError);
    expect((await approve(w, record.id, { platform: 'slack', id: 'U0SREMEMBER' })).state).toBe('pending_approval');
    expect((await approve(w, record.id, PEOPLE.discordMod)).state).toBe('queued');
  });
});

describe('approvals: quorum', () => {
  const twoOfThree = { high: { kind: 'approval' as const, required: 2, approvers: { slack: ['U0LEAD', 'U0LEAD2', 'U0ONCALL'] }, timeoutMs: 15 * MINUTE } };

  it('waits for the required number of different approvers, saying how many more are needed', async () => {
    const w = worldWith(twoOfThree);
    const record = await w.request({ severity: 'high', requester: PEOPLE.stranger });
    const first = await approve(w, record.id, PEOPLE.lead);
    expect(first).toMatchObject({ state: 'pending_approval', approvals: [{ actor: PEOPLE.lead }] });
    expect(await w.thread(record.id)).toContain('1 of 2 approvals from lead; 1 more needed');
    expect(w.scheduler.pending()).toEqual([]);

    const second = await approve(w, record.id, PEOPLE.lead2);
    expect(second.state).toBe('queued');
    expect(second.approvals.map((a) => a.actor.id)).toEqual(['U0LEAD', 'U0LEAD2']);
    expect((await w.trail(record.id)).filter((e) => e.type === 'approval.granted').map((e) => e.data)).toEqual([
      { approvals: 1, required: 2 },
      { approvals: 2, required: 2 },
    ]);
  });

  it('does not count the same approver twice, and writes nothing for the repeat', async () => {
    const w = worldWith(twoOfThree);
    const record = await w.request({ severity: 'high', requester: PEOPLE.stranger });
    const first = await approve(w, record.id, PEOPLE.lead);
    await expect(approve(w, record.id, PEOPLE.lead)).rejects.toThrow(AlreadyApprovedError);
    const after = await w.get(record.id);
    expect(after.version).toBe(first.version);
    expect(after.approvals).toHaveLength(1);
  });

  it('passes the approvers to the provider at the rollback step', async () => {
    const w = worldWith(twoOfThree);
    const record = await w.request({ severity: 'high', requester: PEOPLE.stranger });
    await approve(w, record.id, PEOPLE.lead);
    await approve(w, record.id, PEOPLE.oncall);
    await w.runQueued();
    expect((await w.get(record.id)).state).toBe('succeeded');
    expect(w.provider.rollbackCalls.map((c) => c.approvedBy)).toEqual([['U0LEAD', 'U0ONCALL']]);
  });
});

describe('approvals: decided already', () => {
  it('a reject ends the request: rejected, who and why, the environment freed, nothing run', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    w.clock.advance(MINUTE);
    const after = await reject(w, record.id, PEOPLE.lead2, 'fix forward instead');
    expect(after).toMatchObject({ state: 'rejected', rejection: { actor: PEOPLE.lead2, at: START + MINUTE, reason: 'fix forward instead' }, timings: { finishedAt: START + MINUTE } });
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
    expect(w.scheduler.pendingExpiries()).toEqual([]);
    expect(await w.thread(record.id)).toContain('Rejected by lead2');
    expect(await w.runQueued()).toBe(0);
  });

  it.each([
    ['approve', 'approve' as const],
    ['reject', 'reject' as const],
  ])('a later %s click is "already decided by" the first decider, and writes nothing', async (_, decision) => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    const decided = await reject(w, record.id, PEOPLE.lead2);
    const late = decideApproval(w.deps, record.id, PEOPLE.lead, decision);
    await expect(late).rejects.toThrow(AlreadyDecidedError);
    await expect(late).rejects.toThrow('Already decided by lead2: this rollback is rejected. Nothing changed.');
    expect((await w.get(record.id)).version).toBe(decided.version);
  });

  it('an approval of a rollback that needed none names the policy', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'critical' });
    await expect(approve(w, record.id, PEOPLE.lead)).rejects.toThrow('Already decided by policy (no approval needed): this rollback is queued.');
  });
});

describe('approvals: expiry by the clock', () => {
  it('the timer expires an unanswered request: expired, freed, "request it again"', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    w.clock.advance(15 * MINUTE - 1);
    expect(await w.scheduler.fireExpiries(w.clock.now())).toBe(0);
    w.clock.advance(1);
    expect(await w.scheduler.fireExpiries(w.clock.now())).toBe(1);

    const after = await w.get(record.id);
    expect(after).toMatchObject({ state: 'expired', timings: { finishedAt: START + 15 * MINUTE } });
    expect((await w.trail(record.id)).at(-1)).toMatchObject({ type: 'transition', to: 'expired', actor: { platform: 'rewind' }, reason: 'approval timed out' });
    expect(await w.thread(record.id)).toContain('Approval request expired after 15 min');
    expect((await w.said(record.id)).at(-1)).toContain('Nothing was changed; request the rollback again if it is still needed.');
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it('a click after the deadline, before the timer fired, expires the request instead of approving it', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    w.clock.advance(16 * MINUTE);
    await expect(approve(w, record.id, PEOPLE.lead)).rejects.toThrow(/Already decided by expiry \(no decision in time\)/);
    expect((await w.get(record.id)).state).toBe('expired');
    expect(w.scheduler.pending()).toEqual([]);
    // The timer, when it does fire, finds nothing to do.
    const version = (await w.get(record.id)).version;
    await w.scheduler.fireExpiries(w.clock.now());
    expect((await w.get(record.id)).version).toBe(version);
  });

  it('a timer that fires early (clock skew) changes nothing and is set again just after the deadline', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    w.clock.advance(14 * MINUTE);
    const after = await expireApproval(w.deps, record.id);
    expect(after.state).toBe('pending_approval');
    expect(after.version).toBe(record.version);
    expect(w.scheduler.expiriesSet.at(-1)).toEqual({ rollbackId: record.id, atMs: START + 15 * MINUTE + 250 });
  });

  it('an approval in time is not undone by the timer', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    await approve(w, record.id, PEOPLE.lead);
    w.clock.advance(20 * MINUTE);
    await expireApproval(w.deps, record.id);
    expect((await w.get(record.id)).state).toBe('queued');
  });
});

describe('approvals: concurrent clicks', () => {
  it('two approvers committing at once both count: the loser of the version check retries on a fresh read', async () => {
    const w = worldWith({ high: { kind: 'approval', required: 2, approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, timeoutMs: 15 * MINUTE } });
    const record = await w.request({ severity: 'high' });
    // lead2's click lands between lead's read and lead's commit.
    w.store.beforeNextCommit(async () => {
      await approve(w, record.id, PEOPLE.lead2);
    });
    const after = await approve(w, record.id, PEOPLE.lead);

    expect(w.store.conflicts).toBe(1);
    expect(after.state).toBe('queued');
    expect(after.approvals.map((a) => a.actor.id)).toEqual(['U0LEAD2', 'U0LEAD']);
    expect(w.scheduler.pending()).toEqual([{ rollbackId: record.id, run: 1 }]);
    expect((await w.trail(record.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('a second click of the same approver landing first makes the other "already decided", with one start', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    w.store.beforeNextCommit(async () => {
      await approve(w, record.id, PEOPLE.lead);
    });
    await expect(approve(w, record.id, PEOPLE.lead)).rejects.toThrow(AlreadyDecidedError);
    const after = await w.get(record.id);
    expect(after.state).toBe('queued');
    expect(after.approvals).toHaveLength(1);
    expect(w.scheduler.executions).toEqual([{ rollbackId: record.id, run: 1 }]);
  });

  it('an approve and a reject at once: whichever commits first decides, the other is told', async () => {
    const w = inMemoryEngine();
    const record = await w.request({ severity: 'high' });
    w.store.beforeNextCommit(async () => {
      await reject(w, record.id, PEOPLE.lead2, 'no');
    });
    await expect(approve(w, record.id, PEOPLE.lead)).rejects.toThrow('Already decided by lead2: this rollback is rejected. Nothing changed.');
    expect((await w.get(record.id)).state).toBe('rejected');
    expect(w.scheduler.pending()).toEqual([]);
  });
});
