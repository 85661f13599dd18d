/**
 * Fly.io's releases through its GraphQL API (it documents no REST list): `releasesUnprocessed`
 * pages newest first and the current release, with GraphQL errors (which come with status 200)
 * turned into errors a person can act on.
 */
import { z } from 'zod';
import { ProviderError } from '../../domain/errors';
import type { PlatformApi } from '../../outbound/platform-api';
import { CurrentReleaseAnswer, GraphQLError, ReleasesAnswer, type FlyRelease } from './fly-schemas';

const FIELDS = 'id version description reason status imageRef stable createdAt user { email }';
const RELEASES_QUERY =
  'query($appName: String!, $first: Int!, $after: String) { app(name: $appName) { ' +
  `releases: releasesUnprocessed(first: $first, after: $after) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } } }`;
const CURRENT_QUERY = `query($appName: String!) { app(name: $appName) { currentRelease: currentReleaseUnprocessed { ${FIELDS} } } }`;

/** Releases asked for per page. Fly documents neither a default nor a maximum, so every page is followed by `pageInfo`, however short. */
export const RELEASE_PAGE = 25;

/** Fly's error codes are not documented: these and the messages below are what GraphQL servers commonly send. */
const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['NOT_FOUND']);
const AUTH_CODES: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'UNAUTHENTICATED', 'FORBIDDEN', 'ACCESS_DENIED']);
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED', 'TOO_MANY_REQUESTS']);
const NOT_FOUND_WORDS = /could not (find|resolve) app|app(lication)? .*not found|no app named/i;
const AUTH_WORDS = /must be authenticated|not authori[sz]ed|unauthori[sz]ed|unauthenticated|access denied|permission|invalid token|token (is )?(expired|invalid|revoked)/i;
const TRANSIENT_WORDS = /timed? ?out|try again|temporar|rate limit|internal server error|unavailable/i;

/** The whole answer first, loosely: errors decide before the data's shape is checked. */
const Envelope = z.object({ data: z.unknown().optional(), errors: z.array(GraphQLError).nullish() });

export interface GraphQLWords {
  app: string;
  /** `services.web.environments.production.provider.fly.app`. */
  appPath: string;
  tokenHint: string;
  access: string;
}

export class FlyReleases {
  constructor(
    private readonly api: PlatformApi,
    /** `/graphql`, on the API's base URL. */
    private readonly path: string,
    private readonly words: GraphQLWords,
  ) {}

  /** Newest first, following `pageInfo` until `max`, the end of the history, or a release `enough` accepts. */
  async list(max: number, signal?: AbortSignal, enough?: (release: FlyRelease) => boolean): Promise<FlyRelease[]> {
    const out: FlyRelease[] = [];
    let after: string | undefined;
    while (out.length < max) {
      const variables = { appName: this.words.app, first: Math.min(RELEASE_PAGE, max - out.length), ...(after ? { after } : {}) };
      const page = this.app((await this.query(ReleasesAnswer, RELEASES_QUERY, variables, signal)).data.app).releases;
      const nodes = page.nodes.slice(0, max - out.length);
      out.push(...nodes);
      if (enough && nodes.some(enough)) break;
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor || nodes.length === 0) break;
      after = page.pageInfo.endCursor;
    }
    return out;
  }

  /** The release Fly calls current. A raw machine update (a Rewind rollback) does not change it. */
  async current(signal?: AbortSignal): Promise<FlyRelease | undefined> {
    const { data } = await this.query(CurrentReleaseAnswer, CURRENT_QUERY, { appName: this.words.app }, signal);
    return this.app(data.app).currentRelease ?? undefined;
  }

  /**
   * `schema` is the whole answer without its errors: `{ data: { app } }`. Errors beside an app that
   * reads well (a field Fly could not resolve, such as a deleted user) do not stop the read; errors
   * without one are the answer.
   */
  private async query<T extends z.ZodType<{ data: { app: unknown } }>>(schema: T, query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<z.output<T>> {
    const { data: answer, response } = await this.api.read(this.path, Envelope, { json: { query, variables }, signal });
    const errors = answer.errors ?? [];
    if (errors.length > 0) {
      const partial = schema.safeParse({ data: answer.data });
      if (partial.success && partial.data.data.app !== null) return partial.data;
      throw this.failure(errors);
    }
    if (answer.data === undefined || answer.data === null) throw new ProviderError(`Fly.io answered POST ${this.path} with neither data nor errors.`, true);
    return this.api.parse(schema, response, 'POST', this.path);
  }

  private app<T>(app: T | null): T {
    if (app === null) throw this.unknownApp();
    return app;
  }

  private failure(errors: readonly GraphQLError[]): ProviderError {
    const said = errors.map((e) => e.message).join('; ');
    const quoted = said.length > 200 ? `${said.slice(0, 197)}...` : said;
    const codes = errors.map((e) => e.extensions?.code?.toUpperCase()).filter((c): c is string => !!c);
    const any = (codeSet: ReadonlySet<string>, words: RegExp) => codes.some((c) => codeSet.has(c)) || errors.some((e) => words.test(e.message));
    if (any(NOT_FOUND_CODES, NOT_FOUND_WORDS)) return this.unknownApp(quoted);
    if (any(AUTH_CODES, AUTH_WORDS)) {
      return new ProviderError(`Fly.io refused the token on its GraphQL API ("${quoted}"): check ${this.words.tokenHint}; it needs ${this.words.access}.`, false, { codes });
    }
    const retryable = any(TRANSIENT_CODES, TRANSIENT_WORDS);
    return new ProviderError(`Fly.io's GraphQL API answered with an error ("${quoted}")${codes.length ? ` [${codes.join(', ')}]` : ''}.`, retryable, { codes });
  }

  /** Fly answers an unknown app with `app: null` (and maybe an error): the same words as a Machines API 404. */
  private unknownApp(said?: string): ProviderError {
    return new ProviderError(
      `Fly.io knows no app ${this.words.app} (${this.words.appPath})${said ? ` ("${said}")` : ''}: check the app name in the catalog, and that the token's organization owns it.`,
      false,
      { status: 404 },
    );
  }
}
