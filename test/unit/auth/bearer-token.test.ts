/** The one bearer-token rule the API and the webhooks share. */
import { presentedBearer, secretMatches } from '../../../src/auth/bearer-token';
import { requireBearer } from '../../../src/http/routes/bearer-auth';
import { verifyWebhook } from '../../../src/triggers/webhook-auth';

const TOKEN = 'api-token-0123456789abcdef';

describe('bearer tokens', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['  Bearer abc', 'abc'],
    ['Bearer ', undefined],
    ['Basic abc', undefined],
    ['abc', undefined],
    ['', undefined],
  ])('%j presents %j', (header, expected) => {
    expect(presentedBearer({ authorization: header })).toBe(expected);
  });

  it('never matches an empty configured secret, and matches only the exact token', () => {
    expect(secretMatches('', '')).toBe(false);
    expect(secretMatches('anything', '')).toBe(false);
    expect(secretMatches(TOKEN, TOKEN)).toBe(true);
    expect(secretMatches(`${TOKEN}x`, TOKEN)).toBe(false);
  });

  it.each(['Bearer', 'bearer', 'BEARER'])('the API and the webhooks agree on %s', (scheme) => {
    const headers = { authorization: `${scheme} ${TOKEN}` };
    const api = requireBearer({ method: 'GET', path: '/api/rollbacks', query: new URLSearchParams(), headers, rawBody: Buffer.alloc(0), params: {} }, TOKEN);
    const hook = verifyWebhook({ type: 'bearer', token: TOKEN }, headers, Buffer.alloc(0));
    expect([api, hook]).toEqual([undefined, { ok: true }]);
  });

  it('refuses an empty configured token on both surfaces', () => {
    const headers = { authorization: 'Bearer x' };
    expect(requireBearer({ method: 'GET', path: '/api/rollbacks', query: new URLSearchParams(), headers, rawBody: Buffer.alloc(0), params: {} }, '')?.status).toBe(401);
    expect(verifyWebhook({ type: 'bearer', token: '' }, headers, Buffer.alloc(0))).toEqual({ ok: false, reason: 'invalid bearer token' });
  });
});
