/**
 * Transport failures of outbound HTTP calls, and the forms of URLs and durations that are safe and
 * readable in their messages (messages reach chat threads, so no credential may be in them).
 */

const CREDENTIAL_PARAM = /token|secret|passw|pwd|api[-_]?key|^key$|^sig$|signature|auth|credential|session/i;

/** The URL without user info and with credential-shaped query values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can take apart: keep only what comes before any query or user info.
    return url.replace(/\/\/[^/@\s]*@/, '//').split('?')[0] ?? '';
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (CREDENTIAL_PARAM.test(name)) parsed.searchParams.set(name, '[redacted]');
  }
  // URLSearchParams encodes the brackets; the literal form reads better in chat.
  return parsed.toString().replace(/%5Bredacted%5D/g, '[redacted]');
}

/** `450 ms`, `3 s`, `2.5 s`, `2 min`: how a person reads a duration in a thread. */
export function describeDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

export type TransportFailureKind = 'timeout' | 'network';

const CODE_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the other side',
  UND_ERR_CLOSED: 'connection closed',
};

/** A request that got no HTTP answer: it timed out or the network failed. */
export class HttpTransportError extends Error {
  constructor(
    readonly method: string,
    /** Already redacted. */
    readonly url: string,
    readonly kind: TransportFailureKind,
    readonly code: string,
    readonly timeoutMs?: number,
  ) {
    super(
      kind === 'timeout'
        ? `${method} ${url} timed out after ${describeDuration(timeoutMs ?? 0)}`
        : `${method} ${url} failed: ${CODE_TEXT[code] ?? 'network error'} (${code})`,
    );
    this.name = 'HttpTransportError';
  }

  /** What happened, without the request line: `timed out after 5 s`, `connection refused`. */
  get reason(): string {
    return this.kind === 'timeout' ? `timed out after ${describeDuration(this.timeoutMs ?? 0)}` : (CODE_TEXT[this.code] ?? `network error (${this.code})`);
  }
}

/** A response body that should have been JSON and was not. */
export class HttpBodyError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
  ) {
    super(`${method} ${url} answered ${status} with a body that is not JSON`);
    this.name = 'HttpBodyError';
  }
}
