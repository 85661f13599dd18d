/** Chat delivery survives a rate-limited platform: retried after Retry-After, nothing dropped, order kept. */
import { startTarget } from '../../support/bluegreen-target';
import { bluegreenCatalog, LEAD, ONCALL, startHarness, useBluegreenRewind } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

describe('outbox delivery', () => {
  const fixture = useBluegreenRewind();

  it('retries a 429 after its Retry-After and delivers every event in order', async () => {
    fixture.h.sink.failNext(3, 200);
    const result = await fixture.h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected created');
    await fixture.h.waitForState(result.record.id, 'succeeded');
    const delivered = await waitFor(
      () => fixture.h.sink.forRollback(result.record.id),
      (events) => events.some((e) => e.message.kind === 'summary'),
      { what: 'the summary after the rate limit', timeoutMs: 20_000 },
    );
    const appended = await fixture.h.rewind.store.outboxEvents(result.record.id);
    // Every appended event is delivered, or collapsed into a later event with the same key.
    const keysDelivered = new Set(delivered.map((e) => e.supersedes ?? `seq:${e.seq}`));
    for (const event of appended) expect(keysDelivered.has(event.supersedes ?? `seq:${event.seq}`)).toBe(true);
    expect(delivered[0]!.kind).toBe('header');
    expect(delivered.at(-1)!.message.kind).toBe('summary');
    // Events without a key arrive in the order they were appended.
    const plain = delivered.filter((e) => !e.supersedes).map((e) => e.seq);
    expect(plain).toEqual([...plain].sort((a, b) => a - b));
  });

  it('keeps one delivery job waiting per rollback however many commits add chat events', async () => {
    const target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    // No worker: every commit's delivery waits in the queue.
    const h = await startHarness(bluegreenCatalog(target.url), { roles: { ingress: true, worker: false } });
    try {
      const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'high', reason: 'coalesce', requester: ONCALL, origin: { platform: 'slack' } });
      if (result.kind !== 'created') throw new Error('expected created');
      await h.rewind.service.approve(result.record.id, ONCALL).catch(() => undefined);
      await h.rewind.service.approve(result.record.id, LEAD);
      expect((await h.rewind.store.outboxEvents(result.record.id)).length).toBeGreaterThan(3);
      expect(await h.rewind.queues.outbox.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 });
    } finally {
      await h.close();
      await target.close();
    }
  });
});
