/**
 * The break-glass review on in-memory ports: a critical rollback that ran without approval asks the
 * environment's approvers for a review in the commit that ends it; "Reviewed" and notes follow the
 * rules (refusals audited); the one reminder goes out when due, never twice, never after a review.
 */
import { NO_COMMS } from '../../../src/domain/incident-comms';
import { addReviewNote, markReviewed, remindReview } from '../../../src/engine/break-glass-reviews';
import { renderPlainText } from '../../../src/messages/plain-text';
import { auditLine, inMemoryEngine, MINUTE, PEOPLE, START, targetOf, type EngineWorld } from '../../support/in-memory-engine';

const HOUR = 60 * MINUTE;

async function breakGlass(w: EngineWorld): Promise<string> {
  const { id } = await w.request({ severity: 'critical' });
  await w.runQueued();
  return id;
}

describe('break-glass review: asked for at the end', () => {
  it('a critical rollback run without approval posts the review card with its summary, audits it and arms the reminder (24 h by default)', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    const end = done.timings.finishedAt!;
    expect(done.review).toMatchObject({ approvers: { slack: ['U0LEAD', 'U0LEAD2'] }, afterMs: 24 * HOUR, requestedAt: end, remindAt: end + 24 * HOUR, notes: [] });
    expect((await w.trail(id)).map(auditLine).slice(-2)).toEqual(['transition:succeeded', 'review.requested']);

    // In the thread just before the summary, which stays the thread's last word; no mention.
    const [card, summary] = (await w.events(id)).slice(-2);
    expect(summary).toMatchObject({ kind: 'thread', broadcast: true, message: { kind: 'summary' } });
    expect(card).toMatchObject({ kind: 'thread', supersedes: 'review', broadcast: false, message: { kind: 'approval', title: 'Review needed: checkout-api (production) was rolled back without approval' } });
    expect(card!.mention).toBeUndefined();
    expect(card!.message.buttons.map((b) => [b.action, b.label, b.value])).toEqual([
      ['review', 'Reviewed', id],
      ['review_note', 'Add note', id],
    ]);
    expect(renderPlainText(card!.message)).toContain('oncall requested it, so someone else must mark it reviewed.');
    expect(w.scheduler.reviewReminders).toEqual([{ rollbackId: id, atMs: end + 24 * HOUR }]);
  });

  it('asks on failure too, and uses `review.after` from the catalog', async () => {
    const w = inMemoryEngine({ target: targetOf({ comms: { ...NO_COMMS, reviewAfterMs: 2 * HOUR } }) });
    w.provider.rollbackFailures.push(new Error('the platform said no'));
    const id = await breakGlass(w);
    const done = await w.get(id);
    expect(done.state).toBe('failed');
    expect(done.review).toMatchObject({ afterMs: 2 * HOUR, remindAt: done.timings.finishedAt! + 2 * HOUR });
  });

  it('is not asked of a rollback someone approved', async () => {
    const w = inMemoryEngine();
    const { id } = await w.request({ severity: 'high' });
    expect((await w.get(id)).review).toBeUndefined();
  });

  it('is not asked of a critical drill: practice, not an emergency', async () => {
    const w = inMemoryEngine({ target: targetOf({ environment: 'staging' }) });
    const { id } = await w.request({ environment: 'staging', severity: 'critical', trigger: { kind: 'drill', source: 'slack', evidence: [] } });
    await w.runQueued();
    const done = await w.get(id);
    expect(done.state).toBe('succeeded');
    expect(done.review).toBeUndefined();
    expect((await w.trail(id)).some((e) => e.type.startsWith('review.'))).toBe(false);
  });
});

