/**
 * Bearer tokens and shared secrets as every inbound route checks them (the API and the webhooks):
 * the scheme in any case, surrounding space ignored, compared in constant time, and an empty
 * configured token never matching anything.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

type Headers = Record<string, string | string[] | undefined>;

/** The token after `Bearer ` in the Authorization header, or undefined when there is none. */
export function presentedBearer(headers: Headers): string | undefined {
  const raw = headers['authorization'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const token = /^\s*Bearer\s+(.+)$/i.exec(value ?? '')?.[1]?.trim();
  return token ? token : undefined;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Hashing both sides first gives equal lengths, so timing reveals neither the secret nor its length. */
export function secretMatches(presented: string, expected: string): boolean {
  return expected !== '' && timingSafeEqual(sha256(presented), sha256(expected));
}
