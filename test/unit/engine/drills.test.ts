/**
 * Drills on in-memory ports: refused on production unless the catalog allows it (audited), a real
 * rollback marked DRILL that ends in a report against the RTO, kept out of what incidents use
 * (known-bad releases, the environment lock, pagers and stakeholders), and the reminder when an
 * environment is overdue: once per period, however often it is checked.
 */
import { DRILL_BANNER } from '../../../src/domain/drills';
import { NO_COMMS } from '../../../src/domain/incident-comms';
import type { RollbackRequestInput } from '../../../src/domain/request';
import { checkDrills } from '../../../src/engine/drill-reminders';
import { renderPlainText } from '../../../src/messages/plain-text';
import { inMemoryEngine, MINUTE, PEOPLE, START, targetOf, type EngineWorld } from '../../support/in-memory-engine';
import { InMemoryVerifier } from '../../fakes/in-memory-integrations';

const DAY = 24 * 60 * MINUTE;
const MONTHLY = { ...NO_COMMS, drills: { everyMs: 30 * DAY, allowProduction: false } };
const DRILL = { kind: 'drill' as const, source: 'slack', evidence: [] as string[] };

/** A drill as the chat fronts request it: no reason given, critical so that it runs without waiting for approval. */
function drill(w: EngineWorld, environment: string, extra: Partial<RollbackRequestInput> = {}) {
  return w.request({ environment, severity: 'critical', trigger: DRILL, requester: PEOPLE.lead, reason: undefined, ...extra });
}

describe('drills: where they may run', () => {
  it('refuses production unless the catalog allows it, says how, and audits the refusal', async () => {
    const w = inMemoryEngine({ target: targetOf({ comms: MONTHLY }) });
    await expect(drill(w, 'production')).rejects.toMatchObject({ code: 'policy_refused', userMessage: expect.stringContaining('allowProduction: true') });
    expect(await w.store.list({ limit: 10 })).toEqual([]);
    const [refusal] = await w.store.recentAudit(1);
    expect(refusal).toMatchObject({ type: 'request.refused', actor: PEOPLE.lead, data: { code: 'policy_refused', trigger: 'drill', environment: 'production' } });
  });

  it('runs on production where `drills.allowProduction` is true', async () => {
    const w = inMemoryEngine({ target: targetOf({ comms: { ...NO_COMMS, drills: { everyMs: 30 * DAY, allowProduction: true } } }) });
    const record = await drill(w, 'production');
    expect(record).toMatchObject({ state: 'queued', trigger: { kind: 'drill' } });
  });

  it('follows the approval policy of its severity like any rollback: a high drill waits for an approver', async () => {
    const w = inMemoryEngine({ target: targetOf({ environment: 'staging' }) });
    expect(await drill(w, 'staging', { severity: 'high' })).toMatchObject({ state: 'pending_approval', rtoMs: 15 * MINUTE });
  });
});

describe('drills: a real rollback, marked and reported', () => {
  it('says DRILL in its header, runs, and ends with a report against the RTO; the ledger records it', async () => {
    const w = inMemoryEngine({ target: targetOf({ environment: 'staging', comms: MONTHLY }) });
    const record = await drill(w, 'staging');
    expect(record.reason).toBe('Drill: practising the rollback of checkout-api (staging)');
    expect(record.provider).toBe('fakeplatform');
    const header = (await w.events(record.id)).find((e) => e.kind === 'header')!;
    expect(header.message.sections[0]).toMatchObject({ heading: DRILL_BANNER });
    expect(renderPlainText(header.message)).toContain('timed end to end against the 2 min RTO for critical');

    await w.runQueued();
    const done = await w.get(record.id);
    expect(done.state).toBe('succeeded');
    const report = (await w.events(record.id)).at(-1)!;
    expect(report).toMatchObject({ kind: 'thread', supersedes: 'drill-report', message: { kind: 'summary', tone: 'success', title: 'Drill report: checkout-api (staging) — succeeded, RTO met' } });
    const text = renderPlainText(report.message);
    expect(text).toContain('Method: fakeplatform: blue/green switch 2.4.1 → 2.4.0');
    expect(text).toContain('Steps run: Pre-rollback check → Capture current state → Roll back → Wait until live → Verify → Summarize');
    expect(text).toMatch(/Duration: \d+ (ms|s) end to end/);
    expect(text).toContain('RTO target: 2 min (critical)');
    expect(text).toMatch(/Result: RTO met: .* of 2 min/);
    expect(text).toContain('All checks passed (1 passed).');
    expect(await w.drills.last('checkout-api', 'staging')).toEqual({ rollbackId: record.id, at: done.timings.finishedAt });
  });

  it('reports what failed: the step, and the evidence of the checks', async () => {
    const w = inMemoryEngine({ target: targetOf({ environment: 'staging' }), checks: [new InMemoryVerifier('health', 'fail')] });
    const record = await drill(w, 'staging');
    await w.runQueued();
    const report = (await w.events(record.id)).find((e) => e.supersedes === 'drill-report')!;
    expect(report.message).toMatchObject({ tone: 'danger', title: 'Drill report: checkout-api (staging) — failed, RTO missed' });
    const text = renderPlainText(report.message);
    expect(text).toMatch(/Failed at Verify/);
    expect(text).toContain('Evidence: health (fakecheck): fail — measured 503 errors · threshold healthy');
  });

  it('pages nobody, mentions nobody, tells no stakeholder, and leaves automatic rollback unlocked', async () => {
    const w = inMemoryEngine({ target: targetOf({ environment: 'staging', comms: { ...NO_COMMS, announce: { slack: ['C0STAKE'], discord: [] } } }) });
    const record = await drill(w, 'staging');
    await w.runQueued();
    const events = await w.events(record.id);
    expect(events.filter((e) => e.kind === 'announce')).toEqual([]);
    expect(events.filter((e) => e.milestones || e.mention)).toEqual([]);
    expect(await w.automation.lock('checkout-api', 'staging')).toBeUndefined();
  });

  it('marks no release bad: the release a drill rolled back from can be the last stable one later', async () => {
    const staging = inMemoryEngine({ target: targetOf({ environment: 'staging' }) });
    const first = await drill(staging, 'staging');
    await staging.runQueued();
    expect((await staging.get(first.id)).from?.version).toBe('2.4.1');
    staging.provider.deploy({ id: 'blue-2.4.2', version: '2.4.2', slot: 'blue', deployedAt: '2026-11-24T09:00:00Z' });
    const real = await staging.request({ environment: 'staging', severity: 'high' });
    expect(real.to?.version).toBe('2.4.1');
    expect(real.state).toBe('pending_approval');
  });
});

