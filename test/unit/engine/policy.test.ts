/**
 * The policy decision: for a severity, run at once, wait for N approvals, or refuse with the team's
 * message; who may request at all; and a provider that demands approval where policy would run.
 * First as the pure decision, then as a requester meets it through requestRollback.
 */
import type { Actor } from '../../../src/domain/actor';
import { ActiveRollbackError, ErrorCode, NotAllowedToRequestError, PolicyRefusedError, RewindError, TargetUnavailableError, UnknownServiceError } from '../../../src/domain/errors';
import { decide, environmentApprovers, requireProviderApproval, type ApprovalRule, type EnvironmentPolicy } from '../../../src/domain/policy';
import type { RollbackRequestInput } from '../../../src/domain/request';
import type { Severity } from '../../../src/domain/severity';
import { requestRollback } from '../../../src/engine/request-rollback';
import { inMemoryEngine, MINUTE, PEOPLE, policyOf, RELEASES, START, STANDARD_RULES, targetOf, type EngineWorld } from '../../support/in-memory-engine';

const IMMEDIATE: ApprovalRule = { kind: 'immediate' };
const REFUSE: ApprovalRule = { kind: 'refuse', message: 'Not this way.' };
const TWO_LEADS: ApprovalRule = { kind: 'approval', required: 2, approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, timeoutMs: 10 * MINUTE };

describe('decide: the matrix for one severity', () => {
  it.each([
    ['immediate', IMMEDIATE, { decision: 'run', reasonCode: 'immediate' }],
    ['approval', TWO_LEADS, { decision: 'await_approval', reasonCode: 'approval_required', required: 2, approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, timeoutMs: 10 * MINUTE }],
    ['refuse', REFUSE, { decision: 'refuse', reasonCode: 'refused_by_policy', message: 'Not this way.' }],
  ] as const)('a rule of kind %s', (_, rule, expected) => {
    for (const severity of ['critical', 'high', 'medium', 'low'] as Severity[]) {
      const policy = policyOf({ rules: { ...STANDARD_RULES, [severity]: rule } });
      expect(decide(policy, severity)).toEqual(expected);
    }
  });

  it('everyone who approves any severity approves for the environment, once each', () => {
    expect(environmentApprovers(policyOf())).toEqual({ slack: ['U0LEAD', 'U0LEAD2'], discord: [], console: [] });
    const mixed = policyOf({ rules: { ...STANDARD_RULES, critical: { kind: 'approval', required: 1, approvers: { discord: ['role:1'], console: ['ann'] }, timeoutMs: MINUTE } } });
    expect(environmentApprovers(mixed)).toEqual({ slack: ['U0LEAD', 'U0LEAD2'], discord: ['role:1'], console: ['ann'] });
  });
});

describe('requireProviderApproval: the platform asks for a person', () => {
  const reason = 'This rollback force-pushes main.';

  it('turns "run" into one approval from any environment approver, within the longest timeout', () => {
    const decision = requireProviderApproval(decide(policyOf(), 'critical'), policyOf(), reason);
    expect(decision).toEqual({ decision: 'await_approval', reasonCode: 'provider_requires_approval', required: 1, approvers: { slack: ['U0LEAD', 'U0LEAD2'], discord: [], console: [] }, timeoutMs: 60 * MINUTE });
  });

  it('leaves a decision that already waits or refuses as it is', () => {
    expect(requireProviderApproval(decide(policyOf(), 'high'), policyOf(), reason)).toEqual(decide(policyOf(), 'high'));
    expect(requireProviderApproval(decide(policyOf(), 'low'), policyOf(), reason)).toEqual(decide(policyOf(), 'low'));
  });

  it('refuses when the environment lists nobody to ask', () => {
    const nobody: EnvironmentPolicy = policyOf({ rules: { critical: IMMEDIATE, high: IMMEDIATE, medium: IMMEDIATE, low: REFUSE } });
    const decision = requireProviderApproval(decide(nobody, 'critical'), nobody, reason);
    expect(decision).toMatchObject({ decision: 'refuse', reasonCode: 'refused_by_policy' });
    expect(decision.decision === 'refuse' && decision.message).toMatch(/^This rollback force-pushes main\. This environment lists no approvers/);
  });

  it('through a request: a critical rollback the provider flags waits for an environment approver', async () => {
    const w = inMemoryEngine();
    w.provider.approvalRequired = reason;
    const record = await w.request({ severity: 'critical' });
    expect(record.state).toBe('pending_approval');
    expect(record.policy).toMatchObject({ decision: 'await_approval', required: 1, approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, timeoutMs: 60 * MINUTE, expiresAt: START + 60 * MINUTE });
    expect(w.scheduler.pending()).toEqual([]);
  });
});