describe('break-glass review: Reviewed and notes', () => {
  it('an approver marks it reviewed: audited, the card edited in place without the Reviewed button', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    w.clock.advance(10 * MINUTE);
    const after = await markReviewed(w.deps, id, PEOPLE.lead);
    expect(after.review!.reviewed).toEqual({ actor: PEOPLE.lead, at: w.clock.now() });
    expect((await w.trail(id)).at(-1)).toMatchObject({ type: 'review.done', actor: PEOPLE.lead });
    const card = (await w.events(id)).at(-1)!;
    expect(card).toMatchObject({ supersedes: 'review', message: { title: 'Break-glass rollback reviewed: checkout-api (production), by lead', tone: 'success' } });
    expect(card.message.buttons.map((b) => b.action)).toEqual(['review_note']);
  });

  it.each([
    ['someone who is not an approver', PEOPLE.stranger, 'not_an_approver', /not an approver/],
    ['the requester', PEOPLE.oncall, 'not_an_approver', /not an approver/],
  ])('refuses %s and audits the refusal', async (_name, actor, code, message) => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    await expect(markReviewed(w.deps, id, actor)).rejects.toThrow(message);
    expect((await w.trail(id)).at(-1)).toMatchObject({ type: 'review.refused', actor, data: { action: 'review', code } });
    expect((await w.get(id)).review!.reviewed).toBeUndefined();
  });

  it('refuses the requester who is an approver unless self-approval is on', async () => {
    const w = inMemoryEngine();
    const { id } = await w.request({ severity: 'critical', requester: PEOPLE.lead });
    await w.runQueued();
    await expect(markReviewed(w.deps, id, PEOPLE.lead)).rejects.toThrow(/another approver must review it/);
    expect((await w.trail(id)).at(-1)).toMatchObject({ type: 'review.refused', data: { code: 'own_rollback' } });
    await expect(markReviewed(w.deps, id, PEOPLE.lead2)).resolves.toMatchObject({ review: { reviewed: { actor: PEOPLE.lead2 } } });
  });

  it('a second Reviewed changes nothing and says who reviewed', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    await markReviewed(w.deps, id, PEOPLE.lead);
    const events = (await w.trail(id)).length;
    await expect(markReviewed(w.deps, id, PEOPLE.lead2)).rejects.toThrow('Already reviewed by lead');
    expect(await w.trail(id)).toHaveLength(events);
  });

  it('keeps notes from the requester and from approvers, in order, on the card', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    await addReviewNote(w.deps, id, PEOPLE.oncall, 'Checkout was down for everyone; no approver answered in 5 minutes.');
    await addReviewNote(w.deps, id, PEOPLE.lead, 'Right call. Add a canary for 2.4.x.');
    await expect(addReviewNote(w.deps, id, PEOPLE.stranger, 'hi')).rejects.toThrow(/may add a review note/);
    const record = await w.get(id);
    expect(record.review!.notes.map((n) => [n.actor.id, n.text])).toEqual([
      ['U0ONCALL', 'Checkout was down for everyone; no approver answered in 5 minutes.'],
      ['U0LEAD', 'Right call. Add a canary for 2.4.x.'],
    ]);
    expect((await w.trail(id)).map(auditLine).slice(-3)).toEqual(['review.noted', 'review.noted', 'review.refused']);
    expect(renderPlainText((await w.events(id)).at(-1)!.message)).toContain('Right call. Add a canary for 2.4.x.');
  });
});

describe('break-glass review: the one reminder', () => {
  it('is not sent early: the timer is set again for its time', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    const remindAt = (await w.get(id)).review!.remindAt!;
    w.clock.advance(HOUR);
    const events = (await w.events(id)).length;
    await remindReview(w.deps, id);
    expect(await w.events(id)).toHaveLength(events);
    expect(w.scheduler.reviewReminders.at(-1)).toEqual({ rollbackId: id, atMs: remindAt + 250 });
  });

  it('is sent once when due (in the thread, echoed in the channel), however often the timer fires', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    w.clock.set((await w.get(id)).review!.remindAt!);
    await Promise.all([remindReview(w.deps, id), remindReview(w.deps, id)]);
    await remindReview(w.deps, id);
    const reminders = (await w.events(id)).filter((e) => e.message.title.startsWith('Reminder:'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ kind: 'thread', broadcast: true, message: { title: 'Reminder: the break-glass rollback of checkout-api (production) is still unreviewed' } });
    expect((await w.trail(id)).filter((e) => e.type === 'review.reminded')).toHaveLength(1);
    expect((await w.get(id)).review!.remindedAt).toBe(w.clock.now());
  });

  it('is not sent once the rollback was reviewed', async () => {
    const w = inMemoryEngine();
    const id = await breakGlass(w);
    await markReviewed(w.deps, id, PEOPLE.lead);
    w.clock.set(START + 48 * HOUR);
    await remindReview(w.deps, id);
    expect((await w.trail(id)).some((e) => e.type === 'review.reminded')).toBe(false);
  });
});
