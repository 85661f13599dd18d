/** Bearer-token checks in constant time, for the API and webhooks. */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../router';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Undefined when the request carries the token; otherwise the 401 to send. */
export function requireBearer(request: HttpRequest, token: string): HttpResponse | undefined {
  const header = request.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  if (presented && timingSafeEqual(digest(presented), digest(token))) return undefined;
  return {
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="rewind"' },
    body: { error: presented ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <REWIND_API_TOKEN>' },
  };
}
