/**
 * Alert webhooks: a signed Alertmanager v4 payload starts one rollback; the same payload again,
 * a resolved one, an unsigned one and one for an unknown service start none, each with its own
 * HTTP status. Grafana and the generic shape work the same way; deploys are recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { signBody } from '../../../src/triggers/webhook-auth';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const SECRET = 'alertmanager-hmac-secret-0123456789';
const BEARER = 'generic-hook-bearer-token-0123456789';
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../fixtures', name), 'utf8')) as Record<string, unknown> & { alerts: Record<string, unknown>[] };

describe('alert webhooks', () => {
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
    const catalog = bluegreenCatalog(target.url, '        auto: { lockAfterRollback: false, cooldown: 0 }').replace(
      'services:',
      `hooks:
  alertmanager: { auth: { type: hmac, secret: "\${AM_SECRET}" } }
  grafana: { auth: { type: bearer, token: "\${HOOK_TOKEN}" } }
  generic: { auth: { type: bearer, token: "\${HOOK_TOKEN}" } }
  deploy: { auth: { type: bearer, token: "\${HOOK_TOKEN}" } }
services:`,
    );
    h = await startHarness(catalog, { http: true, env: { AM_SECRET: SECRET, HOOK_TOKEN: BEARER } });
    target.deploy('2.5.0', { bad: true });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  const post = async (source: string, body: unknown, headers: Record<string, string>) => {
    const raw = JSON.stringify(body);
    const response = await fetch(`${h.rewind.url}/hooks/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
    return { status: response.status, body: (await response.json()) as { queued?: number; results?: { outcome: string; reason?: string }[]; error?: string } };
  };
  const signed = (body: unknown) => ({ 'x-rewind-signature': signBody(SECRET, JSON.stringify(body)) });
  const rollbacks = () => h.rewind.store.list({ limit: 10 });

  it('starts one rollback from a signed Alertmanager payload and nothing from its repeats', async () => {
    const payload = fixture('alertmanager-v4.json');
    const first = await post('alertmanager', payload, signed(payload));
    expect(first).toMatchObject({ status: 202, body: { queued: 1, results: [{ outcome: 'queued' }] } });
    const [record] = await waitFor(rollbacks, (r) => r.length === 1, { what: 'the rollback' });
    expect(record!.trigger).toMatchObject({ kind: 'alert', source: 'alertmanager' });
    expect(record!.severity).toBe('critical');
    expect(record!.trigger.evidence.join('\n')).toContain('5xx ratio 12% over 2m');
    expect(record!.trigger.evidence.join('\n')).toContain('http://prometheus.example:9090/graph');
    await h.waitForState(record!.id, 'succeeded');

    const again = await post('alertmanager', payload, signed(payload));
    expect(again).toMatchObject({ status: 200, body: { queued: 0, results: [{ outcome: 'duplicate' }] } });

    const resolved = { ...payload, status: 'resolved', alerts: payload.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-11-22T12:30:00Z' })) };
    expect(await post('alertmanager', resolved, signed(resolved))).toMatchObject({ status: 200, body: { queued: 0, results: [{ outcome: 'resolved' }] } });

    expect((await post('alertmanager', payload, {})).status).toBe(401);
    expect((await post('alertmanager', payload, { 'x-rewind-signature': signBody('not-the-secret-at-all!!', JSON.stringify(payload)) })).status).toBe(401);

    const unknown = { ...payload, groupKey: 'other', alerts: payload.alerts.map((a) => ({ ...a, fingerprint: 'ffff', labels: { ...(a['labels'] as object), service: 'payments-api' } })) };
    const unknownAnswer = await post('alertmanager', unknown, signed(unknown));
    expect(unknownAnswer.status).toBe(422);
    expect(unknownAnswer.body.results?.[0]?.reason).toContain('Unknown service `payments-api`');

    const malformed = { ...payload, alerts: [{ labels: {} }] };
    const bad = await post('alertmanager', malformed, signed(malformed));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/alerts\[0\]/);

    expect(await rollbacks()).toHaveLength(1);
    expect(target.rollbackRequests).toBe(1);
  });

  it('accepts Grafana and the generic shape with a bearer token, and records deploys', async () => {
    const grafana = fixture('grafana-alert.json');
    expect((await post('grafana', grafana, {})).status).toBe(401);
    const answer = await post('grafana', grafana, { authorization: `Bearer ${BEARER}` });
    expect(answer).toMatchObject({ status: 202, body: { queued: 1 } });
    const [record] = await waitFor(rollbacks, (r) => r.length === 1, { what: 'the rollback' });
    expect(record!.trigger.source).toBe('grafana');
    expect(record!.trigger.evidence.join('\n')).toContain('B=3.4');
    await h.waitForState(record!.id, ['succeeded', 'pending_approval']);

    const deploy = await post('deploy', { service: 'checkout-api', environment: 'production', version: '2.6.0', by: 'ci' }, { authorization: `Bearer ${BEARER}` });
    expect(deploy).toMatchObject({ status: 200, body: { recorded: { version: '2.6.0', service: 'checkout-api' } } });
    expect((await h.rewind.service.deps.automation.latestDeploy('checkout-api', 'production'))?.version).toBe('2.6.0');

    const generic = await post('generic', { service: 'checkout-api', title: 'Synthetic checkout failing', severity: 'critical' }, { authorization: `Bearer ${BEARER}` });
    expect(generic.status).toBe(202);
    const missingTitle = await post('generic', { service: 'checkout-api' }, { authorization: `Bearer ${BEARER}` });
    expect(missingTitle.status).toBe(400);
    expect(missingTitle.body.error).toContain('title');
  });

  it('says when a hook is not configured', async () => {
    await h.close();
    h = await startHarness(bluegreenCatalog(target.url), { http: true });
    const answer = await post('alertmanager', fixture('alertmanager-v4.json'), {});
    expect(answer).toMatchObject({ status: 404, body: { error: expect.stringContaining('add hooks.alertmanager to the catalog') } });
  });
});
