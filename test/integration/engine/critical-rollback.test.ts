/**
 * A critical rollback started through the core API runs end to end against a real blue/green
 * service: requested → queued → running → verifying → succeeded, one provider call, complete
 * record, history and audit trail, and a summary that names duration and RTO.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const VERIFY = `        verify:
          - { type: http, name: health, url: BASE/health, expect: { status: 200, json: { health: healthy } } }
          - { type: version, url: BASE/deployment/status, path: currentVersion }`;

describe('critical rollback of a bluegreen service', () => {
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url, VERIFY.replaceAll('BASE', target.url)));
  });
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  it('runs at once, switches exactly once, verifies and records everything', async () => {
    const result = await h.rewind.service.request({
      service: 'checkout-api',
      environment: 'production',
      severity: 'critical',
      reason: '500s after deploy',
      requester: ONCALL,
      origin: { platform: 'slack', channelId: 'C0INCIDENT', interactionId: 'int-critical-1' },
      trigger: { kind: 'manual', source: 'slack', evidence: [] },
    });
    expect(result.kind).toBe('created');
    if (result.kind !== 'created') return;
    expect(result.record.state).toBe('queued');
    expect(result.record.from?.version).toBe('2.4.1');
    expect(result.record.to?.version).toBe('2.4.0');

    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(target.rollbackRequests).toBe(1);
    expect(target.switches).toBe(1);

    // Record: every step done, verification passed with both checks, timings complete.
    expect(done.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'precheck:succeeded',
      'capture:succeeded',
      'rollback:succeeded',
      'wait_live:succeeded',
      'verify:succeeded',
      'summarize:succeeded',
    ]);
    expect(done.verification?.status).toBe('pass');
    expect(done.verification?.results.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(done.captured).toMatchObject({ currentVersion: '2.4.1' });
    expect(done.timings.finishedAt).toBeGreaterThanOrEqual(done.timings.requestedAt);

    // Audit: the whole path, numbered 1..n with no gap and no duplicate.
    const audit = await h.rewind.store.auditTrail(done.id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    const path = [audit[0]!.to, ...audit.filter((e) => e.type === 'transition').map((e) => e.to)];
    expect(path).toEqual(['queued', 'running', 'verifying', 'succeeded']);
    expect(audit[0]).toMatchObject({ type: 'requested', actor: { id: 'U0ONCALL' }, reason: '500s after deploy' });
    expect(audit.filter((e) => e.type === 'step.succeeded')).toHaveLength(6);

    // History: the rollback is listed for the service in the runbook's format.
    const history = await h.rewind.service.history('checkout-api', 10);
    expect(renderPlainText(history)).toContain('2.4.1 → 2.4.0');

    // Chat: header first, the summary last and broadcast, naming duration and the RTO outcome.
    const events = await waitFor(
      () => h.sink.forRollback(done.id),
      (evs) => evs.some((e) => e.message.kind === 'summary'),
      { what: 'the summary to be delivered' },
    );
    expect(events[0]!.kind).toBe('header');
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ kind: 'thread', broadcast: true, message: { kind: 'summary' } });
    const text = renderPlainText(summary.message);
    expect(text).toMatch(/Duration/i);
    expect(text).toMatch(/RTO/);
    expect(text).toMatch(/met/i);
    expect(text).toContain('2.4.0');
    // Steps appear in plan order. A step's start and result share a key: delivered in one batch
    // they collapse to one post; otherwise the result follows its start (sinks that can edit, edit).
    const stepPosts = events.flatMap((e) => (e.supersedes?.startsWith('step:') ? [e.supersedes] : []));
    expect(stepPosts.filter((key, i) => key !== stepPosts[i - 1])).toEqual(['step:precheck', 'step:capture', 'step:rollback', 'step:wait_live', 'step:verify', 'step:summarize']);
    expect(events.filter((e) => e.kind === 'header').length).toBeGreaterThanOrEqual(1);
  });

  it('answers a replayed interaction with the same rollback and does not switch again', async () => {
    const input = {
      service: 'checkout-api',
      severity: 'critical' as const,
      requester: ONCALL,
      origin: { platform: 'slack' as const, channelId: 'C0INCIDENT', interactionId: 'int-replayed' },
    };
    const first = await h.rewind.service.request(input);
    const second = await h.rewind.service.request(input);
    expect(first.kind).toBe('created');
    expect(second.kind).toBe('duplicate');
    if (first.kind !== 'created' || second.kind !== 'duplicate') return;
    expect(second.record.id).toBe(first.record.id);
    await h.waitForState(first.record.id, 'succeeded');
    expect(target.rollbackRequests).toBe(1);
  });

  it('never picks the release it just rolled back from as "last stable"', async () => {
    const first = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (first.kind !== 'created') throw new Error('expected created');
    await h.waitForState(first.record.id, 'succeeded');
    // Blue 2.4.0 is live now and the idle green side holds 2.4.1, the release just rolled back from.
    await expect(
      h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } }),
    ).rejects.toThrow(`was rolled back from in \`${first.record.id}\``);
    // Named explicitly, it is allowed (here as a dry run, which changes nothing).
    const forced = await h.rewind.service.request({
      service: 'checkout-api',
      severity: 'critical',
      targetRelease: '2.4.1',
      dryRun: true,
      requester: ONCALL,
      origin: { platform: 'slack' },
    });
    expect(forced.kind).toBe('dry_run');
    if (forced.kind === 'dry_run') expect(renderPlainText(forced.message)).toContain('2.4.0 → 2.4.1');
    expect(target.switches).toBe(1);
  });
});
