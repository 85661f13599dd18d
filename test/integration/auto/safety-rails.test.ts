/**
 * Each safety rail holds an automatic rollback back and says why in the incident channel:
 * cooldown, hourly cap, deploy window, environment lock (until unlocked), pause, and shadow mode.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import type { OutboundEvent } from '../../../src/domain/outbound-event';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, LEAD, ONCALL, startHarness, STRANGER, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const TOKEN = 'generic-hook-bearer-token-0123456789';

describe('safety rails', () => {
  let target: BlueGreenService;
  let h: Harness;
  let alerts = 0;

  async function start(auto: string) {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
    const catalog = bluegreenCatalog(target.url, `        auto: ${auto}`).replace('services:', `hooks:\n  generic: { auth: { type: bearer, token: "${TOKEN}" } }\nservices:`);
    h = await startHarness(catalog, { http: true });
  }
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  /** An alert through the generic hook; a new id each time so only the rails can hold it back. */
  async function alert(): Promise<number> {
    alerts += 1;
    const response = await fetch(`${h.rewind.url}/hooks/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ service: 'checkout-api', environment: 'production', title: 'Checkout 5xx', severity: 'critical', id: `alert-${alerts}-${Date.now()}` }),
    });
    return response.status;
  }
  async function notice(containing: RegExp): Promise<OutboundEvent> {
    return (await waitFor(
      () => h.sink.delivered.filter((e) => e.rollbackId.startsWith('nt_')).find((e) => containing.test(renderPlainText(e.message))),
      (e) => e !== undefined,
      { what: `a notice matching ${containing}` },
    ))!;
  }
  async function manualRollback() {
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected created');
    return h.waitForState(result.record.id, 'succeeded');
  }
  const rollbacks = async () => (await h.rewind.store.list({ limit: 20 })).length;

  it('cooldown: no automatic rollback soon after a rollback', async () => {
    await start('{ lockAfterRollback: false, cooldown: 30m }');
    target.deploy('2.5.0', { bad: true });
    await manualRollback();
    target.deploy('2.6.0', { bad: true });
    expect(await alert()).toBe(202);
    const n = await notice(/cooldown/);
    expect(renderPlainText(n.message)).toMatch(/Automatic rollback not started: checkout-api \(production\)/);
    expect(renderPlainText(n.message)).toContain('Checkout 5xx');
    expect(await rollbacks()).toBe(1);
  });

  it('cap: at most N automatic rollbacks per service per hour', async () => {
    await start('{ lockAfterRollback: false, cooldown: 0, maxPerHour: 1 }');
    target.deploy('2.5.0', { bad: true });
    await alert();
    const [first] = await waitFor(() => h.rewind.store.list({ limit: 5 }), (r) => r.length === 1, { what: 'the first automatic rollback' });
    await h.waitForState(first!.id, 'succeeded');
    target.deploy('2.6.0', { bad: true });
    await alert();
    expect(renderPlainText((await notice(/cap is 1 per hour/)).message)).toContain('1 automatic rollbacks of this service in the last hour');
    expect(await rollbacks()).toBe(1);
  });

  it('deploy window: an alert long after the latest deploy only alerts', async () => {
    await start('{ window: 30m }');
    // No new deploy: the live release was deployed an hour ago.
    await alert();
    expect(renderPlainText((await notice(/outside the 30 min window/)).message)).toContain('Alerting only');
    expect(await rollbacks()).toBe(0);
    expect(target.switches).toBe(0);
  });

  it('lock: after a rollback, automatic rollbacks wait until an approver unlocks', async () => {
    await start('{ cooldown: 0 }');
    target.deploy('2.5.0', { bad: true });
    await manualRollback();
    target.deploy('2.6.0', { bad: true });
    await alert();
    expect(renderPlainText((await notice(/locked/)).message)).toContain('/rollback unlock');
    expect(await rollbacks()).toBe(1);

    await expect(h.rewind.service.handle({ type: 'unlock', actor: STRANGER, service: 'checkout-api' }, h.replier)).resolves.toEqual({ outcome: 'refused', code: 'not_an_approver' });
    expect(JSON.stringify(h.replier.replies)).toBe('[]'); // no reply target given; the refusal is in the audit stream
    expect(await h.rewind.service.deps.automation.lock('checkout-api', 'production')).toBeDefined();
    await h.rewind.service.handle({ type: 'unlock', actor: LEAD, service: 'checkout-api', reply: { platform: 'test', data: {} } }, h.replier);
    expect(await h.rewind.service.deps.automation.lock('checkout-api', 'production')).toBeUndefined();
    expect(renderPlainText(h.replier.replies.at(-1)!.message)).toMatch(/unlocked by lead/);

    await alert();
    await waitFor(rollbacks, (n) => n === 2, { what: 'the automatic rollback after unlocking' });
  });

  it('pause: paused by an approver, alerts only until resumed', async () => {
    await start('{}');
    target.deploy('2.5.0', { bad: true });
    await h.rewind.service.handle({ type: 'pause_auto', actor: LEAD, service: 'checkout-api', reply: { platform: 'test', data: {} } }, h.replier);
    await alert();
    expect(renderPlainText((await notice(/paused/)).message)).toContain('resume-auto');
    expect(await rollbacks()).toBe(0);
    const audit = await h.rewind.store.recentAudit(50);
    expect(audit.some((e) => e.type === 'automation.changed' && e.actor.id === 'U0LEAD')).toBe(true);
  });

  it('shadow mode: says it would have rolled back, with the evidence, and changes nothing', async () => {
    await start('{ shadow: true }');
    target.deploy('2.5.0', { bad: true });
    await alert();
    const text = renderPlainText((await notice(/Shadow mode/)).message);
    expect(text).toContain('would have rolled back');
    expect(text).toContain('2.5.0');
    expect(text).toContain('2.4.0');
    expect(text).toContain('Checkout 5xx');
    expect(await rollbacks()).toBe(0);
    expect(target.switches).toBe(0); // no rollback switch was made
  });
});
