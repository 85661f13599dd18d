/** The blue/green status schema accepts what real services send and names what is missing. */
import { DeploymentStatus, describeIssues } from '../../../src/providers/bluegreen/status-schema';

const base = {
  currentEnvironment: 'green',
  currentVersion: '2.4.1',
  environments: { blue: { version: '2.4.0' }, green: { version: '2.4.1' } },
};

describe('DeploymentStatus', () => {
  it('accepts extra fields, numeric versions, and a missing state and history', () => {
    const parsed = DeploymentStatus.parse({ ...base, currentVersion: 3, environments: { blue: { version: 2, region: 'eu' }, green: { version: 3 } }, uptime: 42 });
    expect(parsed).toMatchObject({ currentVersion: '3', state: 'stable', deploymentHistory: [], environments: { blue: { version: '2' } } });
  });

  it('drops history entries it cannot read instead of failing the whole status', () => {
    const parsed = DeploymentStatus.parse({ ...base, deploymentHistory: [{ version: '2.4.0', commit: 'abc1234' }, { nonsense: true }, 'x', { version: '2.4.1' }] });
    expect(parsed.deploymentHistory.map((h) => h.version)).toEqual(['2.4.0', '2.4.1']);
  });

  it('names the missing field', () => {
    const result = DeploymentStatus.safeParse({ currentEnvironment: 'green', environments: base.environments });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toMatch(/^currentVersion: /);
  });

  it('requires the live environment among two environments', () => {
    const result = DeploymentStatus.safeParse({ ...base, currentEnvironment: 'red' });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toContain('no entry for the current environment "red"');
  });
});
