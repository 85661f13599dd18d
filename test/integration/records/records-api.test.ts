/**
 * The records a team keeps, from real rollbacks (real Redis, BullMQ, a live blue/green service):
 * the post-mortem draft, history exports under filters and the RTO report, over the API and as
 * the answers to chat commands where the chat cannot take files.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { renderPlainText } from '../../../src/messages/plain-text';
import { startTarget } from '../../support/bluegreen-target';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { makeHistory, type MadeHistory } from '../../support/rollback-history';
import { waitFor } from '../../support/wait-for';
import { csvRecords as csvRows } from '../../support/csv-reader';

const TOKEN = 'records-api-token-0123456789';

describe('records: post-mortem, history export and RTO report from real rollbacks', () => {
  let target: BlueGreenService;
  let h: Harness;
  let made: MadeHistory;

  beforeAll(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`), { http: true, apiToken: TOKEN });
    made = await makeHistory(h, target);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await target.close();
  });

  const get = (path: string, token: string | undefined = TOKEN) => fetch(`${h.rewind.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('serves a post-mortem draft in Markdown: timeline, checks, who did what, RTO met, the team’s root cause', async () => {
    const response = await get(`/api/rollbacks/${made.approved}/postmortem.md`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const md = await response.text();
    expect(md.split('\n')[0]).toBe('# Post-mortem draft: checkout-api (production) rollback 2.5.0 → 2.4.0 (blue)');
    expect(md).toContain('| Severity | High |');
    expect(md).toMatch(/\| \d\d:\d\d:\d\d \| Approved \(1 of 1\) \| lead \|/);
    expect(md).toMatch(/\| \d\d:\d\d:\d\d \| Roll back succeeded in \d+ ms \| Rewind \|/);
    expect(md).toMatch(/\| health \| http \| pass \| 200 in \d+ ms/);
    expect(md).toContain('- **oncall** (slack `U0ONCALL`): requested the rollback');
    expect(md).toContain('- **lead** (slack `U0LEAD`): approved it');
    expect(md).toContain('RTO for high in production: 15 min.');
    expect(md).toMatch(/\*\*RTO met\*\*, \d+ min( \d\d s)? to spare\./);
    expect(md).toContain('_To be written: what in the release broke');

    const filled = await (await get(`/api/rollbacks/${made.critical}/postmortem.md`)).text();
    expect(filled).toContain('## Root cause\n\nPricing engine v2 divides by zero on empty carts.\n');
    expect(filled).toContain('- **lead** (slack `U0LEAD`): filled in the post-mortem');

    const failed = await (await get(`/api/rollbacks/${made.failed}/postmortem.md`)).text();
    expect(failed).toContain('**RTO missed.**');
    expect(failed).toMatch(/\| health \| http \| fail \|/);
  });

  it('answers an unknown id with 404 and where ids are found; refuses without the token', async () => {
    const missing = await get('/api/rollbacks/rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7/postmortem.md');
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: string };
    expect(body.error).toContain('No rollback with id `rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7`');
    expect(body.error).toContain('/rollback history <service> --format csv');
    expect((await get(`/api/rollbacks/${made.critical}/postmortem.md`, '')).status).toBe(401);
  });

  it('exports the history as CSV under filters: service, outcome, trigger and time range', async () => {
    const response = await get('/api/rollbacks?service=checkout-api&outcome=succeeded&trigger=manual&since=1h&format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith('id,service,environment,requested_at,finished_at,severity,trigger_kind,trigger,requested_by,reason,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = csvRows(text);
    expect(rows.map((r) => r['id'])).toEqual([made.approved, made.critical]);
    const critical = rows[1]!;
    expect(critical).toMatchObject({ service: 'checkout-api', severity: 'critical', trigger_kind: 'manual', trigger: 'manual (slack: oncall)', outcome: 'succeeded', rto_met: 'true', rto_ms: '120000' });
    expect(critical['reason']).toBe('500s after deploy, "checkout" broken');
    expect(critical['root_cause']).toBe('Pricing engine v2 divides by zero on empty carts.');
    expect(critical['requested_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Number(critical['recovery_ms'])).toBeGreaterThan(0);

    const alerts = csvRows(await (await get('/api/rollbacks?trigger=alert&format=csv')).text());
    expect(alerts.map((r) => [r['id'], r['trigger']])).toEqual([[made.alert, 'alert: HighErrorRate']]);
    const failures = csvRows(await (await get('/api/rollbacks?outcome=failed&format=csv')).text());
    expect(failures.map((r) => [r['id'], r['rto_met']])).toEqual([[made.failed, 'false']]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(csvRows(await (await get(`/api/rollbacks?since=${future}&format=csv`)).text())).toEqual([]);
    const past = csvRows(await (await get(`/api/rollbacks?until=${encodeURIComponent('2020-01-01T00:00:00Z')}&format=csv`)).text());
    expect(past).toEqual([]);
  });

  it("exports seed 003's Markdown table and JSON with the CSV's columns", async () => {
    const md = await (await get('/api/rollbacks?service=checkout-api&outcome=succeeded&format=md')).text();
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('| Date | Time | Trigger | Method | Duration | Root Cause |');
    expect(lines).toHaveLength(2 + 3);
    expect(lines.at(-1)).toMatch(/^\| \d{4}-\d\d-\d\d \| \d\d:\d\d \| manual \(slack: oncall\) \| blue\/green switch 2\.4\.1 → 2\.4\.0 \| \d+ m?s \| Pricing engine v2 divides by zero on empty carts\. \|$/);

    const json = (await (await get('/api/rollbacks?outcome=rejected&format=json')).json()) as { count: number; rollbacks: { id: string; outcome: string; recoveryMs: number | null }[] };
    expect(json.count).toBe(1);
    expect(json.rollbacks[0]).toMatchObject({ id: made.rejected, outcome: 'rejected', recoveryMs: null });
  });

  it('refuses bad filters with 400 and says what each takes', async () => {
    const bad = await get('/api/rollbacks?outcome=done&trigger=cron&since=yesterday&format=xlsx&colour=red');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { issues: string[]; valid: string[] };
    expect(body.issues).toEqual(
      expect.arrayContaining([
        'outcome: expected one of pending_approval, queued, running, verifying, succeeded, failed, rejected, expired, cancelled, aborted',
        'trigger: expected one of manual, auto, alert, drill',
        expect.stringMatching(/^since: expected a duration back from now such as 30d/),
        'format: expected one of csv, md, json',
        'colour: unknown parameter',
      ]),
    );
    expect(body.valid).toEqual(expect.arrayContaining(['service', 'environment', 'outcome', 'trigger', 'since', 'until', 'format']));
  });

  it('reports time to verified recovery against the RTO, by severity', async () => {
    const response = await get('/api/reports/rto?service=checkout-api&since=30d');
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      window: string;
      all: { rollbacks: number; recovered: number; failed: number; judged: number; met: number; metPct: number; medianMs: number; worstMs: number; worstId: string };
      bySeverity: { severity: string; rollbacks: number; metPct?: number }[];
    };
    expect(report.window).toBe('the last 30 days');
    expect(report.all).toMatchObject({ rollbacks: 5, recovered: 3, failed: 1, judged: 4, met: 3, metPct: 75 });
    expect(report.all.medianMs).toBeLessThanOrEqual(report.all.worstMs);
    expect([made.critical, made.approved, made.alert]).toContain(report.all.worstId);
    expect(report.bySeverity.map((g) => [g.severity, g.rollbacks, g.metPct])).toEqual([
      ['critical', 3, 66.7],
      ['high', 2, 100],
    ]);
    expect((await get('/api/reports/rto?since=soon')).status).toBe(400);
  });

  it('answers /rollback report and filtered history in chat, and a file where the chat cannot take one', async () => {
    const replyTo = (key: string) => ({ platform: 'console', data: { user: key } });
    const repliesTo = (key: string) => h.replier.replies.filter((r) => r.target.data['user'] === key);

    await h.rewind.queues.enqueueCommand({ type: 'report', actor: ONCALL, service: 'checkout-api', since: { kind: 'ago', ms: 86_400_000 }, reply: replyTo('report') });
    const [report] = await waitFor(() => repliesTo('report'), (r) => r.length === 1, { what: 'the report' });
    const reportText = renderPlainText(report!.message);
    expect(report!.message.title).toBe('RTO report: checkout-api, the last day');
    expect(reportText).toContain('RTO met: 75% (3/4)');
    expect(reportText).toContain('Critical | 3 | 2 |');

    await h.rewind.queues.enqueueCommand({ type: 'history', actor: ONCALL, service: 'checkout-api', outcome: 'failed', limit: 10, reply: replyTo('history') });
    const [history] = await waitFor(() => repliesTo('history'), (r) => r.length === 1, { what: 'the filtered history' });
    expect(history!.message.title).toBe('Rollback history: checkout-api · failed (last 1 rollback)');

    await h.rewind.queues.enqueueCommand({ type: 'postmortem_draft', actor: ONCALL, rollbackId: made.critical, reply: replyTo('draft') });
    const [draft] = await waitFor(() => repliesTo('draft'), (r) => r.length === 1, { what: 'the draft' });
    expect(renderPlainText(draft!.message)).toContain(`This chat cannot take files here. Here is the start of \`postmortem-checkout-api-production-${made.critical}.md\`.`);
    expect(renderPlainText(draft!.message)).toContain(`GET /api/rollbacks/${made.critical}/postmortem.md`);

    await h.rewind.queues.enqueueCommand({ type: 'postmortem_draft', actor: ONCALL, rollbackId: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7', reply: replyTo('nope') });
    const [nope] = await waitFor(() => repliesTo('nope'), (r) => r.length === 1, { what: 'the refusal' });
    expect(renderPlainText(nope!.message)).toContain('No rollback with id `rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7`. Rollback ids are in the footer');
  });
});
