/**
 * A local stand-in for Prometheus' `GET /api/v1/query`: each query answers from a programmed queue
 * (numbers, NaN, ±Inf, empty results, several series, errors); the last answer repeats.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PromValue = number | 'NaN' | '+Inf' | '-Inf';

export type PromAnswer =
  | PromValue
  | 'empty'
  | { series: { labels?: Record<string, string>; value: PromValue }[] }
  | { scalar: PromValue }
  | { error: string; errorType?: string; status?: number }
  | { status: number; body: string };

function valueText(value: PromValue): string {
  return typeof value === 'number' ? String(value) : value;
}

export class FakePrometheus {
  /** The `query` parameter of every request, in order. */
  readonly queries: string[] = [];
  private readonly answers = new Map<string, PromAnswer[]>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakePrometheus> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakePrometheus(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (url.pathname !== '/api/v1/query') return reply(404, { status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` });
      const query = url.searchParams.get('query') ?? '';
      fake.queries.push(query);
      const answer = fake.next(query);
      if (answer === undefined) return reply(400, { status: 'error', errorType: 'bad_data', error: `fake Prometheus has no answer for query ${JSON.stringify(query)}` });
      const [status, body] = FakePrometheus.render(answer);
      reply(status, body);
    });
    return fake;
  }

  /** Queues answers for `query`; once they are used up the last one keeps being given. */
  answer(query: string, ...answers: PromAnswer[]): this {
    this.answers.set(query, [...(this.answers.get(query) ?? []), ...answers]);
    return this;
  }

  /** How many times `query` was asked. */
  asked(query: string): number {
    return this.queries.filter((q) => q === query).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private next(query: string): PromAnswer | undefined {
    const queue = this.answers.get(query);
    if (!queue || queue.length === 0) return undefined;
    return queue.length > 1 ? queue.shift() : queue[0];
  }

  private static render(answer: PromAnswer): [number, unknown] {
    const now = Date.now() / 1000;
    const vector = (series: { labels?: Record<string, string>; value: PromValue }[]) => ({
      status: 'success',
      data: { resultType: 'vector', result: series.map((s) => ({ metric: s.labels ?? {}, value: [now, valueText(s.value)] })) },
    });
    if (answer === 'empty') return [200, vector([])];
    if (typeof answer === 'number' || typeof answer === 'string') return [200, vector([{ labels: { service: 'checkout-api' }, value: answer }])];
    if ('series' in answer) return [200, vector(answer.series)];
    if ('scalar' in answer) return [200, { status: 'success', data: { resultType: 'scalar', result: [now, valueText(answer.scalar)] } }];
    if ('error' in answer) return [answer.status ?? 400, { status: 'error', errorType: answer.errorType ?? 'bad_data', error: answer.error }];
    return [answer.status, answer.body];
  }
}
