/**
 * The shared PlatformApi with Argo CD's own refusals: a 403 may mean the application does not exist
 * (Argo CD hides existence from a token that may not see it), and grpc-gateway bodies carry a gRPC code.
 */
import { ProviderError } from '../../domain/errors';
import type { HttpClient, HttpResponse } from '../../outbound/http-client';
import { PlatformApi, serverWords, type PlatformApiOptions } from '../../outbound/platform-api';

/** gRPC status codes Argo CD answers with (grpc-gateway writes them as `code`). */
export const GrpcCode = { InvalidArgument: 3, NotFound: 5, PermissionDenied: 7, FailedPrecondition: 9, Unauthenticated: 16 } as const;

/** The gRPC code of an error body `{error, code, message, details}`, when there is one. */
export function grpcCode(response: HttpResponse): number | undefined {
  try {
    const body = response.json() as { code?: unknown } | null;
    return typeof body?.code === 'number' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

export class ArgoCdApi extends PlatformApi {
  constructor(
    private readonly argo: PlatformApiOptions,
    http: HttpClient,
  ) {
    super(argo, http);
  }

  override answerError(method: string, path: string, response: HttpResponse): ProviderError {
    if (response.status !== 403) return super.answerError(method, path, response);
    const said = serverWords(response);
    return new ProviderError(
      `Argo CD refused ${method} ${path} (403${said ? `, "${said}"` : ''}). Argo CD gives this answer both when there is no ${this.argo.subject} ` +
        `(it hides which applications exist; set the project in the catalog to get a 404 instead) and when ${this.argo.tokenHint} lacks access: it needs ${this.argo.access}.`,
      false,
      { status: 403 },
    );
  }
}
