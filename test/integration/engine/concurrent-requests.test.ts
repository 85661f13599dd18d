/** Two requests for one service at once: exactly one rollback runs; the other is refused naming it. */
import { ActiveRollbackError } from '../../../src/domain/errors';
import { LEAD, ONCALL, useBluegreenRewind } from '../../support/harness';

describe('one active rollback per service environment', () => {
  const fixture = useBluegreenRewind();

  it('runs one of two simultaneous requests and refuses the other with the active id', async () => {
    const ask = (actor: typeof ONCALL, interactionId: string) =>
      fixture.h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: actor, origin: { platform: 'slack', interactionId } });
    const results = await Promise.allSettled([ask(ONCALL, 'int-a'), ask(LEAD, 'int-b')]);
    const created = results.flatMap((r) => (r.status === 'fulfilled' && r.value.kind === 'created' ? [r.value.record] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(ActiveRollbackError);
    const error = refused[0] as ActiveRollbackError;
    expect(error.activeId).toBe(created[0]!.id);
    expect(error.userMessage).toContain(created[0]!.id);

    await fixture.h.waitForState(created[0]!.id, 'succeeded');
    expect(fixture.target.rollbackRequests).toBe(1);
    const refusals = await fixture.h.rewind.store.recentAudit(200);
    expect(refusals.some((e) => e.type === 'request.refused' && e.data?.['code'] === 'active_rollback')).toBe(true);
  });
});
