/**
 * Argo CD with auto-sync on, end to end through the engine: Argo CD would refuse the rollback, so
 * even a critical one waits for an approver; the approval turns auto-sync off (audited), the
 * rollback runs, and `/rollback unlock` by an approver turns auto-sync back on as it was.
 */
import { controlEnvironment } from '../../../src/engine/environment-controls';
import { ArgoCdApiFake } from '../../fakes/argocd-api';
import { ARGOCD_APP, ARGOCD_PROJECT, ARGOCD_TOKEN, seedArgoCd } from '../../contract/subjects/argocd';
import { LEAD, ONCALL, platformCatalog, startHarness, type Harness } from '../../support/harness';

describe('Argo CD with auto-sync on', () => {
  let fake: ArgoCdApiFake;
  let h: Harness;

  beforeEach(async () => {
    fake = await ArgoCdApiFake.start({ token: ARGOCD_TOKEN, app: ARGOCD_APP, project: ARGOCD_PROJECT });
    seedArgoCd(fake);
    fake.autoSync({ prune: true, selfHeal: true });
    h = await startHarness(
      platformCatalog(
        [
          `        provider: { type: argocd, token: "\${ARGOCD_TOKEN}", apiUrl: ${fake.url}, argocd: { app: ${ARGOCD_APP}, project: ${ARGOCD_PROJECT} }, timeout: 2s }`,
          '        waitLive: { timeout: 20s, interval: 20ms }',
        ].join('\n'),
      ),
      { env: { ARGOCD_TOKEN } },
    );
  });
  afterEach(async () => {
    await h.close();
    await fake.close();
  });

  it('a critical rollback waits for an approver, who turns auto-sync off by approving; unlock turns it back on', async () => {
    const before = fake.liveVersion();
    const result = await h.rewind.service.request({ service: 'web', severity: 'critical', reason: 'bad sync', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    expect(result.record.state).toBe('pending_approval');
    expect(result.record.preview?.approvalRequired).toMatch(/auto-sync is on/);
    expect(fake.autoSyncOn()).toBe(true);
    expect(fake.rollbacksApplied).toBe(0);

    await h.rewind.service.approve(result.record.id, LEAD);
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(fake.autoSyncOn()).toBe(false);
    expect(fake.liveVersion()).not.toBe(before);
    expect(done.providerResult?.hold).toMatchObject({ kind: 'argocd-autosync' });
    const audit = await h.rewind.store.auditTrail(done.id);
    expect(audit.some((e) => e.type === 'automation.changed' && /auto-sync is off/.test(e.reason ?? ''))).toBe(true);

    await controlEnvironment(h.rewind.service.deps, 'unlock', LEAD, 'web', 'production');
    expect(fake.autoSyncOn()).toBe(true);
  });
});
