/**
 * What a commit means for a rollback's course, decided when its events are written: milestones,
 * which messages address the on-call, and the stakeholder announcements; and the outbox collapse
 * that must not lose any of it.
 */
import { Message } from '../../../src/domain/message';
import type { NewOutboundEvent, OutboundEvent } from '../../../src/domain/outbound-event';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { commitEvents, milestonesOf } from '../../../src/engine/course';
import { collapseSuperseded } from '../../../src/engine/outbox-drainer';
import { failureSummary } from '../../../src/messages/templates/failure-summary';
import { ACTORS, APPROVAL_POLICY, makeRecord, T0 } from '../../support/record-factory';

const note = (title: string): NewOutboundEvent => ({ kind: 'thread', message: Message.parse({ kind: 'notice', tone: 'info', title, fallback: title }) });
const kinds = (events: readonly NewOutboundEvent[]) => events.map((e) => `${e.kind}${e.supersedes ? `(${e.supersedes})` : ''}${e.mention ? '@' : ''}`);

describe('milestones', () => {
  it('a critical rollback that needs no approval starts when it is created', () => {
    const created = makeRecord({ state: 'queued' });
    expect(milestonesOf(undefined, created).map((m) => [m.kind, m.severity, m.run])).toEqual([['started', 'critical', 1]]);
    // Running, verifying: no new milestone.
    expect(milestonesOf(created, makeRecord({ state: 'running' }))).toEqual([]);
  });

  it('a rollback that waits for approval starts when the last approval is given, and not before', () => {
    const waiting = makeRecord({ state: 'pending_approval' });
    expect(milestonesOf(undefined, waiting)).toEqual([]);
    const approved = makeRecord({ state: 'queued', severity: 'high', policy: APPROVAL_POLICY, approvals: [{ actor: ACTORS.lead, at: T0 + 1000 }] });
    expect(milestonesOf(waiting, approved).map((m) => m.kind)).toEqual(['started']);
    expect(milestonesOf(waiting, makeRecord({ state: 'rejected' }))).toEqual([]);
  });

  it('ends as succeeded, failed (with where it stopped, what was seen, what next) or stopped', () => {
    const running = makeRecord({ state: 'verifying' });
    expect(milestonesOf(running, makeRecord({ state: 'succeeded' })).map((m) => m.kind)).toEqual(['succeeded']);
    const [failed] = milestonesOf(running, makeRecord({ state: 'failed' }));
    expect(failed!.summary).toBe('Rollback failed: checkout-api (production) — stopped at Verify (step 5 of 6)');
    const details = Object.fromEntries(failed!.details.map((d) => [d.label, d.value]));
    expect(details).toMatchObject({
      'Stopped at': 'Verify (step 5 of 6)',
      'What was seen': '2 passed · 1 failed. health: fail, measured 503 in 9 ms, health = unhealthy (threshold status 200, health = healthy)',
      'Next steps': expect.stringContaining('Retry verification once things settle'),
      Escalation: 'Page the checkout on-call (PagerDuty: checkout-primary)',
      Rollback: running.id,
    });
    expect(milestonesOf(makeRecord({ state: 'queued' }), makeRecord({ state: 'cancelled' })).map((m) => m.kind)).toEqual(['stopped']);
    // A retried verification that fails again is a new failure (run 2), paged again.
    const retried = { ...makeRecord({ state: 'failed' }), run: 2 };
    expect(milestonesOf({ ...running, run: 2 }, retried).map((m) => [m.kind, m.run])).toEqual([['failed', 2]]);
  });
});