describe('requesting: severity decides what happens next', () => {
  const rows: { label: string; severity?: Severity; state: string; required: number; approvers: object; timeoutMs?: number }[] = [
    { label: 'critical', severity: 'critical', state: 'queued', required: 0, approvers: {} },
    { label: 'high', severity: 'high', state: 'pending_approval', required: 1, approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, timeoutMs: 15 * MINUTE },
    { label: 'medium', severity: 'medium', state: 'pending_approval', required: 1, approvers: { slack: ['U0LEAD'] }, timeoutMs: 60 * MINUTE },
    { label: 'not given (the default, high)', state: 'pending_approval', required: 1, approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, timeoutMs: 15 * MINUTE },
  ];

  it.each(rows)('severity $label → $state, $required approval(s)', async ({ severity, state, required, approvers, timeoutMs }) => {
    const w = inMemoryEngine();
    const record = await w.request(severity ? { severity } : {});
    expect(record).toMatchObject({ state, severity: severity ?? 'high', policy: { required, approvers } });
    if (timeoutMs === undefined) {
      expect(record.policy.decision).toBe('run');
      expect(w.scheduler.pending()).toEqual([{ rollbackId: record.id, run: 1 }]);
      expect(w.scheduler.expiriesSet).toEqual([]);
    } else {
      expect(record.policy).toMatchObject({ decision: 'await_approval', timeoutMs, expiresAt: START + timeoutMs });
      expect(w.scheduler.pending()).toEqual([]);
      expect(w.scheduler.expiriesSet).toEqual([{ rollbackId: record.id, atMs: START + timeoutMs }]);
    }
    expect(record).toMatchObject({ from: { version: '2.4.1' }, to: { version: '2.4.0' }, requester: PEOPLE.oncall });
    expect((await w.trail(record.id)).map((e) => e.type)).toEqual(['requested']);
    expect(w.scheduler.deliveries).toContain(record.id);
  });

  it.each([true, false])('records the environment’s self-approval rule (%s) with the request', async (selfApproval) => {
    const w = inMemoryEngine({ target: targetOf({ policy: policyOf({ selfApproval }) }) });
    expect((await w.request({ severity: 'high' })).policy.selfApproval).toBe(selfApproval);
  });

  it('a refusing severity creates nothing, says the team’s words, and is audited', async () => {
    const w = inMemoryEngine();
    await expect(w.request({ severity: 'low' })).rejects.toThrow(new PolicyRefusedError('Low severity: fix it in the next release.', 'low'));
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
    expect(await w.store.list({ limit: 10 })).toEqual([]);
    expect((await w.store.recentAudit(1))[0]).toMatchObject({ type: 'request.refused', actor: PEOPLE.oncall, reason: 'Low severity: fix it in the next release.', data: { code: 'policy_refused', service: 'checkout-api' } });
  });
});

describe('requesting: who may ask', () => {
  const requesters = { slack: ['U0ONCALL'], discord: ['role:role-sre'] };
  const rows: [string, Actor, RollbackRequestInput['trigger'], boolean][] = [
    ['a listed requester', PEOPLE.oncall, undefined, true],
    ['a member of a listed Discord role', PEOPLE.discordMod, undefined, true],
    ['someone not listed', PEOPLE.stranger, undefined, false],
    ['an approver not listed as a requester', PEOPLE.lead, undefined, false],
    ['an automatic trigger, whoever it names', PEOPLE.stranger, { kind: 'auto', source: 'health-monitor' }, true],
    ['an alert', { platform: 'rewind', id: 'rewind' }, { kind: 'alert', source: 'alertmanager' }, true],
  ];

  it.each(rows)('%s', async (_, requester, trigger, allowed) => {
    const w = inMemoryEngine({ target: targetOf({ policy: policyOf({ requesters }) }) });
    const asked = w.request({ severity: 'critical', requester, ...(trigger ? { trigger } : {}) });
    if (allowed) {
      expect((await asked).state).toBe('queued');
      return;
    }
    await expect(asked).rejects.toThrow(NotAllowedToRequestError);
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
    expect((await w.store.recentAudit(1))[0]).toMatchObject({ type: 'request.refused', actor: requester, data: { code: ErrorCode.NotAllowedToRequest } });
  });

  it('without a requester list, anyone in the channel may ask', async () => {
    const w = inMemoryEngine();
    expect((await w.request({ severity: 'critical', requester: PEOPLE.stranger })).state).toBe('queued');
  });
});

