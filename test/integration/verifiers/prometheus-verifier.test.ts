/**
 * The prometheus check against a local fake of /api/v1/query: thresholds, the failure limit, and
 * why no data, NaN or a broken Prometheus are inconclusive rather than a pass or a fail.
 */
import { systemClock } from '../../../src/app/system-clock';
import { CheckConfig } from '../../../src/config/catalog-schema';
import type { Release } from '../../../src/domain/release';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient } from '../../../src/outbound/http-client';
import { createVerifier } from '../../../src/verifiers/create-verifier';
import { FakePrometheus } from '../../fakes/prometheus-server';

const TARGET: Release = { id: '2.4.0', version: '2.4.0' };
const ERROR_RATE = 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';

describe('prometheus verifier', () => {
  let prom: FakePrometheus;
  beforeEach(async () => {
    prom = await FakePrometheus.start();
  });
  afterEach(() => prom.close());

  function verifier(check: Record<string, unknown>) {
    return createVerifier(CheckConfig.parse({ type: 'prometheus', url: prom.url, query: ERROR_RATE, interval: '5ms', ...check }), {
      http: new HttpClient({ logger: silentLogger(), clock: systemClock, backoffBaseMs: 5 }),
      clock: systemClock,
    });
  }

  it('passes a value below the threshold, sending the query as written', async () => {
    prom.answer(ERROR_RATE, 0.0041);
    const check = verifier({ below: 0.01 });
    expect(check.name).toBe('prometheus');
    const result = await check.verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: '0.0041', threshold: '< 0.01' });
    expect(prom.queries).toEqual([ERROR_RATE]);
  });

  it('fails a value that breaches', async () => {
    prom.answer(ERROR_RATE, 0.12);
    const result = await verifier({ name: 'error rate', below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ name: 'error rate', status: 'fail', measured: '0.12', threshold: '< 0.01' });
  });

  it('treats a value equal to the threshold as a breach', async () => {
    prom.answer(ERROR_RATE, 0.01);
    expect((await verifier({ below: 0.01 }).verify({ target: TARGET })).status).toBe('fail');
  });

  it('tolerates as many breaches as failureLimit, in total', async () => {
    prom.answer(ERROR_RATE, 0.001, 0.5, 0.001, 0.002);
    const result = await verifier({ below: 0.01, count: 4, failureLimit: 1 }).verify({ target: TARGET });
    expect(result.status).toBe('pass');
    expect(result.samples.map((s) => s.outcome)).toEqual(['pass', 'fail', 'pass', 'pass']);
    expect(result.threshold).toBe('< 0.01 in 4 samples 5 ms apart, 1 breach tolerated');
  });

  it('fails on one breach more than failureLimit, and stops measuring there', async () => {
    prom.answer(ERROR_RATE, 0.5, 0.001, 0.7, 0.001);
    const result = await verifier({ below: 0.01, count: 4, failureLimit: 1 }).verify({ target: TARGET });
    expect(result.status).toBe('fail');
    expect(result.measured).toBe('0.7; 2 of 3 samples breached');
    expect(prom.asked(ERROR_RATE)).toBe(3);
  });

  it('fails on the first breach with the default failureLimit of 0', async () => {
    prom.answer(ERROR_RATE, 0.001, 0.5, 0.001);
    const result = await verifier({ below: 0.01, count: 3 }).verify({ target: TARGET });
    expect(result.status).toBe('fail');
    expect(prom.asked(ERROR_RATE)).toBe(2);
  });

  it('measures for / interval times when count is not set', async () => {
    prom.answer(ERROR_RATE, 0.001);
    const result = await verifier({ below: 0.01, for: '20ms', interval: '5ms' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: 'worst 0.001 over 4 samples' });
    expect(prom.asked(ERROR_RATE)).toBe(4);
  });

  it('is inconclusive, never a pass, on an empty result', async () => {
    prom.answer(ERROR_RATE, 'empty');
    const result = await verifier({ below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'no data (empty result)' });
  });

  it('is inconclusive on NaN', async () => {
    prom.answer(ERROR_RATE, 'NaN');
    const result = await verifier({ below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'NaN (no data to compute from)' });
  });

  it('is inconclusive when an otherwise good run has one sample without data', async () => {
    prom.answer(ERROR_RATE, 0.001, 'empty', 0.001);
    const result = await verifier({ below: 0.01, count: 3 }).verify({ target: TARGET });
    expect(result.status).toBe('inconclusive');
    expect(result.measured).toBe('1 of 3 samples inconclusive: no data (empty result); worst measured 0.001');
  });

  it('is inconclusive when Prometheus answers 503, with its error in the evidence', async () => {
    prom.answer(ERROR_RATE, { status: 503, errorType: 'unavailable', error: 'too many queries' });
    const result = await verifier({ below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Prometheus error (unavailable): too many queries' });
  });

  it('is inconclusive on a bad query (422)', async () => {
    prom.answer(ERROR_RATE, { status: 422, errorType: 'execution', error: 'vector cannot contain metrics with the same labelset' });
    expect((await verifier({ below: 0.01 }).verify({ target: TARGET })).status).toBe('inconclusive');
  });

  it('is inconclusive when Prometheus is unreachable', async () => {
    const url = prom.url;
    await prom.close();
    const check = createVerifier(CheckConfig.parse({ type: 'prometheus', url, query: 'up', above: 0 }), {
      http: new HttpClient({ logger: silentLogger(), clock: systemClock }),
      clock: systemClock,
    });
    const result = await check.verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Prometheus unreachable: connection refused' });
    prom = await FakePrometheus.start();
  });

  it('is inconclusive on an answer that is not Prometheus JSON', async () => {
    prom.answer(ERROR_RATE, { status: 200, body: '<html>proxy login</html>' });
    const result = await verifier({ below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Prometheus answered 200 with a body that is not JSON' });
  });

  it('judges the worst series: the highest for below', async () => {
    prom.answer(ERROR_RATE, { series: [{ labels: { pod: 'a' }, value: 0.001 }, { labels: { pod: 'b' }, value: 0.2 }, { labels: { pod: 'c' }, value: 0.003 }] });
    const result = await verifier({ below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: '0.2 {pod="b"}' });
  });

  it('judges the worst series: the lowest for above', async () => {
    prom.answer('up', { series: [{ labels: { instance: 'a' }, value: 1 }, { labels: { instance: 'b' }, value: 0 }] });
    const result = await verifier({ query: 'up', above: 0.5 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: '0 {instance="b"}', threshold: '> 0.5' });
  });

  it('does not pass when one series is NaN and the others are fine', async () => {
    prom.answer(ERROR_RATE, { series: [{ labels: { pod: 'a' }, value: 0.001 }, { labels: { pod: 'b' }, value: 'NaN' }] });
    const result = await verifier({ below: 0.01 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'NaN in 1 of 2 series (no data to compute from)' });
  });

  it('treats +Inf as a real value that breaches', async () => {
    prom.answer('latency', '+Inf');
    const result = await verifier({ query: 'latency', below: 3 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'fail', measured: '+Inf' });
  });

  it('accepts scalar results', async () => {
    prom.answer('scalar(up)', { scalar: 1 });
    const result = await verifier({ query: 'scalar(up)', above: 0 }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: '1', threshold: '> 0' });
  });
});
