/** Rollback ids: `rb_` + a time-ordered, 26-character Crockford base32 id (ULID layout). */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newRollbackId(nowMs: number = Date.now()): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += ALPHABET[bytes[i]! % 32];
  return `rb_${time}${random}`;
}

export const ROLLBACK_ID_PATTERN = /^rb_[0-9A-HJKMNP-TV-Z]{26}$/;