describe('requesting: one rollback at a time, once per interaction', () => {
  it('refuses a second rollback of the environment while one is active, naming it', async () => {
    const w = inMemoryEngine();
    const first = await w.request({ severity: 'high' });
    const second = w.request({ severity: 'critical', requester: PEOPLE.lead });
    await expect(second).rejects.toThrow(ActiveRollbackError);
    await expect(second).rejects.toThrow(`already in progress: \`${first.id}\``);
    expect((await w.store.recentAudit(1))[0]).toMatchObject({ type: 'request.refused', data: { code: 'active_rollback' } });
  });

  it('answers a replayed interaction with the rollback it created, and re-arms its timers', async () => {
    const w = inMemoryEngine();
    const input = { severity: 'high' as const, origin: { platform: 'slack' as const, channelId: 'C0INCIDENT', interactionId: 'I-42' } };
    const first = await w.request(input);
    const replay = await requestRollback(w.deps, { service: 'checkout-api', requester: PEOPLE.oncall, ...input });
    expect(replay).toMatchObject({ kind: 'duplicate', record: { id: first.id, version: first.version } });
    expect(w.scheduler.expiriesSet.map((e) => e.rollbackId)).toEqual([first.id, first.id]);
    expect(await w.store.list({ limit: 10 })).toHaveLength(1);
  });

  it('a dry run previews and creates nothing', async () => {
    const w = inMemoryEngine();
    const result = await requestRollback(w.deps, { service: 'checkout-api', severity: 'critical', dryRun: true, requester: PEOPLE.oncall, origin: { platform: 'slack' } });
    expect(result.kind).toBe('dry_run');
    expect(await w.store.activeFor('checkout-api', 'production')).toBeUndefined();
    expect(w.scheduler.executions).toEqual([]);
  });
});

describe('requesting: what to roll back to', () => {
  async function rolledBackOnce(w: EngineWorld): Promise<string> {
    const { id } = await w.request({ severity: 'critical' });
    await w.runQueued();
    expect((await w.get(id)).state).toBe('succeeded');
    return id;
  }

  it('never picks, as "last stable", a release Rewind rolled back from; naming it is allowed', async () => {
    const w = inMemoryEngine();
    const earlier = await rolledBackOnce(w);
    // A fix is deployed: the release just before it is 2.4.1, the one Rewind rolled back from.
    w.provider.deploy({ id: 'green-2.4.2', version: '2.4.2' });
    const refused = w.request({ severity: 'critical' });
    await expect(refused).rejects.toThrow(TargetUnavailableError);
    await expect(refused).rejects.toThrow(`it was rolled back from in \`${earlier}\``);
    expect((await w.request({ severity: 'critical', targetRelease: '2.4.1' })).to?.version).toBe('2.4.1');
  });

  it('refuses a release the platform does not have, listing recent ones', async () => {
    const w = inMemoryEngine();
    await expect(w.request({ severity: 'critical', targetRelease: '1.0.0' })).rejects.toThrow('Recent releases: `2.4.0`, `2.3.9`.');
  });

  it('refuses when there is nothing earlier to roll back to', async () => {
    const w = inMemoryEngine({ releases: [RELEASES[0]!] });
    await expect(w.request({ severity: 'critical' })).rejects.toMatchObject({ code: ErrorCode.NothingToRollBack });
  });

  it('suggests the closest service name for a typo', async () => {
    const w = inMemoryEngine();
    const typo = w.request({ service: 'chekout-api' });
    await expect(typo).rejects.toThrow(UnknownServiceError);
    await expect(typo).rejects.toThrow('Did you mean `checkout-api`?');
    await expect(typo).rejects.toBeInstanceOf(RewindError);
  });
});
