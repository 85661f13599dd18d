/** Alerts become one signal per service, environment and state, with evidence an SRE can read in a thread. */
import alertmanagerFixture from '../../fixtures/alertmanager-v4.json';
import grafanaFixture from '../../fixtures/grafana-alert.json';
import { AlertmanagerPayload, GenericPayload, GrafanaPayload } from '../../../src/triggers/alert-payloads';
import { DEFAULT_LABELS, alertmanagerSignals, genericSignals, grafanaSignals, mapSeverity } from '../../../src/triggers/alert-signals';

const GENERATOR_URL = alertmanagerFixture.alerts[0]!.generatorURL;
type AlertInput = Partial<Omit<(typeof alertmanagerFixture.alerts)[number], 'labels' | 'annotations'>> & { labels?: Record<string, string>; annotations?: Record<string, string> };

/** The fixture with its alerts replaced; each alert starts from the fixture's own. */
function alertmanager(alerts: AlertInput[] = [{}], extra: Record<string, unknown> = {}): AlertmanagerPayload {
  const base = alertmanagerFixture.alerts[0]!;
  return AlertmanagerPayload.parse({
    ...alertmanagerFixture,
    commonLabels: {},
    commonAnnotations: {},
    ...extra,
    alerts: alerts.map((a) => ({ ...base, ...a, labels: a.labels ?? base.labels, annotations: a.annotations ?? base.annotations })),
  });
}

