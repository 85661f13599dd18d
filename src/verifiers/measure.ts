/**
 * One measurement request for a verifier: no retries (a check measures, it does not paper over
 * failures), the check's timeout, and an unreachable target reported as a reason, not thrown.
 */
import type { HttpClient, HttpMethod, HttpResponse } from '../outbound/http-client';
import { HttpTransportError } from '../outbound/http-errors';

export interface Measurement {
  method?: HttpMethod;
  url: string;
  headers?: Record<string, string> | undefined;
  timeoutMs: number;
  checkName: string;
  signal?: AbortSignal | undefined;
}

export async function measure(http: HttpClient, m: Measurement): Promise<{ response: HttpResponse } | { unreachable: string }> {
  try {
    const response = await http.request({
      method: m.method ?? 'GET',
      url: m.url,
      ...(m.headers ? { headers: m.headers } : {}),
      timeoutMs: m.timeoutMs,
      retries: 0,
      label: `verify:${m.checkName}`,
      ...(m.signal ? { signal: m.signal } : {}),
    });
    return { response };
  } catch (error) {
    if (error instanceof HttpTransportError) return { unreachable: error.reason };
    throw error;
  }
}
