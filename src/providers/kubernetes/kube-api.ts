/**
 * The Kubernetes API through @kubernetes/client-node (v0.22), with what the library leaves out: a
 * timeout per request, retries (429 after its Retry-After, 5xx and network errors on reads), answers
 * checked with zod, and errors that name the credentials, the RBAC they need, or the catalog field.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AppsV1Api, CoreV1Api, HttpError, KubeConfig } from '@kubernetes/client-node';
import type { z } from 'zod';
import { ProviderError, RewindError } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import { describeIssues, UnansweredCall } from '../../outbound/platform-api';
import { describeDuration } from '../../outbound/http-errors';
import { Status } from './kubernetes-schemas';

export interface KubeApiOptions {
  namespace: string;
  deployment: string;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  timeoutMs: number;
  retries: number;
  clock: Clock;
  /** Where the credentials come from: "the kubeconfig /etc/rewind/kubeconfig (…provider.kubernetes.kubeconfig)". */
  credentials: string;
  /** The RBAC the credentials need. */
  access: string;
  /** What a 404 most likely means: "deployment web/checkout (…provider.kubernetes.deployment)". */
  subject: string;
  /** Where a kubeconfig that does not load is set in the catalog. */
  kubeconfigPath: string;
}

interface Answer {
  response: { statusCode?: number; body?: unknown; headers: IncomingHttpHeaders };
}

interface Clients {
  apps: AppsV1Api;
  core: CoreV1Api;
  server: string;
}

/** A change the API server refused (any non-2xx answer), with what to make of it. */
export interface Refusal {
  status: number;
  error: ProviderError;
  /** The API server's own words (the Status `message`). */
  said?: string;
  retryAfterMs?: number;
}

/** When Kubernetes sends no Retry-After with a 429, it means the constant 1 s it always sends. */
const DEFAULT_RETRY_AFTER_MS = 1_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 4_000;
const JSON_PATCH = { headers: { 'Content-Type': 'application/json-patch+json' } };

/**
 * A request error from the library's HTTP layer (`request`): a Node error code such as ECONNRESET.
 * Not checked with `instanceof Error`: errors from Node's own modules may come from another realm.
 */
