/**
 * The sentry check against a local fake of Sentry's Discover table endpoint: the count against
 * `below`, the release and environment filters, the window cut at the rollback, and why a young
 * window, a missing count or a Sentry that refuses are inconclusive rather than a pass.
 */
import { systemClock } from '../../../src/app/system-clock';
import { SentryCheckConfig } from '../../../src/config/catalog-schema';
import type { Clock } from '../../../src/domain/ports';
import type { Release } from '../../../src/domain/release';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient } from '../../../src/outbound/http-client';
import { SentryVerifier } from '../../../src/verifiers/sentry-verifier';
import { FakeSentry } from '../../fakes/sentry-api';
import { FastClock, fastHttp } from '../../support/fast-clock';

const TOKEN = 'sntrys_fake-token-for-tests-0123456789';
const TARGET: Release = { id: '2.4.0', version: '2.4.0' };
const MINUTE = 60_000;

describe('sentry verifier', () => {
  let sentry: FakeSentry;
  beforeEach(async () => {
    sentry = await FakeSentry.start({ token: TOKEN, org: 'acme', project: '4501' });
  });
  afterEach(() => sentry.close());

  function verifier(check: Record<string, unknown> = {}, clock: Clock = systemClock) {
    const config = SentryCheckConfig.parse({ type: 'sentry', org: 'acme', project: 4501, below: 5, token: TOKEN, apiUrl: sentry.url, ...check });
    const http = clock instanceof FastClock ? fastHttp(clock) : new HttpClient({ logger: silentLogger(), clock, backoffBaseMs: 5 });
    return new SentryVerifier(config, { http, clock });
  }

  /** `n` errors spread over the last few minutes. */
  function errors(n: number, event: { environment?: string; release?: string } = {}) {
    const now = Date.now();
    for (let i = 0; i < n; i++) sentry.add({ timestamp: now - (i + 1) * 10_000, ...event });
  }

  it('passes under the threshold, asking the documented endpoint with a Bearer token', async () => {
    errors(4);
    const check = verifier();
    expect(check.name).toBe('sentry');
    const result = await check.verify({ target: TARGET });
    expect(result).toMatchObject({ name: 'sentry', type: 'sentry', status: 'pass', measured: '4 errors in the last 15 min', threshold: '< 5 errors in 15 min, from the rollback at the earliest' });
    expect(result.samples).toEqual([expect.objectContaining({ outcome: 'pass', value: '4' })]);
    const query = sentry.queries[0]!;
    expect(query).toMatchObject({ org: 'acme', authorization: `Bearer ${TOKEN}` });
    expect(query.params).toMatchObject({ field: ['count()'], dataset: ['errors'], project: ['4501'] });
    expect(query.params['query']).toBeUndefined();
    const start = Date.parse(query.params['start']![0]!);
    const end = Date.parse(query.params['end']![0]!);
    expect(end - start).toBeGreaterThanOrEqual(15 * MINUTE - 1_000);
    expect(end - start).toBeLessThanOrEqual(15 * MINUTE + 1_000);
  });

  it('fails at the threshold and over it', async () => {
    errors(5);
    expect(await verifier().verify({ target: TARGET })).toMatchObject({ status: 'fail', measured: '5 errors in the last 15 min' });
    errors(3);
    const result = await verifier({ name: 'errors' }).verify({ target: TARGET });
    expect(result).toMatchObject({ name: 'errors', status: 'fail', measured: '8 errors in the last 15 min' });
    expect(result.samples[0]).toMatchObject({ outcome: 'fail', value: '8' });
  });

  it('leaves out errors older than the window', async () => {
    sentry.add({ timestamp: Date.now() - 20 * MINUTE }, { timestamp: Date.now() - 16 * MINUTE }, { timestamp: Date.now() - 5 * MINUTE });
    expect((await verifier({ below: 2 }).verify({ target: TARGET })).measured).toBe('1 error in the last 15 min');
  });

  it('counts only the target release with release: true, and says so', async () => {
    errors(3, { release: '2.4.0' });
    errors(7, { release: '2.4.1' });
    const result = await verifier({ release: true }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: '3 errors in the last 15 min (release:2.4.0)' });
    expect(result.threshold).toContain('release:2.4.0');
    expect(sentry.lastParam('query')).toBe('release:"2.4.0"');
  });

  it('quotes a release name Sentry would otherwise split', async () => {
    errors(2, { release: 'shop web@2.4.0 "rc"' });
    const result = await verifier({ release: true }).verify({ target: { id: 'x', version: 'shop web@2.4.0 "rc"' } });
    expect(result.measured).toBe('2 errors in the last 15 min (release:shop web@2.4.0 "rc")');
  });

  it('is inconclusive with release: true when the target has no known version', async () => {
    const target: Release = { id: 'blue', version: 'blue (release unknown)', slot: 'blue', versionUnknown: true };
    const result = await verifier({ release: true }).verify({ target });
    expect(result.status).toBe('inconclusive');
    expect(sentry.queries).toHaveLength(0);
  });

  it('sends the environment filter', async () => {
    errors(6, { environment: 'staging' });
    errors(1, { environment: 'production' });
    const result = await verifier({ environment: 'production' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: '1 error in the last 15 min (environment production)' });
    expect(sentry.lastParam('environment')).toBe('production');
  });

  it('starts the window when the rollback went live, not before', async () => {
    const since = Date.now() - 5 * MINUTE;
    sentry.add({ timestamp: since - 2 * MINUTE }, { timestamp: since - 10_000 }, { timestamp: since + MINUTE }, { timestamp: since + 2 * MINUTE });
    const result = await verifier({ below: 3 }).verify({ target: TARGET, since });
    expect(result).toMatchObject({ status: 'pass', measured: '2 errors in the 5 min since the rollback went live' });
    expect(sentry.lastParam('start')).toBe(new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('keeps the configured window when the rollback went live before it', async () => {
    errors(1);
    const result = await verifier({ window: '10m' }).verify({ target: TARGET, since: Date.now() - 60 * MINUTE });
    expect(result.measured).toBe('1 error in the last 10 min');
  });

  it('is inconclusive, without asking, when the window since the rollback is too young', async () => {
    const result = await verifier().verify({ target: TARGET, since: Date.now() - 40_000 });
    expect(result.status).toBe('inconclusive');
    expect(result.measured).toMatch(/^the window since the rollback is only 4\d s; Sentry needs a few minutes to ingest$/);
    expect(sentry.queries).toHaveLength(0);
  });

  it('is inconclusive when the configured window itself is too short', async () => {
    const result = await verifier({ window: '1m' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'the window is only 1 min; Sentry needs a few minutes to ingest' });
  });

  it('is inconclusive, never a pass, when the answer has no data row', async () => {
    sentry.fail({ kind: 'no-data' });
    const result = await verifier().verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Sentry returned no data row for the window' });
    expect(result.samples[0]!.value).toBeUndefined();
  });

  it('waits out a 429 until the rate limit resets, then counts', async () => {
    const clock = new FastClock();
    sentry.fail({ kind: 'rate-limit', reset: Math.ceil(clock.now() / 1_000) + 5 });
    errors(2);
    const result = await verifier({}, clock).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'pass', measured: '2 errors in the last 15 min' });
    expect(sentry.queries).toHaveLength(2);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(4_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(6_000);
  });

  it('caps the wait for a far reset and gives up after a few 429s', async () => {
    const clock = new FastClock();
    sentry.fail({ kind: 'rate-limit', reset: Math.ceil(clock.now() / 1_000) + 3_600, count: 5 });
    const result = await verifier({}, clock).verify({ target: TARGET });
    expect(result.status).toBe('inconclusive');
    expect(result.measured).toMatch(/^Sentry rate limit \(429\) still exceeded after 3 attempts: You are attempting/);
    expect(clock.sleeps).toEqual([30_000, 30_000]);
  });

  it('is inconclusive on a refused token, with the scope hint and without the token', async () => {
    const result = await verifier({ token: 'sntrys_wrong-token-abcdef123456' }).verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Sentry refused the token (401); check it is valid and has the org:read scope' });
    const evidence = JSON.stringify(result);
    expect(evidence).not.toContain('sntrys_wrong-token-abcdef123456');
    expect(evidence).not.toContain(TOKEN);
  });

  it('is inconclusive on an unknown organization, naming it and the project', async () => {
    const result = await verifier({ org: 'acme-typo' }).verify({ target: TARGET });
    expect(result.status).toBe('inconclusive');
    expect(result.measured).toContain('no organization "acme-typo" (404); check org and project 4501');
  });

  it('is inconclusive on a project the token cannot see', async () => {
    const result = await verifier({ project: '999' }).verify({ target: TARGET });
    expect(result.status).toBe('inconclusive');
    expect(result.measured).toMatch(/^Sentry denied access to project 999 of "acme" \(403\)/);
  });

  it('is inconclusive on a 5xx, with Sentry\'s detail', async () => {
    sentry.fail({ kind: 'server-error', status: 502 });
    const result = await verifier().verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Sentry answered 502: Internal Error' });
  });

  it('is inconclusive on a bad query (400), with Sentry\'s detail', async () => {
    sentry.fail({ kind: 'bad-query', detail: 'Parse error at \'release:\' (column 9)' });
    const result = await verifier().verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: "Sentry rejected the query (400): Parse error at 'release:' (column 9)" });
  });

  it('is inconclusive when Sentry is unreachable', async () => {
    const url = sentry.url;
    await sentry.close();
    const check = new SentryVerifier(SentryCheckConfig.parse({ type: 'sentry', org: 'acme', project: '4501', below: 5, token: TOKEN, apiUrl: url }), {
      http: new HttpClient({ logger: silentLogger(), clock: systemClock }),
      clock: systemClock,
    });
    const result = await check.verify({ target: TARGET });
    expect(result).toMatchObject({ status: 'inconclusive', measured: 'Sentry unreachable: connection refused' });
    sentry = await FakeSentry.start({ token: TOKEN });
  });
});
