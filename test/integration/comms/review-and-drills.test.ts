/**
 * Break-glass review and drills end to end (issue 15, second half), with real Redis and BullMQ
 * workers, live blue/green services and a local fake of Slack's Web API:
 * - a critical rollback that ran without approval asks its approvers for a review in the thread
 *   (a card before the summary, no mention); a non-approver's "Reviewed" is refused and audited, an
 *   approver's is recorded and edits the card; "Add note" opens a form whose note lands on the card;
 * - left unreviewed, it is reminded exactly once after `review.after` (1 s here), however often the
 *   reminder job runs, echoed in the incident channel;
 * - `/rollback drill checkout-api staging` runs a real rollback marked DRILL and reports it against
 *   the RTO; drills are kept out of the history unless asked for; a drill on production is refused
 *   unless the catalog allows it;
 * - an environment overdue for a drill gets one reminder, with two worker processes checking.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import type { Clock } from '../../../src/domain/ports';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { toExportRow } from '../../../src/domain/export-row';
import { findRecords, postmortemOf } from '../../../src/engine/records';
import { Keys } from '../../../src/store/keys';
import { RedisOutboxLog } from '../../../src/store/redis-outbox-log';
import { systemClock } from '../../../src/app/system-clock';
import { FakeSlack, FAKE_SLACK_TOKEN, type FakeMessage } from '../../fakes/slack-api';
import { startTarget } from '../../support/bluegreen-target';
import { startHarness, type Harness } from '../../support/harness';
import { connect, uniquePrefix } from '../../support/redis';
import { buttonClickForm, postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(60_000);

const DEFAULTS = `
defaults:
  approvals:
    critical: { required: 0 }
    high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2] }, timeout: 15m }
    medium: { required: 1, approvers: { slack: [U0LEAD] }, timeout: 1h }
    low: { refuse: "Low severity: fix it in the next release." }
  rto: { critical: 2m, high: 15m }`;

function environment(name: string, channel: string, url: string, extra = ''): string {
  return [
    `      ${name}:`,
    `        channels: { slack: ${channel} }`,
    `        provider: { type: bluegreen, baseUrl: ${url}, timeout: 2s, retries: 1 }`,
    `        waitLive: { timeout: 20s, interval: 20ms }`,
    `        verify:`,
    `          - { type: http, name: health, url: ${url}/health, expect: { status: 200, json: { health: healthy } } }`,
    extra,
  ]
    .filter(Boolean)
    .join('\n');
}

describe('break-glass review and drills', () => {
  let slack: FakeSlack;
  let targets: BlueGreenService[];
  let harnesses: Harness[];

  beforeEach(async () => {
    slack = await FakeSlack.start();
    targets = [];
    harnesses = [];
  });
  afterEach(async () => {
    for (const h of harnesses) await h.close();
    for (const t of targets) await t.close();
    await slack.close();
  });

  async function target(): Promise<BlueGreenService> {
    const t = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    targets.push(t);
    return t;
  }

  /** checkout-api: production (C0INCIDENT) and staging (C0STAGING); payments: production (C0PAY), drills allowed there. */
  async function catalog(extra: { production?: string; staging?: string } = {}): Promise<string> {
    const [prod, staging, payments] = [await target(), await target(), await target()];
    return `${DEFAULTS}
services:
  checkout-api:
    environments:
${environment('production', 'C0INCIDENT', prod.url, extra.production)}
${environment('staging', 'C0STAGING', staging.url, extra.staging)}
  payments:
    environments:
${environment('production', 'C0PAY', payments.url, '        drills: { every: 30d, allowProduction: true }')}
`;
  }

  async function start(yaml: string, options: { prefix?: string; ingress?: boolean; clock?: Clock; drillCheckIntervalMs?: number } = {}): Promise<Harness> {
    const ingress = options.ingress ?? true;
    const h = await startHarness(yaml, {
      roles: { ingress, worker: true },
      http: ingress,
      recordReplies: false,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.drillCheckIntervalMs ? { queue: { drillCheckIntervalMs: options.drillCheckIntervalMs } } : {}),
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });
    harnesses.push(h);
    return h;
  }

  const slash = (h: Harness, text: string, user = 'U0ONCALL', channel = 'C0INCIDENT') =>
    postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text, user_id: user, channel_id: channel, response_url: slack.responseUrl(user) }) });
  const click = (h: Harness, action: string, value: string, user: string, message: FakeMessage, channel = 'C0INCIDENT') =>
    postToSlackEndpoint(h.rewind.url!, { body: buttonClickForm({ actionId: `rewind:${action}`, value, user_id: user, response_url: slack.responseUrl(user), message_ts: message.ts, channel_id: channel }) });
  const blocks = (m: FakeMessage | undefined) => JSON.stringify(m?.blocks ?? []);
  const replies = (user: string) => slack.responses(user).map((r) => JSON.stringify(r)).join('\n');

  async function latest(h: Harness, service: string, environment: string): Promise<RollbackRecord> {
    const [record] = await waitFor(() => h.rewind.store.list({ service, environment, limit: 1 }), (list) => list.length === 1, { what: `a rollback of ${service} (${environment})` });
    return record!;
  }

  async function headerOf(channel: string): Promise<FakeMessage> {
    return (await waitFor(() => slack.messages(channel).find((m) => !m.thread_ts), (m) => m !== undefined, { what: `a header in ${channel}` }))!;
  }

  /** Every chat event of the rollback (or notice) delivered to Slack. */
  async function settled(h: Harness, id: string): Promise<void> {
    const redis = connect();
    try {
      const log = new RedisOutboxLog(redis, h.rewind.keys);
      await waitFor(() => log.pending(id, 'slack', 10), (pending) => pending.length === 0, { what: `slack to have every event of ${id}`, timeoutMs: 30_000 });
    } finally {
      redis.disconnect();
    }
  }

  it('a break-glass rollback asks its approvers for a review; a non-approver is refused, an approver reviews and notes (audited)', async () => {
    const h = await start(await catalog());
    expect((await slash(h, 'checkout-api production --severity critical --reason "checkout 500s"')).status).toBe(200);
    const record = await latest(h, 'checkout-api', 'production');
    await h.waitForState(record.id, 'succeeded');
    const header = await headerOf('C0INCIDENT');

    // The card: in the thread right before the summary (still its last word), with the two buttons, naming the approvers as text only.
    const card = (await waitFor(() => slack.thread('C0INCIDENT', header.ts).find((m) => blocks(m).includes('rewind:review_note')), (m) => m !== undefined, { what: 'the review card' }))!;
    const thread = await waitFor(() => slack.thread('C0INCIDENT', header.ts), (t) => t.at(-1)?.reply_broadcast === true, { what: 'the summary' });
    expect(thread.at(-2)!.ts).toBe(card.ts);
    expect(card.reply_broadcast).toBeFalsy();
    expect(blocks(card)).toContain('Review needed: checkout-api (production) was rolled back without approval');
    expect(blocks(card)).toContain('rewind:review');
    expect(blocks(card)).toContain('U0LEAD');
    expect(`${card.text} ${blocks(card)}`).not.toMatch(/<!subteam|<@U|<!channel|<!here/);

    // Someone who is not an approver: refused privately, with who may, and audited.
    expect((await click(h, 'review', record.id, 'U0STRANGER', card)).status).toBe(200);
    await waitFor(() => replies('U0STRANGER'), (text) => text.includes('not an approver of this environment'), { what: 'the refusal' });
    expect(replies('U0STRANGER')).toContain('slack:U0LEAD');
    const refused = await waitFor(() => h.rewind.store.auditTrail(record.id), (trail) => trail.some((e) => e.type === 'review.refused'), { what: 'the audited refusal' });
    expect(refused.find((e) => e.type === 'review.refused')).toMatchObject({ actor: { id: 'U0STRANGER' }, data: { action: 'review', code: 'not_an_approver' } });

    // An approver: reviewed, audited, and the card edited in place without the Reviewed button.
    expect((await click(h, 'review', record.id, 'U0LEAD', card)).status).toBe(200);
    const reviewed = await waitFor(() => h.rewind.store.get(record.id), (r) => r?.review?.reviewed !== undefined, { what: 'the review' });
    expect(reviewed!.review!.reviewed!.actor).toMatchObject({ id: 'U0LEAD' });
    expect((await h.rewind.store.auditTrail(record.id)).filter((e) => e.type === 'review.done')).toHaveLength(1);
    const edited = await waitFor(() => slack.messages('C0INCIDENT').find((m) => m.ts === card.ts), (m) => blocks(m).includes('Break-glass rollback reviewed'), { what: 'the card edited' });
    expect(blocks(edited)).not.toContain('"rewind:review"');

    // Add note: the form opens with the rollback's id, and the note lands on the card and in the records.
    expect((await click(h, 'review_note', record.id, 'U0LEAD2', card)).status).toBe(200);
    await waitFor(() => slack.callsTo('views.open'), (calls) => calls.length === 1, { what: 'the note form' });
    expect(slack.callsTo('views.open')[0]!.args['view']).toMatchObject({ callback_id: 'review_note', private_metadata: record.id });
    const submission = {
      type: 'view_submission',
      team: { id: 'T0001', domain: 'example' },
      user: { id: 'U0LEAD2', username: 'lead2', name: 'lead2', team_id: 'T0001' },
      api_app_id: 'A123456',
      trigger_id: 'view-trigger',
      view: { id: 'V0NOTE', type: 'modal', callback_id: 'review_note', private_metadata: record.id, hash: 'h1', state: { values: { note: { note_input: { type: 'plain_text_input', value: 'Right call; add a canary stage.' } } } } },
      response_urls: [],
    };
    expect((await postToSlackEndpoint(h.rewind.url!, { body: new URLSearchParams({ payload: JSON.stringify(submission) }).toString() })).status).toBe(200);
    const noted = await waitFor(() => h.rewind.store.get(record.id), (r) => (r?.review?.notes.length ?? 0) === 1, { what: 'the note' });
    await waitFor(() => slack.messages('C0INCIDENT').find((m) => m.ts === card.ts), (m) => blocks(m).includes('Right call; add a canary stage.'), { what: 'the note on the card' });

    // In the records: the export's columns and the post-mortem draft.
    expect(toExportRow(noted!)).toMatchObject({ review: 'reviewed', reviewedBy: 'u0lead', reviewNotes: 'lead2: Right call; add a canary stage.' });
    const { markdown } = await postmortemOf(h.rewind.store, record.id);
    expect(markdown).toContain('## Break-glass review');
    expect(markdown).toMatch(/- \*\*Reviewed by:\*\* u0lead at /);
    expect(markdown).toContain('Right call; add a canary stage.');
  });

  it('an unreviewed break-glass rollback is reminded exactly once after `review.after`', async () => {
    const h = await start(await catalog({ production: '        review: { after: 1s }' }));
    const result = await h.rewind.service.request({ service: 'checkout-api', environment: 'production', severity: 'critical', reason: 'checkout 500s', requester: { platform: 'slack', id: 'U0ONCALL', name: 'oncall' }, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const id = result.record.id;
    await h.waitForState(id, 'succeeded');
    const header = await headerOf('C0INCIDENT');

    const reminder = (await waitFor(() => slack.thread('C0INCIDENT', header.ts).find((m) => blocks(m).includes('is still unreviewed')), (m) => m !== undefined, { what: 'the reminder', timeoutMs: 20_000 }))!;
    expect(reminder.reply_broadcast).toBe(true);
    expect(blocks(reminder)).toContain('Reminder: the break-glass rollback of checkout-api (production) is still unreviewed');

    // The reminder job retried, run again by this worker and by the timer's re-arm: nothing more is posted.
    await Promise.all([h.rewind.service.remindReview(id), h.rewind.service.remindReview(id), h.rewind.service.checkDrills()]);
    await h.rewind.queues.outbox.add('remind_review', { rollbackId: id });
    await waitFor(() => h.rewind.queues.outbox.getJobCounts('waiting', 'active'), (c) => (c['waiting'] ?? 0) + (c['active'] ?? 0) === 0, { what: 'the queued reminder to run' });
    await settled(h, id);
    expect(slack.thread('C0INCIDENT', header.ts).filter((m) => blocks(m).includes('is still unreviewed'))).toHaveLength(1);
    expect((await h.rewind.store.auditTrail(id)).filter((e) => e.type === 'review.reminded')).toHaveLength(1);
  });

  it('`/rollback drill` runs a real rollback on staging marked DRILL, reports it against the RTO, and keeps it out of the history', async () => {
    const h = await start(await catalog());
    expect((await slash(h, 'drill checkout-api staging --severity critical', 'U0LEAD', 'C0STAGING')).status).toBe(200);
    const record = await latest(h, 'checkout-api', 'staging');
    expect(record.trigger.kind).toBe('drill');
    await h.waitForState(record.id, 'succeeded');

    const header = await headerOf('C0STAGING');
    await waitFor(() => slack.messages('C0STAGING').find((m) => m.ts === header.ts), (m) => blocks(m).includes('DRILL — practice rollback, not an incident'), { what: 'the DRILL header' });
    const report = (await waitFor(() => slack.thread('C0STAGING', header.ts).find((m) => blocks(m).includes('Drill report')), (m) => m !== undefined, { what: 'the drill report' }))!;
    expect(blocks(report)).toContain('Drill report: checkout-api (staging) — succeeded, RTO met');
    expect(blocks(report)).toContain('bluegreen: blue/green switch 2.4.1 → 2.4.0');
    expect(blocks(report)).toMatch(/\d+ (ms|s) end to end/);
    expect(blocks(report)).toContain('2 min (critical)');
    expect(blocks(report)).toContain('All checks passed');
    // A critical drill is no break-glass rollback: no review is asked for.
    expect(slack.thread('C0STAGING', header.ts).some((m) => blocks(m).includes('rewind:review'))).toBe(false);

    // Apart from real rollbacks: left out unless drills are asked for.
    expect(await findRecords(h.rewind.store, { service: 'checkout-api' })).toEqual([]);
    expect((await findRecords(h.rewind.store, { service: 'checkout-api', drills: 'only' })).map((r) => r.id)).toEqual([record.id]);
  });

  it('a drill on production is refused unless the catalog allows it there', async () => {
    const h = await start(await catalog());
    expect((await slash(h, 'drill checkout-api production')).status).toBe(200);
    await waitFor(() => replies('U0ONCALL'), (text) => text.includes('it is a production environment'), { what: 'the refusal' });
    expect(replies('U0ONCALL')).toContain('allowProduction: true');
    expect(await h.rewind.store.list({ service: 'checkout-api', limit: 5 })).toEqual([]);
    expect((await h.rewind.store.recentAudit(5)).find((e) => e.type === 'request.refused')).toMatchObject({ actor: { id: 'U0ONCALL' }, data: { code: 'policy_refused', trigger: 'drill' } });

    // payments allows drills on production.
    expect((await slash(h, 'drill payments production --severity critical', 'U0ONCALL', 'C0PAY')).status).toBe(200);
    const record = await latest(h, 'payments', 'production');
    expect(record.trigger.kind).toBe('drill');
    await h.waitForState(record.id, 'succeeded');
  });

  it('an environment overdue for a drill gets one reminder, with two worker processes checking', async () => {
    // Both workers read the same instant, so every check of theirs is in the same overdue period.
    const now = systemClock.now();
    const clock: Clock = { now: () => now, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
    const yaml = await catalog({ staging: '        drills: { every: 30d }' });
    const prefix = uniquePrefix();
    const redis = connect();
    try {
      // The last drill of staging ended 31 days ago (the ledger, as a drill's end writes it).
      await redis.zadd(new Keys(prefix).drills('checkout-api', 'staging'), now - 31 * 86_400_000, 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7');
    } finally {
      redis.disconnect();
    }
    const first = await start(yaml, { prefix, clock, drillCheckIntervalMs: 150 });
    const second = await start(yaml, { prefix, clock, drillCheckIntervalMs: 150, ingress: false });

    const reminder = (await waitFor(() => slack.messages('C0STAGING').find((m) => blocks(m).includes('Drill due')), (m) => m !== undefined, { what: 'the drill reminder', timeoutMs: 20_000 }))!;
    expect(blocks(reminder)).toContain('Drill due: checkout-api (staging) has not been drilled for 31 days');
    expect(blocks(reminder)).toContain('/rollback drill checkout-api staging');

    // More scheduled checks run (on either worker), and both workers check at once, by hand.
    const scheduler = await first.rewind.queues.outbox.getJobScheduler('drill-check');
    const seen = scheduler?.iterationCount ?? 0;
    await waitFor(() => first.rewind.queues.outbox.getJobScheduler('drill-check'), (s) => (s?.iterationCount ?? 0) >= seen + 4, { what: 'four more scheduled checks', timeoutMs: 20_000 });
    const checks = await Promise.all([first.rewind.service.checkDrills(), second.rewind.service.checkDrills(), first.rewind.service.checkDrills(), second.rewind.service.checkDrills()]);
    expect(checks.flatMap((c) => c.reminded)).toEqual([]);
    await waitFor(() => first.rewind.queues.outbox.getJobCounts('waiting', 'active'), (c) => (c['waiting'] ?? 0) + (c['active'] ?? 0) === 0, { what: 'the checks to finish' });
    expect(slack.messages('C0STAGING').filter((m) => blocks(m).includes('Drill due'))).toHaveLength(1);
    // Production of checkout-api has no `drills`, payments was never drilled: reminded once too.
    expect(slack.messages('C0INCIDENT').filter((m) => blocks(m).includes('Drill due'))).toHaveLength(0);
    expect(slack.messages('C0PAY').filter((m) => blocks(m).includes('Drill due'))).toHaveLength(1);
  });
});
