/**
 * Rewind's /metrics read back the way an SRE reads them: a real Prometheus scrapes a running Rewind
 * while rollbacks happen, and the test asks Prometheus (PromQL over its HTTP API), not the raw text.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { prometheusAvailable, startPrometheus, type PrometheusServer } from '../../support/prometheus-server';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(90_000);

const LEAD = { platform: 'slack' as const, id: 'U0LEAD', name: 'lead' };
const describeWithPrometheus = prometheusAvailable() ? describe : describe.skip;

describeWithPrometheus('metrics scraped by Prometheus', () => {
  let target: BlueGreenService;
  let h: Harness;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    // A health check, so each rollback ends in a verified recovery (what the recovery histogram measures).
    const verify = `        verify:\n          - { type: http, name: health, url: ${target.url}/health, expect: { status: 200, json: { health: healthy } } }`;
    h = await startHarness(bluegreenCatalog(target.url, verify), { http: true });
    prometheus = await startPrometheus([h.rewind.url!]);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await h?.close();
    await target?.close();
  });

  /** The value of a PromQL expression once Prometheus has scraped enough to make `accept` true. */
  async function promql(expr: string, accept: (value: number) => boolean): Promise<number> {
    const samples = await waitFor(() => prometheus.query(expr), (s) => s.length > 0 && accept(s.reduce((sum, x) => sum + x.value, 0)), { what: `Prometheus to answer ${expr}`, timeoutMs: 30_000 });
    return samples.reduce((sum, s) => sum + s.value, 0);
  }

  it('shows a critical rollback and an approved one: outcomes, steps, recovery against the RTO, approval wait, commands, queues', async () => {
    // A critical rollback through the commands queue, as a chat command arrives.
    await h.rewind.queues.enqueueCommand({ type: 'request', request: { service: 'checkout-api', severity: 'critical', reason: 'metrics', requester: ONCALL, origin: { platform: 'slack' } } });
    const first = await waitFor(() => h.rewind.store.list({ limit: 5 }), (list) => list.length === 1, { what: 'the first rollback' });
    await h.waitForState(first[0]!.id, 'succeeded');

    // A high-severity one, back to the release just left (named, so Rewind allows it), waits for a lead's approval.
    const second = await h.rewind.service.request({ service: 'checkout-api', severity: 'high', targetRelease: '2.4.1', reason: 'metrics, approved', requester: ONCALL, origin: { platform: 'slack' } });
    if (second.kind !== 'created') throw new Error('expected a rollback');
    await h.rewind.service.approve(second.record.id, LEAD);
    await h.waitForState(second.record.id, 'succeeded');

    const where = 'service="checkout-api",environment="production"';
    expect(await promql(`sum(rewind_rollbacks_total{${where},outcome="succeeded"})`, (v) => v === 2)).toBe(2);
    expect(await promql(`sum(rewind_rollbacks_total{${where},trigger="manual"})`, (v) => v === 2)).toBe(2);
    expect(await promql(`sum(rewind_rollbacks_requested_total{${where},severity="high"})`, (v) => v === 1)).toBe(1);
    expect(await promql(`sum(rewind_recovery_seconds_count{${where}})`, (v) => v === 2)).toBe(2);
    // Both recovered well within their RTOs (2 m critical, 15 m high).
    expect(await promql(`sum(rewind_recovery_seconds_bucket{${where},le="120"})`, (v) => v === 2)).toBe(2);
    expect(await promql(`sum(rewind_rto_missed_total{${where}}) or vector(0)`, () => true)).toBe(0);
    expect(await promql(`sum(rewind_approval_wait_seconds_count{${where},decision="approved"})`, (v) => v === 1)).toBe(1);
    expect(await promql(`sum(rewind_step_duration_seconds_count{${where},step="rollback",result="succeeded"})`, (v) => v === 2)).toBe(2);
    expect(await promql(`sum(rewind_verification_duration_seconds_count{${where}})`, (v) => v === 2)).toBe(2);
    expect(await promql('sum(rewind_commands_total{kind="request",outcome="done"})', (v) => v === 1)).toBe(1);
    // The blue/green switch and its status reads, counted per attempt.
    expect(await promql('sum(rewind_outbound_requests_total{target="bluegreen",result="2xx"})', (v) => v >= 4)).toBeGreaterThanOrEqual(4);
    expect(await promql('sum(rewind_chat_deliveries_total{platform="recording",result="delivered"})', (v) => v > 0)).toBeGreaterThan(0);
    // Queue depth is sampled at scrape time: everything has drained.
    expect(await promql('sum(rewind_queue_jobs{queue="rollbacks",state="waiting"})', (v) => v === 0)).toBe(0);
    expect(await promql('max(rewind_queue_oldest_waiting_seconds)', (v) => v === 0)).toBe(0);
    expect(await promql('max(process_resident_memory_bytes{job="rewind"})', (v) => v > 0)).toBeGreaterThan(0);
  });

  it('labels series with catalog names and fixed sets only, never the reason someone typed', async () => {
    const text = await (await fetch(`${h.rewind.url}/metrics`)).text();
    expect(text).toContain('rewind_rollbacks_total');
    expect(text).not.toContain('metrics, approved');
    expect(text).not.toContain('U0ONCALL');
  });
});
