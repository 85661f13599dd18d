/** The post-mortem draft: the facts of a rollback in Markdown, from its record and audit trail only. */
import type { AuditEvent } from '../../../src/domain/audit';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { postmortemDraft, postmortemFileName } from '../../../src/messages/postmortem-draft';
import { ACTORS, MINUTE, SECOND, T0, checkResult, makeRecord, standardChecks, verificationOf } from '../../support/record-factory';

/** The audit trail the engine writes for a record like this one: request, approval, each step. */
function auditOf(record: RollbackRecord, extra: AuditEvent[] = []): AuditEvent[] {
  const events: Omit<AuditEvent, 'seq'>[] = [
    { at: record.timings.requestedAt, type: 'requested', actor: record.requester, reason: record.reason, data: { severity: record.severity, from: '2.4.1', to: '2.4.0' } },
  ];
  for (const approval of record.approvals) events.push({ at: approval.at, type: 'approval.granted', actor: approval.actor, data: { approvals: 1, required: 1 } });
  for (const step of record.steps) {
    if (step.startedAt === undefined) continue;
    events.push({ at: step.startedAt, type: 'step.started', actor: ACTORS.rewind, data: { step: step.name } });
    if (step.finishedAt !== undefined && step.status === 'succeeded') {
      events.push({ at: step.finishedAt, type: 'step.succeeded', actor: ACTORS.rewind, data: { step: step.name, durationMs: step.finishedAt - step.startedAt } });
    }
    if (step.finishedAt !== undefined && step.status === 'failed') events.push({ at: step.finishedAt, type: 'step.failed', actor: ACTORS.rewind, reason: step.detail ?? 'failed', data: { step: step.name } });
  }
  if (record.timings.finishedAt !== undefined) events.push({ at: record.timings.finishedAt, type: 'transition', actor: ACTORS.rewind, from: 'verifying', to: record.state });
  return [...events, ...extra].sort((a, b) => a.at - b.at).map((e, i) => ({ ...e, seq: i + 1, rollbackId: record.id }));
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`no section ${heading} in:\n${markdown}`);
  const end = markdown.indexOf('\n## ', start + 4);
  return markdown.slice(start + 1, end < 0 ? undefined : end);
}

