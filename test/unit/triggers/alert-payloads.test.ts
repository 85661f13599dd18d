/** Webhook body schemas: real payloads parse, broken ones answer with every problem and its path. */
import alertmanagerFixture from '../../fixtures/alertmanager-v4.json';
import grafanaFixture from '../../fixtures/grafana-alert.json';
import { AlertmanagerPayload, DeployPayload, GenericPayload, GrafanaPayload, deployPayloadSchema, parsePayload } from '../../../src/triggers/alert-payloads';

const clone = <T>(value: T): T => structuredClone(value);

function reason(result: { ok: true } | { ok: false; reason: string }): string {
  if (result.ok) throw new Error('expected the payload to be refused');
  return result.reason;
}

describe('AlertmanagerPayload', () => {
  it('parses the Alertmanager v4 fixture', () => {
    const result = parsePayload(AlertmanagerPayload, alertmanagerFixture);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value).toMatchObject({ version: '4', status: 'firing', truncatedAlerts: 0, commonLabels: { service: 'checkout-api' } });
    expect(result.value.alerts[0]).toMatchObject({ fingerprint: '518e12f888c4622c', startsAt: '2026-11-22T12:14:19.789Z', annotations: { summary: '5xx ratio 12% over 2m' } });
  });

  it('accepts resolved notifications, extra fields, nanosecond timestamps, an empty generatorURL and a missing truncatedAlerts', () => {
    const body = clone(alertmanagerFixture) as Record<string, unknown> & typeof alertmanagerFixture;
    body.status = 'resolved';
    body.alerts[0]!.status = 'resolved';
    body.alerts[0]!.endsAt = '2026-11-22T12:30:00.123456789Z';
    body.alerts[0]!.generatorURL = '';
    delete (body as Partial<typeof body>).truncatedAlerts;
    body['somethingNew'] = { nested: true };
    const result = parsePayload(AlertmanagerPayload, body);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.status).toBe('resolved');
    expect(result.value.truncatedAlerts).toBe(0);
  });

  it('lists every problem with its path', () => {
    const body = clone(alertmanagerFixture) as Record<string, unknown> & typeof alertmanagerFixture;
    body.status = 'pending';
    delete (body.alerts[0] as Partial<(typeof body.alerts)[0]>).fingerprint;
    body.alerts[0]!.startsAt = 'yesterday';
    (body.alerts[0]!.labels as Record<string, unknown>)['severity'] = 1;
    expect(reason(parsePayload(AlertmanagerPayload, body))).toBe(
      'status: expected firing or resolved; alerts[0].labels.severity: expected string, got number; ' +
        'alerts[0].startsAt: expected an ISO 8601 date-time such as 2026-11-22T12:14:19Z; alerts[0].fingerprint: required',
    );
  });

  it('refuses other versions, a Grafana body, and bodies that are not objects', () => {
    expect(reason(parsePayload(AlertmanagerPayload, { ...alertmanagerFixture, version: '3' }))).toBe('version: expected "4" (Alertmanager webhook v4)');
    expect(reason(parsePayload(AlertmanagerPayload, grafanaFixture))).toContain('version: expected "4"');
    expect(reason(parsePayload(AlertmanagerPayload, 'hello'))).toBe('(root): expected a JSON object, got string');
    expect(reason(parsePayload(AlertmanagerPayload, [alertmanagerFixture]))).toBe('(root): expected a JSON object, got array');
  });

  it('caps a long list of problems', () => {
    const alerts = Array.from({ length: 25 }, () => ({}));
    const text = reason(parsePayload(AlertmanagerPayload, { ...alertmanagerFixture, alerts }));
    expect(text.split('; ')).toHaveLength(21);
    expect(text).toMatch(/; and \d+ more$/);
  });
});

describe('GrafanaPayload', () => {
  it('parses the Grafana fixture with its values and links', () => {
    const result = parsePayload(GrafanaPayload, grafanaFixture);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value).toMatchObject({ version: '1', orgId: 1, state: 'alerting' });
    expect(result.value.alerts[0]).toMatchObject({ values: { B: 3.4, C: 1 }, silenceURL: expect.stringContaining('https://grafana.example/') });
  });

  it('requires numbers in values', () => {
    const body = clone(grafanaFixture);
    (body.alerts[0]!.values as Record<string, unknown>)['B'] = '3.4';
    expect(reason(parsePayload(GrafanaPayload, body))).toBe('alerts[0].values.B: expected number, got string');
  });
});

describe('GenericPayload', () => {
  it('fills defaults: firing, no evidence', () => {
    expect(parsePayload(GenericPayload, { service: 'checkout-api', title: '5xx spike' })).toEqual({
      ok: true,
      value: { service: 'checkout-api', title: '5xx spike', status: 'firing', evidence: [] },
    });
  });

  it('accepts a full body', () => {
    const body = { service: 'checkout-api', environment: 'production', status: 'resolved', severity: 'P1', title: 'x', id: 'inc-42', evidence: ['a'], url: 'https://status.example/inc/42' };
    expect(parsePayload(GenericPayload, body)).toEqual({ ok: true, value: body });
  });

  it('enforces the documented limits', () => {
    const body = { service: ' ', title: 'x'.repeat(201), status: 'open', evidence: [...Array<string>(20).fill('ok'), 'x'], url: 'javascript:alert(1)' };
    expect(reason(parsePayload(GenericPayload, body))).toBe(
      'service: must not be empty; status: expected firing or resolved; title: at most 200 characters; evidence: at most 20 items; url: expected an http:// or https:// URL',
    );
    expect(reason(parsePayload(GenericPayload, { service: 'a', title: 't', evidence: ['x'.repeat(501)] }))).toBe('evidence[0]: at most 500 characters');
    expect(reason(parsePayload(GenericPayload, { title: 't' }))).toBe('service: required');
  });
});

describe('DeployPayload', () => {
  it('defaults `at` to the clock', () => {
    const schema = deployPayloadSchema(() => Date.parse('2026-11-22T12:00:00Z'));
    expect(parsePayload(schema, { service: 'checkout-api', version: '2.4.1' })).toEqual({
      ok: true,
      value: { service: 'checkout-api', version: '2.4.1', at: '2026-11-22T12:00:00.000Z' },
    });
  });

  it('keeps a given `at` and refuses a bad one', () => {
    const body = { service: 'checkout-api', environment: 'production', version: '2.4.1', at: '2026-11-22T11:58:00+01:00', by: 'ci', url: 'https://ci.example/run/7' };
    expect(parsePayload(DeployPayload, body)).toEqual({ ok: true, value: body });
    expect(reason(parsePayload(DeployPayload, { ...body, at: 'noon', version: '' }))).toBe(
      'version: must not be empty; at: expected an ISO 8601 date-time such as 2026-11-22T12:14:19Z',
    );
  });
});