function transportCode(error: unknown): string | undefined {
  if (error instanceof HttpError || error instanceof RewindError || typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? code : undefined;
}

/** Refused, or timed out while connecting: nothing reached the API server. */
function neverSent(error: unknown): boolean {
  return transportCode(error) === 'ECONNREFUSED' || (transportCode(error) === 'ETIMEDOUT' && (error as { connect?: unknown }).connect === true);
}

function retryAfterMs(headers: IncomingHttpHeaders | undefined): number {
  const seconds = Number(headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : DEFAULT_RETRY_AFTER_MS;
}

function serverWords(body: unknown): string | undefined {
  const parsed = Status.safeParse(body);
  const said = parsed.success ? parsed.data.message : typeof body === 'string' ? body : undefined;
  if (!said) return undefined;
  return said.length > 200 ? `${said.slice(0, 197)}...` : said;
}

export class KubeApi {
  private clients?: Clients;

  constructor(private readonly options: KubeApiOptions) {}

  get deploymentPath(): string {
    return `/apis/apps/v1/namespaces/${this.options.namespace}/deployments/${this.options.deployment}`;
  }

  get replicaSetsPath(): string {
    return `/apis/apps/v1/namespaces/${this.options.namespace}/replicasets`;
  }

  get podsPath(): string {
    return `/api/v1/namespaces/${this.options.namespace}/pods`;
  }

  /** The API server's URL, for links to objects on it. */
  server(): string {
    return this.connect().server.replace(/\/+$/, '');
  }

  readDeployment<T extends z.ZodType>(schema: T, signal?: AbortSignal): Promise<z.output<T>> {
    const { namespace, deployment } = this.options;
    return this.read(this.deploymentPath, schema, (c) => c.apps.readNamespacedDeployment(deployment, namespace), signal);
  }

  listReplicaSets<T extends z.ZodType>(schema: T, labelSelector: string, page: { limit: number; continue?: string | undefined }, signal?: AbortSignal): Promise<z.output<T>> {
    const { namespace } = this.options;
    return this.read(this.replicaSetsPath, schema, (c) => c.apps.listNamespacedReplicaSet(namespace, undefined, undefined, page.continue, undefined, labelSelector, page.limit), signal);
  }

  listPods<T extends z.ZodType>(schema: T, labelSelector: string, signal?: AbortSignal): Promise<z.output<T>> {
    const { namespace } = this.options;
    return this.read(this.podsPath, schema, (c) => c.core.listNamespacedPod(namespace, undefined, undefined, undefined, undefined, labelSelector), signal);
  }

  /**
   * One JSON patch of the Deployment, never repeated here: the caller re-reads and decides. Resolves
   * with the patched object or the refusal; throws UnansweredCall when it may have been sent.
   */
  async patchDeployment<T extends z.ZodType>(schema: T, ops: readonly object[], signal?: AbortSignal): Promise<{ patched: z.output<T> } | { refused: Refusal }> {
    signal?.throwIfAborted();
    const { namespace, deployment } = this.options;
    const path = this.deploymentPath;
    try {
      const { response } = (await this.connect().apps.patchNamespacedDeployment(deployment, namespace, ops, undefined, undefined, undefined, undefined, undefined, JSON_PATCH)) as Answer;
      return { patched: this.parse(schema, response.body, 'PATCH', path) };
    } catch (error) {
      if (error instanceof HttpError) {
        const said = serverWords(error.body);
        const refusal: Refusal = { status: error.statusCode ?? 0, error: this.answerError('PATCH', path, error), ...(said ? { said } : {}) };
        return { refused: error.statusCode === 429 ? { ...refusal, retryAfterMs: retryAfterMs(error.response.headers) } : refusal };
      }
      if (transportCode(error) === undefined) throw error;
      if (neverSent(error)) throw this.transportError(error, 'PATCH', path);
      const code = transportCode(error);
      throw new UnansweredCall('PATCH', path, code === 'ESOCKETTIMEDOUT' || code === 'ETIMEDOUT' ? `no answer within ${describeDuration(this.options.timeoutMs)}` : (code ?? 'no answer'));
    }
  }

  /** What a non-2xx answer means, in words a person can act on. */
  answerError(method: string, path: string, error: HttpError): ProviderError {
    const status = error.statusCode ?? 0;
    const said = serverWords(error.body);
    const quoted = said ? ` ("${said}")` : '';
    const { credentials, access, subject } = this.options;
    if (status === 401) return new ProviderError(`Kubernetes refused the credentials (401 on ${method} ${path})${quoted}: check ${credentials}.`, false, { status });
    if (status === 403) {
      return new ProviderError(`Kubernetes does not let these credentials ${method === 'GET' ? 'read' : 'change'} it (403 on ${method} ${path})${quoted}: ${credentials} needs RBAC to ${access}.`, false, { status });
    }
    if (status === 404) return new ProviderError(`Kubernetes knows no ${subject} (404 on ${method} ${path})${quoted}: check the catalog.`, false, { status });
    if (status === 409) return new ProviderError(`The Deployment changed while Rewind was changing it (409 on ${method} ${path})${quoted}.`, true, { status });
    if (status === 429) return new ProviderError(`Kubernetes is rate limiting Rewind (429 on ${method} ${path}); it asks to wait ${retryAfterMs(error.response.headers) / 1_000} s.`, true, { status });
    const retryable = status >= 500 || status === 408;
    return new ProviderError(`Kubernetes answered ${status} to ${method} ${path}${quoted}.`, retryable, { status });
  }

  private async read<T extends z.ZodType>(path: string, schema: T, call: (clients: Clients) => Promise<unknown>, signal?: AbortSignal): Promise<z.output<T>> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const last = attempt >= this.options.retries;
      let answer: Answer;
      try {
        answer = (await call(this.connect())) as Answer;
      } catch (error) {
        const wait = this.retryWait(error, attempt);
        if (wait === undefined || last) throw this.readError(error, path);
        await this.options.clock.sleep(wait, signal);
        continue;
      }
      return this.parse(schema, answer.response.body, 'GET', path);
    }
  }

  /** How long to wait before reading again after `error`, or undefined when reading again cannot help. */
  private retryWait(error: unknown, attempt: number): number | undefined {
    const backoff = Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS);
    if (error instanceof HttpError) {
      const status = error.statusCode ?? 0;
      if (status === 429) return retryAfterMs(error.response.headers);
      return status >= 500 ? backoff : undefined;
    }
    return transportCode(error) !== undefined ? backoff : undefined;
  }

  private readError(error: unknown, path: string): unknown {
    if (error instanceof HttpError) return this.answerError('GET', path, error);
    if (transportCode(error) !== undefined) return this.transportError(error, 'GET', path);
    return error;
  }

  private transportError(error: unknown, method: string, path: string): ProviderError {
    const code = transportCode(error);
    const what =
      code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT'
        ? `did not answer ${method} ${path} within ${describeDuration(this.options.timeoutMs)}`
        : `could not be reached for ${method} ${path} (${code ?? 'network error'})`;
    return new ProviderError(`The Kubernetes API server ${what}.`, true, { code });
  }

  private parse<T extends z.ZodType>(schema: T, body: unknown, method: string, path: string): z.output<T> {
    if (typeof body === 'string') throw new ProviderError(`Kubernetes answered ${method} ${path} with a body that is not JSON.`, true);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ProviderError(`Kubernetes answered ${method} ${path} with something Rewind cannot read (${describeIssues(parsed.error)}).`, false);
    return parsed.data;
  }

  /** Loads the credentials on first use, so a catalog with a missing kubeconfig still loads and says what is wrong when used. */
  private connect(): Clients {
    if (this.clients) return this.clients;
    const config = this.loadConfig();
    const server = config.getCurrentCluster()?.server;
    if (!server) throw new ProviderError(`${this.describeSource()} names no cluster to talk to: check ${this.options.kubeconfigPath}.`, false);
    const apps = config.makeApiClient(AppsV1Api);
    const core = config.makeApiClient(CoreV1Api);
    // The library sets no timeout of its own: a hanging API server would hold the rollback forever.
    const timeout = (request: { timeout?: number }): void => {
      request.timeout = this.options.timeoutMs;
    };
    apps.addInterceptor(timeout);
    core.addInterceptor(timeout);
    this.clients = { apps, core, server };
    return this.clients;
  }

  private loadConfig(): KubeConfig {
    const { kubeconfig, context } = this.options;
    const config = new KubeConfig();
    try {
      if (kubeconfig) config.loadFromFile(kubeconfig);
      else if (process.env['KUBERNETES_SERVICE_HOST']) config.loadFromCluster();
      else throw new Error('Rewind is not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set) and no kubeconfig is set');
    } catch (error) {
      throw new ProviderError(`Could not load ${this.describeSource()} (${error instanceof Error ? error.message : String(error)}): check ${this.options.kubeconfigPath}.`, false);
    }
    if (context) {
      if (!config.getContextObject(context)) {
        throw new ProviderError(`The kubeconfig ${kubeconfig ?? ''} has no context ${context}: check ${this.options.kubeconfigPath.replace(/kubeconfig$/, 'context')}.`, false);
      }
      config.setCurrentContext(context);
    }
    return config;
  }

  private describeSource(): string {
    return this.options.kubeconfig ? `the kubeconfig ${this.options.kubeconfig}` : "the pod's service account";
  }
}
