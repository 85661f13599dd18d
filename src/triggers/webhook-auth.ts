/** Checks that an inbound webhook comes from a configured sender: a bearer token, or an HMAC-SHA256 signature of the raw body. */
import { createHmac } from 'node:crypto';
import { presentedBearer, secretMatches } from '../auth/bearer-token';

export type WebhookAuth =
  | { type: 'bearer'; token: string }
  | { type: 'hmac'; secret: string; header: string; prefix: string };

export type WebhookVerdict = { ok: true } | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;

const OK: WebhookVerdict = { ok: true };
const fail = (reason: string): WebhookVerdict => ({ ok: false, reason });

/** `prefix` + hex HMAC-SHA256 of the exact bytes received: what a sender puts in the signature header. */
export function signBody(secret: string, rawBody: Buffer | string, prefix = 'sha256='): string {
  return prefix + createHmac('sha256', secret).update(rawBody).digest('hex');
}

function headerValue(headers: Headers, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}

/** `x-rewind-signature` → `X-Rewind-Signature`, as senders' docs spell it. */
function displayName(header: string): string {
  return header
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

/**
 * Verifies `headers` (node's lowercase names) and the raw body against `auth`. An empty configured
 * token or secret never verifies: anyone could compute an HMAC with an empty key.
 */
export function verifyWebhook(auth: WebhookAuth, headers: Headers, rawBody: Buffer): WebhookVerdict {
  if (auth.type === 'bearer') {
    const token = presentedBearer(headers);
    if (!token) return fail('missing Authorization: Bearer token');
    return secretMatches(token, auth.token) ? OK : fail('invalid bearer token');
  }
  const signature = headerValue(headers, auth.header);
  if (!signature) return fail(`missing ${displayName(auth.header)} header`);
  // Hex is case-insensitive; some senders upper-case it.
  const expected = signBody(auth.secret, rawBody, auth.prefix).toLowerCase();
  return secretMatches(signature.toLowerCase(), auth.secret === '' ? '' : expected) ? OK : fail('signature does not match the body');
}
