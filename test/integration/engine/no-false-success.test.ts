/**
 * Rewind never says "Rollback completed" while the bad release is live (issue 13). A blue/green
 * service that ignores Idempotency-Key and switches a while after a call it answers too late: the
 * switch is waited for, never sent twice. One that never switches: "outcome unknown", no second call.
 * One switched back while the checks ran: the final read after verification fails the rollback.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { renderPlainText } from '../../../src/messages/plain-text';
import { startTarget } from '../../support/bluegreen-target';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

describe('no false success', () => {
  let target: BlueGreenService;
  let h: Harness;

  afterEach(async () => {
    await h?.close();
    await target?.close();
  });

  async function rollBack(provider: string, extra = '', waitLive = '20s'): Promise<string> {
    const catalog = bluegreenCatalog(target.url, extra).replace('waitLive: { timeout: 20s', `waitLive: { timeout: ${waitLive}`).replace(/provider: \{ type: bluegreen, baseUrl: [^ ]+, timeout: 2s, retries: 1 \}/, `provider: { type: bluegreen, baseUrl: ${target.url}, ${provider} }`);
    expect(catalog).toContain(provider);
    h = await startHarness(catalog);
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'checkout 500s', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    return result.record.id;
  }

  const summaryOf = (id: string, kind: 'summary' | 'failure') =>
    waitFor(() => h.sink.forRollback(id).find((e) => e.message.kind === kind), (e) => e !== undefined, { what: `the ${kind} summary` }).then((e) => renderPlainText(e!.message));

  it('waits for a switch that lands after its call timed out, and switches once', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', ignoreIdempotencyKey: true });
    target.failNextRollbacks({ status: 200, delayMs: 3_000, switchAfterMs: 1_500 });
    const id = await rollBack('timeout: 1s, retries: 3, confirmWithin: 10s');
    const done = await h.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.steps.find((s) => s.name === 'rollback')?.detail).toContain('the switch took effect, once');
    expect([target.rollbackRequests, target.switches]).toEqual([1, 1]);
    expect(await summaryOf(id, 'summary')).toContain('is on 2.4.0');
  });

  it('says "outcome unknown" when no switch shows within the grace period, and never calls again', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', ignoreIdempotencyKey: true });
    target.failNextRollbacks({ status: 200, delayMs: 4_000 });
    const id = await rollBack('timeout: 1s, retries: 3, confirmWithin: 2s');
    const done = await h.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'outcome_unknown', stoppedAt: 'rollback', providerChanged: true });
    expect(done.outcome?.message).toMatch(/gave no answer to POST \/deployment\/rollback \(no answer within 1 s\), and for 2 s afterwards it showed no switch to 2\.4\.0 \(last seen: green \(2\.4\.1\) /);
    expect(target.rollbackRequests).toBe(1);
    const failure = await summaryOf(id, 'failure');
    expect(failure).toContain('the rollback may still land. Request it again only once you know it did not');
    expect(failure).not.toMatch(/Rollback completed/);
  });

  it('fails a rollback whose release never goes live by the deadline, with what was seen and whom to call', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    target.holdSwitches();
    const id = await rollBack('timeout: 2s, retries: 1', '        escalation: "@sre-oncall (PagerDuty: checkout)"', '2s');
    const done = await h.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'not_live', stoppedAt: 'wait_live', providerChanged: true });
    expect(done.outcome?.message).toMatch(/^`2\.4\.0` was not serving traffic within \d+ s; last seen: switching traffic to blue \(2\.4\.0\)/);
    const failure = await summaryOf(id, 'failure');
    expect(failure).toContain('@sre-oncall (PagerDuty: checkout)');
    expect(failure).toContain('last seen: switching traffic to blue (2.4.0)');
    expect(failure).not.toMatch(/Rollback completed/);
    target.releaseSwitches();
  });

  it('fails a rollback whose release was switched back while the checks ran, with both readings', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    // A check that, like an auto-deploy racing the rollback, switches traffic back to the bad release.
    const switchBack = `fetch('${target.url}/deployment/rollback', { method: 'POST' }).then((r) => process.exit(r.ok ? 0 : 1))`;
    const id = await rollBack('timeout: 2s, retries: 1', `        verify:\n          - { type: command, name: racing deploy, run: [node, -e, "${switchBack}"], timeout: 10s }`);
    const done = await h.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.verification?.status).toBe('pass');
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'not_live_after_verification', stoppedAt: 'summarize', providerChanged: true });
    expect(done.outcome?.message).toBe('Verification finished, but bluegreen now reports green (2.4.1) is serving traffic, not 2.4.0: `2.4.0` is no longer live, so this rollback did not succeed.');
    expect(done.outcome?.nextSteps[0]).toMatch(/^When the switch was confirmed: .*blue \(2\.4\.0\).*\. Read again after verification: green \(2\.4\.1\) is serving traffic, not 2\.4\.0\.$/);
    expect(await summaryOf(id, 'failure')).not.toMatch(/Rollback completed/);
    expect(h.sink.forRollback(id).some((e) => e.message.kind === 'summary')).toBe(false);
  });
});
