/** How committed audit events become metrics: counted from the record as committed, once per event. */
import type { NewAuditEvent } from '../../../src/domain/audit';
import { countCommit } from '../../../src/observability/metered-store';
import { Metrics } from '../../../src/observability/metrics';
import { ACTORS, MINUTE, SECOND, T0, makeRecord } from '../../support/record-factory';

async function value(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  // Histograms list their _bucket, _sum and _count values under the base name.
  const values = (await metrics.registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })));
  const matching = values.filter((v) => v.name === name && Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want));
  return matching.reduce((sum, v) => sum + v.value, 0);
}

const transition = (from: string, to: string, at: number): NewAuditEvent => ({ type: 'transition', from: from as never, to: to as never, at, actor: ACTORS.rewind });

describe('metrics from commits', () => {
  it('counts a success once, with its recovery time, and an RTO missed only when recovery came after it', async () => {
    const metrics = new Metrics({ role: 'worker' });
    const quick = makeRecord({ state: 'succeeded', severity: 'critical', rtoMs: 2 * MINUTE });
    countCommit(metrics, quick, [transition('verifying', 'succeeded', quick.timings.finishedAt!)]);
    expect(await value(metrics, 'rewind_rollbacks_total', { outcome: 'succeeded', trigger: 'manual' })).toBe(1);
    expect(await value(metrics, 'rewind_recovery_seconds_count', { severity: 'critical' })).toBe(1);
    expect(await value(metrics, 'rewind_rto_missed_total')).toBe(0);

    const slow = makeRecord({ state: 'succeeded', severity: 'critical', rtoMs: 10 * SECOND });
    countCommit(metrics, slow, [transition('verifying', 'succeeded', slow.timings.finishedAt!)]);
    expect(await value(metrics, 'rewind_rto_missed_total', { severity: 'critical' })).toBe(1);
  });

  it('counts a failure as an RTO missed once, not again when a retried verification fails again', async () => {
    const metrics = new Metrics({ role: 'worker' });
    const failed = makeRecord({ state: 'failed', severity: 'high', rtoMs: 15 * MINUTE });
    countCommit(metrics, failed, [transition('verifying', 'failed', T0 + MINUTE)]);
    const retried = { ...failed, run: 2 };
    countCommit(metrics, retried, [transition('failed', 'verifying', T0 + 2 * MINUTE)]);
    countCommit(metrics, retried, [transition('verifying', 'failed', T0 + 3 * MINUTE)]);
    expect(await value(metrics, 'rewind_rto_missed_total')).toBe(1);
    expect(await value(metrics, 'rewind_rollbacks_total', { outcome: 'failed' })).toBe(2);
  });

  it('measures the approval wait for each way out of pending approval', async () => {
    const metrics = new Metrics({ role: 'worker' });
    const record = makeRecord({ state: 'queued' });
    countCommit(metrics, record, [transition('pending_approval', 'queued', record.timings.requestedAt + 90 * SECOND)]);
    countCommit(metrics, makeRecord({ state: 'rejected' }), [transition('pending_approval', 'rejected', T0 + 30 * SECOND)]);
    countCommit(metrics, makeRecord({ state: 'expired' }), [transition('pending_approval', 'expired', T0 + 15 * MINUTE)]);
    expect(await value(metrics, 'rewind_approval_wait_seconds_count', { decision: 'approved' })).toBe(1);
    expect(await value(metrics, 'rewind_approval_wait_seconds_sum', { decision: 'approved' })).toBe(90);
    expect(await value(metrics, 'rewind_approval_wait_seconds_count', { decision: 'rejected' })).toBe(1);
    expect(await value(metrics, 'rewind_approval_wait_seconds_count', { decision: 'expired' })).toBe(1);
    // Leaving pending approval for good is also a final outcome.
    expect(await value(metrics, 'rewind_rollbacks_total', { outcome: 'rejected' })).toBe(1);
  });

  it('times each step from the record, labelled by the step that ended', async () => {
    const metrics = new Metrics({ role: 'worker' });
    const record = makeRecord({ state: 'succeeded' });
    countCommit(metrics, record, [{ type: 'step.succeeded', at: T0, actor: ACTORS.rewind, data: { step: 'rollback' } }]);
    const rollback = record.steps.find((s) => s.name === 'rollback')!;
    expect(await value(metrics, 'rewind_step_duration_seconds_sum', { step: 'rollback', result: 'succeeded' })).toBeCloseTo((rollback.finishedAt! - rollback.startedAt!) / 1000);
    // An event naming no step of the record counts nothing rather than a made-up label.
    countCommit(metrics, record, [{ type: 'step.failed', at: T0, actor: ACTORS.rewind, data: { step: 'nope' } }]);
    expect(await value(metrics, 'rewind_step_duration_seconds_count', { result: 'failed' })).toBe(0);
  });
});