describe('drills: the reminder for an overdue environment', () => {
  const overdue = () => inMemoryEngine({ target: targetOf({ environment: 'staging', comms: MONTHLY }) });

  it('posts one reminder per overdue period to the incident channel, however often it is checked', async () => {
    const w = overdue();
    await w.drills.record('checkout-api', 'staging', { rollbackId: 'rb_old', at: START - 31 * DAY });
    const checks = await Promise.all([checkDrills(w.deps), checkDrills(w.deps), checkDrills(w.deps)]);
    expect(checks.flatMap((c) => c.reminded)).toEqual(['checkout-api/staging']);
    expect(w.notices.posted).toHaveLength(1);
    const [notice] = w.notices.posted;
    expect(notice!.where).toMatchObject({ service: 'checkout-api', environment: 'staging', channels: { slack: ['C0INCIDENT'] } });
    expect(notice!.message.title).toBe('Drill due: checkout-api (staging) has not been drilled for 31 days');
    expect(renderPlainText(notice!.message)).toContain('/rollback drill checkout-api staging');
    expect(w.scheduler.deliveries).toContain(notice!.id);

    // The next period, if still no drill, is another reminder.
    w.clock.advance(30 * DAY);
    expect((await checkDrills(w.deps)).reminded).toEqual(['checkout-api/staging']);
    expect(w.notices.posted).toHaveLength(2);
  });

  it('says when an environment was never drilled, and stays quiet after a recent drill', async () => {
    const w = overdue();
    await checkDrills(w.deps);
    expect(w.notices.posted.map((n) => n.message.title)).toEqual(['Drill due: checkout-api (staging) has never been drilled with Rewind']);

    const fresh = overdue();
    const record = await drill(fresh, 'staging');
    await fresh.runQueued();
    expect((await checkDrills(fresh.deps)).reminded).toEqual([]);
    expect(fresh.notices.posted).toEqual([]);
    expect((await fresh.get(record.id)).state).toBe('succeeded');
  });

  it('finds a drill the ledger missed (a worker died after its commit) before reminding', async () => {
    const w = overdue();
    const record = await drill(w, 'staging');
    await w.runQueued();
    // As if the ledger write after the commit had been lost, and an older drill were all it knew.
    const ledger = w.drills as unknown as { drills: Map<string, unknown> };
    ledger.drills.clear();
    await w.drills.record('checkout-api', 'staging', { rollbackId: 'rb_old', at: START - 40 * DAY });
    expect((await checkDrills(w.deps)).reminded).toEqual([]);
    expect(await w.drills.last('checkout-api', 'staging')).toMatchObject({ rollbackId: record.id });
  });

  it('re-arms a review reminder whose timer was lost', async () => {
    const w = overdue();
    const { id } = await w.request({ environment: 'staging', severity: 'critical' });
    await w.runQueued();
    const remindAt = (await w.get(id)).review!.remindAt!;
    w.scheduler.reviewReminders.length = 0;
    expect((await checkDrills(w.deps)).rearmed).toBe(1);
    expect(w.scheduler.reviewReminders).toEqual([{ rollbackId: id, atMs: remindAt }]);
  });
});