describe('commit events', () => {
  it('creation: the header carries the start and addresses the on-call of a critical rollback; the announcement follows; then the thread', () => {
    const events = commitEvents(undefined, makeRecord({ state: 'queued' }), { header: true, now: T0, posts: [note('preview')] });
    expect(kinds(events)).toEqual(['header(header)@', 'announce(announce:opening)', 'thread']);
    expect(events[0]!.milestones?.map((m) => m.kind)).toEqual(['started']);
    expect(events[1]!.message).toMatchObject({ kind: 'announcement', title: 'Deployment rollback executed: checkout-api (production)', buttons: [] });
  });

  it('a request waiting for approval addresses nobody and announces nothing', () => {
    const events = commitEvents(undefined, makeRecord({ state: 'pending_approval', severity: 'critical', policy: APPROVAL_POLICY }), { header: true, now: T0, posts: [note('preview'), note('approval')] });
    expect(kinds(events)).toEqual(['header(header)', 'thread', 'thread']);
  });

  it('a critical start decided by an approval addresses the on-call in the first thread post, not in the (edited) header', () => {
    const waiting = makeRecord({ state: 'pending_approval', severity: 'critical', policy: APPROVAL_POLICY });
    const approved: RollbackRecord = { ...waiting, state: 'queued', approvals: [{ actor: ACTORS.lead, at: T0 + 1000 }], timings: { requestedAt: T0, queuedAt: T0 + 1000 } };
    const events = commitEvents(waiting, approved, { header: true, now: T0 + 1000, posts: [note('approved by Lead'), note('another')] });
    expect(kinds(events)).toEqual(['header(header)', 'announce(announce:opening)', 'thread@', 'thread']);
  });

  it('a failure addresses the on-call in the broadcast failure summary and ends the announcement', () => {
    const before = makeRecord({ state: 'verifying', severity: 'high', policy: APPROVAL_POLICY });
    const after = { ...makeRecord({ state: 'failed', severity: 'high', policy: APPROVAL_POLICY }) };
    const summary: NewOutboundEvent = { kind: 'thread', message: failureSummary(after), broadcast: true };
    const events = commitEvents(before, after, { header: true, now: T0 + 60_000, posts: [note('verify failed'), summary] });
    expect(kinds(events)).toEqual(['header(header)', 'announce(announce:opening)', 'announce(announce:closing)', 'thread', 'thread@']);
    expect(events[2]!.message.title).toBe('Rollback failed: checkout-api (production)');
  });

  it('edits the announcement only when what it says changed', () => {
    const running = makeRecord({ state: 'running' });
    const later = { ...running, steps: running.steps.map((s) => (s.name === 'rollback' ? { ...s, status: 'succeeded' as const } : s)) };
    expect(kinds(commitEvents(running, later, { header: true, now: T0, posts: [] }))).toEqual(['header(header)@']);
    expect(kinds(commitEvents(running, makeRecord({ state: 'verifying' }), { header: true, now: T0, posts: [] }))).toEqual(['header(header)@', 'announce(announce:opening)']);
  });
});

describe('collapsing superseded events', () => {
  let seq = 0;
  const event = (overrides: Partial<OutboundEvent>): { position: string; event: OutboundEvent } => {
    seq += 1;
    const message = Message.parse({ kind: 'notification', tone: 'progress', title: `v${seq}`, fallback: `v${seq}` });
    return { position: `${seq}-0`, event: { seq, rollbackId: 'rb_1', at: T0, kind: 'header', broadcast: false, supersedes: 'header', message, ...overrides } };
  };

  it('keeps every milestone and the mention of the versions it replaces, in order, on the one it delivers', () => {
    const started = milestonesOf(undefined, makeRecord({ state: 'queued' }));
    const succeeded = milestonesOf(makeRecord({ state: 'verifying' }), makeRecord({ state: 'succeeded' }));
    const batch = [event({ milestones: started, mention: true }), event({ kind: 'thread', supersedes: undefined }), event({}), event({ milestones: succeeded })];
    const out = collapseSuperseded(batch);
    expect(out.map(({ item }) => item.position)).toEqual([batch[0]!.position, batch[1]!.position]);
    expect(out[0]!.event.message.title).toBe(batch[3]!.event.message.title);
    expect(out[0]!.event.milestones?.map((m) => m.kind)).toEqual(['started', 'succeeded']);
    expect(out[0]!.event.mention).toBe(true);
  });

  it('leaves a lone version as it is', () => {
    const batch = [event({})];
    expect(collapseSuperseded(batch)[0]!.event).toBe(batch[0]!.event);
  });
});
