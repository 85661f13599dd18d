/** A provider can require a person's approval even where the decision matrix runs a rollback at once. */
import { decide, requireProviderApproval, type EnvironmentPolicy } from '../../../src/domain/policy';

const policy = (approvers: boolean): EnvironmentPolicy => ({
  defaultSeverity: 'high',
  selfApproval: false,
  rtoMs: {},
  rules: {
    critical: { kind: 'immediate' },
    high: approvers ? { kind: 'approval', required: 2, approvers: { slack: ['U0LEAD'] }, timeoutMs: 900_000 } : { kind: 'immediate' },
    medium: approvers ? { kind: 'approval', required: 1, approvers: { slack: ['U0LEAD', 'U0SRE'], console: ['lead'] }, timeoutMs: 3_600_000 } : { kind: 'immediate' },
    low: { kind: 'refuse', message: 'no' },
  },
});

describe('requireProviderApproval', () => {
  it('turns "run at once" into one approval from anyone who approves for the environment, within the longest timeout', () => {
    const p = policy(true);
    expect(requireProviderApproval(decide(p, 'critical'), p, 'It force-pushes.')).toEqual({
      decision: 'await_approval',
      reasonCode: 'provider_requires_approval',
      required: 1,
      approvers: { slack: ['U0LEAD', 'U0SRE'], discord: [], console: ['lead'] },
      timeoutMs: 3_600_000,
    });
  });

  it('leaves decisions that already wait for approval, or refuse, as they are', () => {
    const p = policy(true);
    expect(requireProviderApproval(decide(p, 'high'), p, 'x')).toEqual(decide(p, 'high'));
    expect(requireProviderApproval(decide(p, 'low'), p, 'x')).toEqual(decide(p, 'low'));
  });

  it('refuses with what to change when the environment names no approvers', () => {
    const p = policy(false);
    const refused = requireProviderApproval(decide(p, 'critical'), p, 'It force-pushes.');
    expect(refused).toMatchObject({ decision: 'refuse' });
    expect(refused.decision === 'refuse' && refused.message).toBe('It force-pushes. This environment lists no approvers, so it cannot run: add approvers under `approvals` in the catalog.');
  });
});
