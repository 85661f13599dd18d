/**
 * One short PostgreSQL session for a read (what a restore would overwrite, which migrations ran):
 * connect, query, close, bounded by a timeout and the caller's abort signal.
 */
import type { QueryResultRow } from 'pg';

export interface SessionOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export type Query = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

export async function withPostgres<T>(databaseUrl: string, options: SessionOptions, work: (query: Query) => Promise<T>): Promise<T> {
  options.signal?.throwIfAborted();
  // pg is loaded by the first database read, not by every process that could make one.
  const { Client } = require('pg') as typeof import('pg');
  const client = new Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: Math.min(options.timeoutMs, 10_000),
    statement_timeout: options.timeoutMs,
    query_timeout: options.timeoutMs,
    application_name: 'rewind',
  });
  // An error on an idle client (server restart) must not crash the worker: the query reports it.
  client.on('error', () => undefined);
  const onAbort = () => void client.end().catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    return await work(async (text, values) => (await client.query(text, values)).rows);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/** Postgres errors carry the server's words; a connection URL never appears in them. */
export function describePostgresError(error: unknown): string {
  const e = error as { message?: string; code?: string } | null;
  const message = e?.message ?? String(error);
  return e?.code ? `${message} (SQLSTATE ${e.code})` : message;
}
