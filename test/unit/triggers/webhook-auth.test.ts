/** Webhook authentication: bearer tokens and HMAC signatures of the raw body, with reasons that never echo secrets. */
import { signBody, verifyWebhook, type WebhookAuth } from '../../../src/triggers/webhook-auth';

const TOKEN = 'tok-3f9a1c7e-very-secret';
const SECRET = 'hmac-5b2d8e-very-secret';
const bearer: WebhookAuth = { type: 'bearer', token: TOKEN };
const hmac: WebhookAuth = { type: 'hmac', secret: SECRET, header: 'x-rewind-signature', prefix: 'sha256=' };
const body = Buffer.from('{"service":"checkout-api","title":"5xx spike"}');

describe('signBody', () => {
  it('is prefix + hex HMAC-SHA256 of the body (RFC 4231 test case 2)', () => {
    expect(signBody('Jefe', 'what do ya want for nothing?')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(signBody('Jefe', Buffer.from('what do ya want for nothing?'), 'v1=')).toBe('v1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('verifyWebhook with a bearer token', () => {
  it('accepts the configured token, with any case of the scheme and surrounding spaces', () => {
    expect(verifyWebhook(bearer, { authorization: `Bearer ${TOKEN}` }, body)).toEqual({ ok: true });
    expect(verifyWebhook(bearer, { authorization: `bearer   ${TOKEN}  ` }, body)).toEqual({ ok: true });
  });

  it('says the token is missing when there is no header, an empty one, or another scheme', () => {
    const missing = { ok: false, reason: 'missing Authorization: Bearer token' };
    expect(verifyWebhook(bearer, {}, body)).toEqual(missing);
    expect(verifyWebhook(bearer, { authorization: 'Bearer ' }, body)).toEqual(missing);
    expect(verifyWebhook(bearer, { authorization: `Basic ${TOKEN}` }, body)).toEqual(missing);
  });

  it('refuses a wrong token, a prefix of the token, and the token with extra characters', () => {
    for (const presented of ['nope', TOKEN.slice(0, -1), `${TOKEN}x`]) {
      expect(verifyWebhook(bearer, { authorization: `Bearer ${presented}` }, body)).toEqual({ ok: false, reason: 'invalid bearer token' });
    }
  });

  it('never verifies against an empty configured token', () => {
    expect(verifyWebhook({ type: 'bearer', token: '' }, { authorization: 'Bearer x' }, body).ok).toBe(false);
  });
});

describe('verifyWebhook with an HMAC signature', () => {
  const signed = (signature: string) => ({ 'x-rewind-signature': signature });

  it('accepts the signature of the exact body, also in upper-case hex', () => {
    const signature = signBody(SECRET, body);
    expect(verifyWebhook(hmac, signed(signature), body)).toEqual({ ok: true });
    expect(verifyWebhook(hmac, signed(`sha256=${signature.slice(7).toUpperCase()}`), body)).toEqual({ ok: true });
  });

  it('finds the header whatever case the configuration spells it in', () => {
    expect(verifyWebhook({ ...hmac, header: 'X-Rewind-Signature' }, signed(signBody(SECRET, body)), body)).toEqual({ ok: true });
  });

  it('names the missing header as senders spell it', () => {
    expect(verifyWebhook(hmac, {}, body)).toEqual({ ok: false, reason: 'missing X-Rewind-Signature header' });
    expect(verifyWebhook({ ...hmac, header: 'x-hub-signature-256' }, {}, body)).toEqual({ ok: false, reason: 'missing X-Hub-Signature-256 header' });
  });

  it('refuses a tampered body, a wrong secret, a wrong prefix and a bare digest', () => {
    const mismatch = { ok: false, reason: 'signature does not match the body' };
    const good = signBody(SECRET, body);
    expect(verifyWebhook(hmac, signed(good), Buffer.from(body.toString().replace('5xx', '4xx')))).toEqual(mismatch);
    expect(verifyWebhook(hmac, signed(signBody('another-secret', body)), body)).toEqual(mismatch);
    expect(verifyWebhook(hmac, signed(signBody(SECRET, body, 'sha1=')), body)).toEqual(mismatch);
    expect(verifyWebhook(hmac, signed(good.slice('sha256='.length)), body)).toEqual(mismatch);
  });

  it('takes the first value when the header arrives as an array', () => {
    expect(verifyWebhook(hmac, { 'x-rewind-signature': [signBody(SECRET, body), 'junk'] }, body)).toEqual({ ok: true });
  });

  it('never verifies with an empty configured secret, though anyone can compute that HMAC', () => {
    const empty = { ...hmac, secret: '' };
    expect(verifyWebhook(empty, signed(signBody('', body)), body)).toEqual({ ok: false, reason: 'signature does not match the body' });
  });

  it('never puts a secret, a presented value or the expected signature in a reason', () => {
    const reasons = [
      verifyWebhook(bearer, { authorization: `Bearer ${TOKEN}x` }, body),
      verifyWebhook(bearer, { authorization: 'Bearer wrong' }, body),
      verifyWebhook(hmac, signed('sha256=deadbeef'), body),
      verifyWebhook(hmac, {}, body),
    ].map((verdict) => (verdict.ok ? '' : verdict.reason));
    const expected = signBody(SECRET, body).slice(7);
    for (const reason of reasons) {
      expect(reason).not.toBe('');
      for (const leak of [TOKEN, SECRET, 'wrong', 'deadbeef', expected]) expect(reason).not.toContain(leak);
    }
  });
});
