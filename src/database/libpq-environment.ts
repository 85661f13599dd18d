/**
 * A postgres:// URL as libpq's environment variables, so pg_dump and pg_restore get the password
 * without it ever showing in a process list.
 */
/** libpq's variables for a postgres:// URL (host, port, user, password, database, sslmode). */
export function libpqEnvironment(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const libpq: Record<string, string> = {};
  if (url.hostname) libpq['PGHOST'] = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.port) libpq['PGPORT'] = url.port;
  if (url.username) libpq['PGUSER'] = decodeURIComponent(url.username);
  if (url.password) libpq['PGPASSWORD'] = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) libpq['PGDATABASE'] = database;
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) libpq['PGSSLMODE'] = sslmode;
  return libpq;
}
