/**
 * The shared PlatformApi, with the one answer Vercel gives differently: a wrong, expired or revoked
 * token is refused with 403 `{"error": {"invalidToken": true}}`, which must read as a token problem,
 * not as a token lacking access.
 */
import { ProviderError } from '../../domain/errors';
import type { HttpClient, HttpResponse } from '../../outbound/http-client';
import { PlatformApi, type PlatformApiOptions } from '../../outbound/platform-api';

function saysInvalidToken(response: HttpResponse): boolean {
  try {
    const body = response.json() as { error?: { invalidToken?: unknown } } | null;
    return body?.error?.invalidToken === true;
  } catch {
    return false;
  }
}

export class VercelApi extends PlatformApi {
  private readonly tokenHint: string;

  constructor(options: PlatformApiOptions, http: HttpClient) {
    super(options, http);
    this.tokenHint = options.tokenHint;
  }

  override answerError(method: string, path: string, response: HttpResponse): ProviderError {
    if (response.status === 403 && saysInvalidToken(response)) {
      return new ProviderError(`Vercel refused the token (403 on ${method} ${path}, invalidToken): check ${this.tokenHint}; it is wrong, expired or revoked.`, false, { status: 403 });
    }
    return super.answerError(method, path, response);
  }
}