describe('alertmanagerSignals', () => {
  it('turns the fixture into one critical signal for checkout-api in production', () => {
    const { signals, skipped } = alertmanagerSignals(AlertmanagerPayload.parse(alertmanagerFixture));
    expect(skipped).toEqual([]);
    expect(signals).toEqual([
      {
        source: 'alertmanager',
        service: 'checkout-api',
        environment: 'production',
        severity: 'critical',
        firing: true,
        dedupeKey: 'alertmanager:checkout-api:production:518e12f888c4622c:2026-11-22T12:14:19.789Z',
        title: 'HighErrorRate',
        evidence: [
          'HighErrorRate firing since 2026-11-22 12:14:19 UTC',
          'summary: 5xx ratio 12% over 2m',
          'labels: alertname=HighErrorRate, environment=production, service=checkout-api, severity=critical',
        ],
        links: [GENERATOR_URL, 'https://runbooks.example/high-error-rate', 'http://alertmanager.example:9093/'],
        startsAt: '2026-11-22T12:14:19.789Z',
      },
    ]);
  });

  it('gives a repeat notification the same dedupe key, whatever the alert order', () => {
    const a = { fingerprint: 'aaa', startsAt: '2026-11-22T12:10:00Z' };
    const b = { fingerprint: 'bbb', startsAt: '2026-11-22T12:14:00Z' };
    const first = alertmanagerSignals(alertmanager([a, b])).signals[0]!;
    const repeat = alertmanagerSignals(alertmanager([b, a])).signals[0]!;
    expect(repeat.dedupeKey).toBe(first.dedupeKey);
    expect(first.dedupeKey).toBe('alertmanager:checkout-api:production:aaa+bbb:2026-11-22T12:10:00Z');
  });

  it('gives a later firing of the same alert a new dedupe key', () => {
    const before = alertmanagerSignals(alertmanager([{ startsAt: '2026-11-22T12:14:19.789Z' }])).signals[0]!;
    const later = alertmanagerSignals(alertmanager([{ startsAt: '2026-11-22T15:02:00Z' }])).signals[0]!;
    expect(later.dedupeKey).not.toBe(before.dedupeKey);
  });

  it('marks resolved alerts as not firing and says when they ended', () => {
    const [signal] = alertmanagerSignals(alertmanager([{ status: 'resolved', endsAt: '2026-11-22T12:31:05Z' }], { status: 'resolved' })).signals;
    expect(signal).toMatchObject({ firing: false, service: 'checkout-api' });
    expect(signal!.evidence[0]).toBe('HighErrorRate resolved at 2026-11-22 12:31:05 UTC');
  });

  it('keeps firing and resolved alerts of one service apart', () => {
    const { signals } = alertmanagerSignals(alertmanager([{ fingerprint: 'f1' }, { fingerprint: 'f2', status: 'resolved' }]));
    expect(signals.map((s) => [s.firing, s.dedupeKey.split(':')[3]])).toEqual([
      [true, 'f1'],
      [false, 'f2'],
    ]);
  });

  it('skips an alert without a service label and names the labels it tried', () => {
    const { signals, skipped } = alertmanagerSignals(alertmanager([{}, { fingerprint: 'nosvc', labels: { alertname: 'DiskFull', instance: 'db-1' } }]));
    expect(signals).toHaveLength(1);
    expect(skipped).toEqual([{ reason: 'DiskFull: no service label (tried service, app, job)', fingerprint: 'nosvc' }]);
  });

  it('treats an empty label as absent and falls through to the next name', () => {
    const [signal] = alertmanagerSignals(alertmanager([{ labels: { alertname: 'X', service: '', app: 'cart', env: 'staging' } }])).signals;
    expect(signal).toMatchObject({ service: 'cart', environment: 'staging' });
    expect(signal).not.toHaveProperty('severity');
  });

  it('falls back to commonLabels for what an alert does not carry', () => {
    const payload = alertmanager([{ labels: { alertname: 'X', severity: 'warning' } }], { commonLabels: { service: 'checkout-api', environment: 'production' } });
    expect(alertmanagerSignals(payload).signals[0]).toMatchObject({ service: 'checkout-api', environment: 'production', severity: 'medium' });
  });

  it('follows a custom label mapping', () => {
    const mapping = { service: ['app'], environment: ['stage'], severity: ['priority'] };
    const payload = alertmanager([{ labels: { alertname: 'X', app: 'payments', stage: 'prod-eu', priority: 'P2', service: 'ignored' } }]);
    expect(alertmanagerSignals(payload, mapping).signals[0]).toMatchObject({ service: 'payments', environment: 'prod-eu', severity: 'high' });
    expect(alertmanagerSignals(alertmanager([{ labels: { alertname: 'X', service: 's' } }]), mapping).skipped[0]!.reason).toBe('X: no service label (tried app)');
  });

  it('folds several alerts for one service into one signal with the most severe severity', () => {
    const labels = (alertname: string, severity: string) => ({ alertname, service: 'checkout-api', environment: 'production', severity });
    const { signals } = alertmanagerSignals(
      alertmanager([
        { fingerprint: 'f1', labels: labels('HighLatency', 'warning') },
        { fingerprint: 'f2', labels: labels('HighErrorRate', 'critical') },
        { fingerprint: 'f3', labels: labels('PodRestarts', 'info') },
      ]),
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ severity: 'critical', title: 'HighLatency, HighErrorRate, PodRestarts' });
    expect(signals[0]!.dedupeKey).toContain(':f1+f2+f3:');
    expect(signals[0]!.evidence.filter((l) => l.includes(' firing since '))).toHaveLength(3);
    expect(signals[0]!.links.filter((l) => l === GENERATOR_URL)).toHaveLength(1);
  });

  it('gives two services, or two environments of one service, a signal each', () => {
    const labels = (service: string, environment: string) => ({ alertname: 'HighErrorRate', service, environment });
    const { signals } = alertmanagerSignals(
      alertmanager([
        { fingerprint: 'f1', labels: labels('checkout-api', 'production') },
        { fingerprint: 'f2', labels: labels('payments', 'production') },
        { fingerprint: 'f3', labels: labels('checkout-api', 'staging') },
        { fingerprint: 'f4', labels: labels('checkout-api', 'production') },
      ]),
    );
    expect(signals.map((s) => `${s.service}/${s.environment}`)).toEqual(['checkout-api/production', 'payments/production', 'checkout-api/staging']);
    expect(signals[0]!.dedupeKey).toContain(':f1+f4:');
  });

  it('includes descriptions on one line, clips long lines, and caps the evidence at 12 lines', () => {
    const description = `first line\n  second line ${'x'.repeat(400)}`;
    const alerts = Array.from({ length: 5 }, (_, i) => ({ fingerprint: `f${i}`, annotations: { summary: `s${i}`, description } }));
    const evidence = alertmanagerSignals(alertmanager(alerts)).signals[0]!.evidence;
    expect(evidence).toHaveLength(12);
    expect(evidence).toContain('summary: s0');
    expect(evidence[2]!.startsWith('description: first line second line xxx')).toBe(true);
    expect(evidence[2]).toHaveLength(300);
    expect(evidence[2]!.endsWith('…')).toBe(true);
    expect(evidence[11]).toBe('… and 9 more');
  });

  it('says how many alerts Alertmanager left out, even when the evidence is capped', () => {
    const alerts = Array.from({ length: 5 }, (_, i) => ({ fingerprint: `f${i}` }));
    const evidence = alertmanagerSignals(alertmanager(alerts, { truncatedAlerts: 7 })).signals[0]!.evidence;
    expect(evidence).toHaveLength(12);
    expect(evidence[10]).toBe('… and 5 more');
    expect(evidence[11]).toBe('7 more alerts were left out of this notification (truncatedAlerts)');
  });

  it('links only http(s) URLs', () => {
    const payload = alertmanager([{ generatorURL: 'javascript:alert(1)', annotations: { runbook_url: 'file:///etc/passwd' } }], { externalURL: 'not a url' });
    expect(alertmanagerSignals(payload).signals[0]!.links).toEqual([]);
  });

  it('keeps at most 10 links, however many alerts there are', () => {
    const alerts = Array.from({ length: 15 }, (_, i) => ({ fingerprint: `f${i}`, generatorURL: `https://prometheus.example/graph?g=${i}` }));
    const links = alertmanagerSignals(alertmanager(alerts)).signals[0]!.links;
    expect(links).toHaveLength(10);
    expect(links[0]).toBe('https://prometheus.example/graph?g=0');
  });

  it('leaves Prometheus internals out of the labels line', () => {
    const [signal] = alertmanagerSignals(alertmanager([{ labels: { alertname: 'X', service: 's', __name__: 'up' } }])).signals;
    expect(signal!.evidence).toContain('labels: alertname=X, service=s');
  });
});

