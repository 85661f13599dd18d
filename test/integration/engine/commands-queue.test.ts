/**
 * The path every chat adapter uses: an interaction becomes a command on the `commands` queue, a
 * worker runs it, and the person gets a private answer. Replays of one interaction do nothing.
 */
import { renderPlainText } from '../../../src/messages/plain-text';
import { LEAD, ONCALL, SECOND_LEAD, STRANGER, useBluegreenRewind } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

describe('commands queue', () => {
  const fixture = useBluegreenRewind();

  const replyTo = (user: string) => ({ platform: 'slack', data: { responseUrl: `http://127.0.0.1/respond/${user}` } });
  const repliesTo = (user: string) => fixture.h.replier.replies.filter((r) => r.target.data['responseUrl'] === `http://127.0.0.1/respond/${user}`);

  it('requests, refuses a stranger privately, and runs once on an approver’s replayed click', async () => {
    const request = {
      type: 'request' as const,
      reply: replyTo('lead'),
      request: { service: 'checkout-api', severity: 'high' as const, reason: 'checkout down', requester: LEAD, origin: { platform: 'slack' as const, channelId: 'C0INCIDENT', interactionId: 'int-cmd-1' } },
    };
    await fixture.h.rewind.queues.enqueueCommand(request, 'int-cmd-1');
    await fixture.h.rewind.queues.enqueueCommand(request, 'int-cmd-1');
    const accepted = await waitFor(() => repliesTo('lead'), (r) => r.length > 0, { what: 'the requester’s reply' });
    const [record] = await fixture.h.rewind.store.list({ service: 'checkout-api', limit: 5 });
    expect(record?.state).toBe('pending_approval');
    expect(renderPlainText(accepted[0]!.message)).toContain(record!.id);

    await fixture.h.rewind.queues.enqueueCommand({ type: 'approve', rollbackId: record!.id, actor: STRANGER, reply: replyTo('stranger') }, 'int-click-stranger');
    const refusal = await waitFor(() => repliesTo('stranger'), (r) => r.length > 0, { what: 'the stranger’s refusal' });
    expect(renderPlainText(refusal[0]!.message)).toContain('not an approver');

    for (let i = 0; i < 3; i++) await fixture.h.rewind.queues.enqueueCommand({ type: 'approve', rollbackId: record!.id, actor: SECOND_LEAD, reply: replyTo('lead2') }, 'int-click-lead2');
    await fixture.h.waitForState(record!.id, 'succeeded');
    expect(fixture.target.rollbackRequests).toBe(1);
    expect(await fixture.h.rewind.store.list({ service: 'checkout-api', limit: 5 })).toHaveLength(1);
    const audit = await fixture.h.rewind.store.auditTrail(record!.id);
    expect(audit.filter((e) => e.type === 'approval.granted')).toHaveLength(1);
  });

  it('refuses a command the worker could not run before it reaches the queue, saying what is wrong', async () => {
    const bad = { type: 'restore' as const, rollbackId: 'rb_1', step: 'drop table', actor: ONCALL, reply: replyTo('oncall') };
    await expect(fixture.h.rewind.queues.enqueueCommand(bad, 'int-bad')).rejects.toMatchObject({ userMessage: expect.stringMatching(/^Rewind cannot run that restore: step: expected a step name\. Nothing changed\.$/) });
    expect(Object.values(await fixture.h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('lists the deployment history as releases, newest first, the live one marked and the others one click away', async () => {
    fixture.target.deploy('2.5.0');
    fixture.target.deploy('2.5.1');
    await fixture.h.rewind.queues.enqueueCommand({ type: 'releases', actor: ONCALL, service: 'checkout-api', reply: replyTo('oncall') });
    const [reply] = await waitFor(() => repliesTo('oncall'), (r) => r.length === 1, { what: 'the releases reply' });
    const rows = renderPlainText(reply!.message).split('\n').map((line) => line.trim()).filter((line) => /^[▶•] /.test(line));
    expect(rows.map((row) => row.split(' · ')[0])).toEqual(['▶ 2.5.1 (green)', '• 2.5.0 (blue)', '• 2.4.1 (green)', '• 2.4.0 (blue)']);
    expect(rows[0]).toContain('CURRENT');
    expect(rows[1]).toContain('idle');
    expect(rows[3]).toContain('replaced');
    expect(reply!.message.buttons?.map((b) => b.label)).toEqual(['Roll back to 2.5.0', 'Roll back to 2.4.1', 'Roll back to 2.4.0']);
  });

  it('answers status, history, releases and help privately', async () => {
    await fixture.h.rewind.queues.enqueueCommand({ type: 'releases', actor: ONCALL, service: 'checkout-api', reply: replyTo('oncall') });
    await fixture.h.rewind.queues.enqueueCommand({ type: 'help', actor: ONCALL, reply: replyTo('oncall') });
    await fixture.h.rewind.queues.enqueueCommand({ type: 'status', actor: ONCALL, target: 'chekout-api', reply: replyTo('oncall') });
    const replies = await waitFor(() => repliesTo('oncall'), (r) => r.length === 3, { what: 'three replies' });
    const texts = replies.map((r) => renderPlainText(r.message)).join('\n---\n');
    expect(texts).toContain('2.4.0');
    expect(texts).toContain('/rollback');
    expect(texts).toContain('Did you mean `checkout-api`?');
  });
});
