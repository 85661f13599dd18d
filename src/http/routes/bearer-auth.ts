/** The API's bearer-token check: the 401 to send, or nothing when the request carries the token. */
import { presentedBearer, secretMatches } from '../../auth/bearer-token';
import type { HttpRequest, HttpResponse } from '../../inbound/route';

/** Undefined when the request carries the token; otherwise the 401 to send. */
export function requireBearer(request: HttpRequest, token: string): HttpResponse | undefined {
  const presented = presentedBearer(request.headers);
  if (presented && secretMatches(presented, token)) return undefined;
  return {
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="rewind"' },
    body: { error: presented ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <REWIND_API_TOKEN>' },
  };
}