describe('grafanaSignals', () => {
  it('turns the fixture into a signal with a values line and Grafana links', () => {
    const { signals, skipped } = grafanaSignals(GrafanaPayload.parse(grafanaFixture));
    expect(skipped).toEqual([]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      source: 'grafana',
      service: 'checkout-api',
      environment: 'production',
      firing: true,
      title: 'CheckoutLatency',
      dedupeKey: 'grafana:checkout-api:production:c6eadffa33fcdf37:2026-11-22T12:20:00Z',
    });
    expect(signals[0]).not.toHaveProperty('severity');
    expect(signals[0]!.evidence).toEqual([
      'CheckoutLatency firing since 2026-11-22 12:20:00 UTC',
      'summary: mean latency 3.4 s over 5m',
      'values: B=3.4, C=1',
      'labels: alertname=CheckoutLatency, environment=production, grafana_folder=SRE, service=checkout-api',
    ]);
    expect(signals[0]!.links).toEqual([
      'https://grafana.example/alerting/grafana/abc123/view',
      grafanaFixture.alerts[0]!.silenceURL,
      'https://grafana.example/',
    ]);
  });

  it('rounds float noise out of values', () => {
    const body = { ...grafanaFixture, alerts: [{ ...grafanaFixture.alerts[0]!, values: { A: 0.1 + 0.2, B: 1234567.891 } }] };
    expect(grafanaSignals(GrafanaPayload.parse(body)).signals[0]!.evidence).toContain('values: A=0.3, B=1234570');
  });
});

describe('genericSignals', () => {
  it('makes one signal, keyed by service, environment and title when there is no id', () => {
    const payload = GenericPayload.parse({ service: 'checkout-api', environment: 'production', severity: 'Major', title: '5xx spike', evidence: ['errors 14%'], url: 'https://status.example/1' });
    expect(genericSignals(payload)).toEqual({
      signals: [
        {
          source: 'generic',
          service: 'checkout-api',
          environment: 'production',
          severity: 'high',
          firing: true,
          dedupeKey: 'generic:checkout-api:production:5xx spike',
          title: '5xx spike',
          evidence: ['errors 14%'],
          links: ['https://status.example/1'],
        },
      ],
      skipped: [],
    });
  });

  it('uses the id as dedupe key, and leaves out what was not sent', () => {
    const [signal] = genericSignals(GenericPayload.parse({ service: 'api', title: 't', id: 'inc-42', status: 'resolved', severity: 'bogus' })).signals;
    expect(signal).toEqual({ source: 'generic', service: 'api', firing: false, dedupeKey: 'generic:inc-42', title: 't', evidence: [], links: [] });
  });

  it('caps evidence at 12 lines of at most 300 characters', () => {
    const evidence = genericSignals(GenericPayload.parse({ service: 'api', title: 't', evidence: Array.from({ length: 20 }, (_, i) => `${i} ${'y'.repeat(450)}`) })).signals[0]!.evidence;
    expect(evidence).toHaveLength(12);
    expect(evidence[0]).toHaveLength(300);
    expect(evidence[11]).toBe('… and 9 more');
  });
});

describe('mapSeverity', () => {
  it.each([
    ['critical', 'critical'], ['crit', 'critical'], ['page', 'critical'], ['P1', 'critical'], ['CRITICAL', 'critical'],
    ['high', 'high'], ['error', 'high'], ['major', 'high'], ['p2', 'high'],
    ['warning', 'medium'], ['Warn', 'medium'], ['medium', 'medium'], ['p3', 'medium'],
    ['info', 'low'], ['low', 'low'], ['minor', 'low'], ['p4', 'low'], ['none', 'low'], [' info ', 'low'],
  ])('%s → %s', (label, severity) => {
    expect(mapSeverity(label)).toBe(severity);
  });

  it.each([[undefined], [''], ['p5'], ['urgent'], ['constructor'], ['__proto__']])('%s → undefined', (label) => {
    expect(mapSeverity(label)).toBeUndefined();
  });
});

describe('DEFAULT_LABELS', () => {
  it('tries service, app, job; environment, env; severity', () => {
    expect(DEFAULT_LABELS).toEqual({ service: ['service', 'app', 'job'], environment: ['environment', 'env'], severity: ['severity'] });
  });
});
