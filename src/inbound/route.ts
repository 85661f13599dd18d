/**
 * The inbound HTTP contract: what a route receives and answers. Chat fronts and webhooks declare
 * their routes with it; the one HTTP server (src/http) serves them. No server code here.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The exact bytes received: signature checks need them unparsed. */
  rawBody: Buffer;
  params: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: unknown;
  /** A long-lived response (Server-Sent Events): written by the route until the client goes away. */
  stream?: (res: ServerResponse) => void;
}

export type Handler = (request: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handler: Handler;
}
