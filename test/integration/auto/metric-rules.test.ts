/**
 * Metric rules: a Prometheus query that stays on the unhealthy side for the rule's duration starts
 * a rollback; a single bad sample, no data, or a recovery before the duration does not. Status shows it.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { renderPlainText } from '../../../src/messages/plain-text';
import { FakePrometheus } from '../../fakes/prometheus-server';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const QUERY = 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';

describe('metric rules', () => {
  let target: BlueGreenService;
  let prometheus: FakePrometheus;
  let h: Harness;

  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.3.0' }, live: 'blue' });
    prometheus = await FakePrometheus.start();
    const auto = `        auto:
          prometheus: { url: ${prometheus.url} }
          rules:
            - { preset: error-rate, name: error rate, query: '${QUERY}', for: 600ms, interval: 100ms }`;
    h = await startHarness(bluegreenCatalog(target.url, auto));
  });
  afterEach(async () => {
    await h.close();
    await prometheus.close();
    await target.close();
  });

  it('fires after the error rate stays above 5% for the duration, not on a blip or missing data', async () => {
    // A blip, then no data, then healthy: nothing may start.
    prometheus.answer(QUERY, 0.2, 'empty', 0.01, 0.01, 0.01, 0.01, 0.01, 0.01);
    await waitFor(() => prometheus.queries.length, (n) => n >= 8, { what: 'the rule to be evaluated a few times' });
    expect(await h.rewind.store.list({ limit: 5 })).toEqual([]);

    target.deploy('2.5.0', { bad: true });
    prometheus.answer(QUERY, 0.12);
    const [record] = await waitFor(() => h.rewind.store.list({ limit: 5 }), (r) => r.length === 1, { timeoutMs: 10_000, what: 'the rule to start a rollback' });
    expect(record!.trigger).toMatchObject({ kind: 'auto', source: 'metric-rule' });
    expect(record!.reason).toContain('error rate: above 0.05');
    expect(record!.trigger.evidence.join('\n')).toContain(QUERY);
    expect(record!.trigger.evidence.join('\n')).toContain('0.12');
    await h.waitForState(record!.id, 'succeeded');

    const status = renderPlainText(await h.rewind.service.status());
    expect(status).toContain('Automatic rollback');
    expect(status).toContain('checkout-api (production): locked');
    expect(status).toContain('error rate: unhealthy since');
  });
});