describe('postmortemDraft', () => {
  const approved = makeRecord({
    state: 'succeeded',
    severity: 'high',
    rtoMs: 15 * MINUTE,
    policy: { decision: 'await_approval', required: 1, approvers: { slack: ['U0LEAD'] }, selfApproval: false },
    approvals: [{ actor: ACTORS.lead, at: T0 + 30 * SECOND }],
    timings: { requestedAt: T0, queuedAt: T0 + 30 * SECOND, startedAt: T0 + 31 * SECOND, verifiedAt: T0 + 66 * SECOND, finishedAt: T0 + 68 * SECOND },
  });

  it('opens with a title and a summary a reader can scan: service, environment, releases, severity, trigger, outcome', () => {
    const md = postmortemDraft({ record: approved, audit: auditOf(approved) });
    expect(md.split('\n')[0]).toBe('# Post-mortem draft: checkout-api (production) rollback 2.4.1 → 2.4.0 (blue)');
    const summary = section(md, 'Summary');
    for (const row of ['| Service | checkout-api |', '| Environment | production |', '| Release | 2.4.1 → 2.4.0 (blue) |', '| Severity | High |', '| Trigger | manual (slack: steve) |', '| Outcome | Succeeded |', '| Rollback id | rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7 |']) {
      expect(summary).toContain(row);
    }
  });

  it('has a timeline from the audit trail: the request, the approval, each step with its duration, who did it', () => {
    const md = postmortemDraft({ record: approved, audit: auditOf(approved) });
    const timeline = section(md, 'Timeline');
    expect(timeline).toContain('## Timeline (UTC, from 2026-11-23)');
    expect(timeline).toContain('| 09:45:12 | Rollback requested (high, 2.4.1 → 2.4.0), reason “checkout 500s since 2.4.1” | steve |');
    expect(timeline).toContain('| 09:45:42 | Approved (1 of 1) | Lead |');
    expect(timeline).toMatch(/\| Roll back succeeded in 2 s \| Rewind \|/);
    const steps = section(md, 'Steps');
    expect(steps).toContain('| 3 | Roll back |');
    expect(steps.split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(6);
  });

  it('lists each check with what was measured against what was required', () => {
    const md = postmortemDraft({ record: approved, audit: auditOf(approved) });
    const verification = section(md, 'Verification');
    expect(verification).toMatch(/^## Verification: pass/);
    expect(verification).toContain('| error rate | prometheus | pass | error ratio 0.002 (6 samples) | < 0.01 for 2 min | 29 s |');
  });

  it('measures time to verified recovery against the RTO: met, with the margin', () => {
    const md = postmortemDraft({ record: approved, audit: auditOf(approved) });
    const recovery = section(md, 'Recovery time');
    expect(recovery).toContain('Time to verified recovery: **1 min 06 s** (requested 09:45:12 → the checks passed 09:46:18 UTC).');
    expect(recovery).toContain('RTO for high in production: 15 min.');
    expect(recovery).toContain('**RTO met**, 13 min 54 s to spare.');
  });

  it('says the RTO was missed, and by how much', () => {
    const slow = makeRecord({ state: 'succeeded', rtoMs: 2 * MINUTE, timings: { requestedAt: T0, startedAt: T0, verifiedAt: T0 + 3 * MINUTE + 5 * SECOND, finishedAt: T0 + 3 * MINUTE + 7 * SECOND } });
    expect(section(postmortemDraft({ record: slow, audit: auditOf(slow) }), 'Recovery time')).toContain('**RTO missed** by 1 min 05 s.');
  });

  it('a failed rollback missed its RTO and shows the failing check', () => {
    const failed = makeRecord({ state: 'failed' });
    const md = postmortemDraft({ record: failed, audit: auditOf(failed) });
    expect(section(md, 'Summary')).toContain('| Outcome | Failed — 1 of 3 checks failed after switching to `2.4.0`: health (503 in 9 ms, health = unhealthy). |');
    expect(section(md, 'Recovery time')).toContain('**RTO missed.**');
    expect(section(md, 'Verification')).toContain('| health | http | fail | 503 in 9 ms, health = unhealthy |');
  });

  it('does not time a recovery that no check confirmed', () => {
    const unchecked = makeRecord({ state: 'succeeded', verification: verificationOf([]) });
    const md = postmortemDraft({ record: unchecked, audit: auditOf(unchecked) });
    expect(section(md, 'Recovery time')).toContain('Recovery was not verified: no checks are configured');
    expect(section(md, 'Verification')).toContain('No checks are configured');
  });

  it('leaves impact, root cause and prevention as prompts until the team fills them in', () => {
    const md = postmortemDraft({ record: approved, audit: auditOf(approved) });
    expect(section(md, 'Impact')).toContain('_To be written: who was affected');
    expect(section(md, 'Root cause')).toContain('_To be written:');
    expect(section(md, 'Prevention')).toContain('_To be written:');
  });

  it('uses what the team recorded from the summary form, and says who recorded it', () => {
    const filled: RollbackRecord = {
      ...approved,
      postmortem: { impact: 'Checkout failed for 4% of carts\nfor 12 minutes.', rootCause: 'Pricing engine v2 divides by zero on empty carts.', prevention: 'Property test for empty carts.', by: ACTORS.ann, at: T0 + 20 * MINUTE },
    };
    const extra: AuditEvent[] = [{ at: T0 + 20 * MINUTE, type: 'postmortem.updated', actor: ACTORS.ann, data: { fields: ['impact', 'rootCause', 'prevention'] } }];
    const md = postmortemDraft({ record: filled, audit: auditOf(filled, extra) });
    expect(section(md, 'Impact')).toBe('## Impact\n\nCheckout failed for 4% of carts\nfor 12 minutes.\n');
    expect(section(md, 'Root cause')).toContain('Pricing engine v2 divides by zero on empty carts.');
    expect(md).toContain('as recorded by Ann at 2026-11-23 10:05:12 UTC');
    expect(section(md, 'Who did what')).toContain('- **Ann** (discord `501`): filled in the post-mortem (10:05:12)');
  });

  it('says who did what: the requester, the approver, and Rewind for the steps', () => {
    const who = section(postmortemDraft({ record: approved, audit: auditOf(approved) }), 'Who did what');
    expect(who).toContain('- **steve** (slack `U0STEVE`): requested the rollback (09:45:12)');
    expect(who).toContain('- **Lead** (slack `U0LEAD`): approved it (09:45:42)');
    expect(who).toContain('- **Rewind** ran the steps and checks.');
  });

  it('links the threads, the platform and the API', () => {
    const withLink: RollbackRecord = { ...approved, providerResult: { link: 'https://dashboard.render.com/web/srv-1/deploys/dep-9', notes: [], hold: { kind: 'auto-deploy', description: 'auto-deploy turned off', undo: 'turn auto-deploy back on', data: {} } } };
    const md = postmortemDraft({ record: withLink, audit: auditOf(withLink), threads: [{ platform: 'slack', channel: 'C0INCIDENT', url: 'https://example.slack.com/archives/C0INCIDENT/p1700000000000100' }] });
    const links = section(md, 'Links');
    expect(links).toContain('- Slack thread in `C0INCIDENT`: https://example.slack.com/archives/C0INCIDENT/p1700000000000100');
    expect(links).toContain("- Discord thread under the rollback's header in channel `222`");
    expect(links).toContain('- On the platform: https://dashboard.render.com/web/srv-1/deploys/dep-9');
    expect(links).toContain('`GET /api/rollbacks/rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7/postmortem.md`');
    expect(section(md, 'Holds and restores')).toContain('- Held: auto-deploy turned off. `/rollback unlock checkout-api production` will turn auto-deploy back on.');
  });

  it('keeps a table intact whatever people typed: pipes and newlines in a reason', () => {
    const odd = makeRecord({ state: 'succeeded', reason: 'a | b\nc' });
    const md = postmortemDraft({ record: odd, audit: auditOf(odd) });
    expect(section(md, 'Summary')).toContain('| Reason | a \\| b c |');
  });

  it('shows the evidence of an automatic trigger', () => {
    const auto = makeRecord({ state: 'succeeded', requester: ACTORS.rewind, trigger: { kind: 'alert', source: 'alertmanager', evidence: ['alertname=HighErrorRate', 'value=0.12'] } });
    const md = postmortemDraft({ record: auto, audit: auditOf(auto) });
    expect(section(md, 'Trigger evidence (alert: HighErrorRate)')).toContain('- value=0.12');
    expect(section(md, 'Who did what')).toContain('- **Rewind** started it automatically (alert: HighErrorRate).');
  });

  it('is deterministic: the same record and trail give the same bytes', () => {
    const audit = auditOf(approved);
    expect(postmortemDraft({ record: approved, audit })).toBe(postmortemDraft({ record: structuredClone(approved), audit: structuredClone(audit) }));
  });

  it('inconclusive evidence accepted by a person counts from the acceptance', () => {
    const results = [checkResult({ status: 'inconclusive', name: 'error rate', type: 'prometheus', measured: 'no data' }), ...standardChecks().slice(0, 1)];
    const accepted = makeRecord({
      state: 'succeeded',
      verification: verificationOf(results, { acceptedBy: { actor: ACTORS.lead, at: T0 + 90 * SECOND } }),
      timings: { requestedAt: T0, startedAt: T0, verifiedAt: T0 + 40 * SECOND, finishedAt: T0 + 91 * SECOND },
    });
    const recovery = section(postmortemDraft({ record: accepted, audit: auditOf(accepted) }), 'Recovery time');
    expect(recovery).toContain('Time to verified recovery: **1 min 30 s** (requested 09:45:12 → an inconclusive verification was accepted 09:46:42 UTC).');
  });
});

describe('postmortemFileName', () => {
  it('names the service, environment and rollback', () => {
    expect(postmortemFileName(makeRecord())).toBe('postmortem-checkout-api-production-rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7.md');
    expect(postmortemFileName({ ...makeRecord(), service: 'a b/../c' })).toBe('postmortem-a-b-c-production-rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7.md');
  });
});
