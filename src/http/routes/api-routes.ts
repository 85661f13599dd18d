/** Read-only JSON API over rollback records, audit trails and history, behind a bearer token. */
import { z } from 'zod';
import { toHistoryEntry } from '../../domain/history';
import type { RollbackStore } from '../../domain/ports';
import { ROLLBACK_STATES, RollbackState } from '../../domain/rollback-state';
import type { HttpRequest, HttpResponse, Route } from '../router';
import { requireBearer } from './bearer-auth';

const ListQuery = z.strictObject({
  service: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  state: RollbackState.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

function badQuery(error: z.ZodError): HttpResponse {
  const issues = error.issues.map((i) => {
    const field = i.path.join('.') || 'query';
    if (field === 'state') return `state: expected one of ${ROLLBACK_STATES.join(', ')}`;
    if (field === 'limit') return 'limit: expected a whole number from 1 to 100';
    return `${field}: ${i.message}`;
  });
  return { status: 400, body: { error: 'invalid query', issues, valid: ['service', 'environment', 'state', 'limit'] } };
}

export function apiRoutes(store: RollbackStore, token: string | undefined): Route[] {
  const guard = (handler: (request: HttpRequest) => Promise<HttpResponse>) => async (request: HttpRequest): Promise<HttpResponse> => {
    if (!token) return { status: 404, body: { error: 'the rollback API is disabled; set REWIND_API_TOKEN to enable it' } };
    return requireBearer(request, token) ?? handler(request);
  };
  return [
    {
      method: 'GET',
      path: '/api/rollbacks',
      handler: guard(async (request) => {
        const parsed = ListQuery.safeParse(Object.fromEntries(request.query));
        if (!parsed.success) return badQuery(parsed.error);
        const { limit, service, environment, state } = parsed.data;
        const records = await store.list({ limit, ...(service ? { service } : {}), ...(environment ? { environment } : {}), ...(state ? { state } : {}) });
        return { status: 200, body: { rollbacks: records.map((record) => ({ ...toHistoryEntry(record), id: record.id, service: record.service, environment: record.environment, state: record.state, severity: record.severity })) } };
      }),
    },
    {
      method: 'GET',
      path: '/api/rollbacks/:id',
      handler: guard(async (request) => {
        const id = request.params['id']!;
        const record = await store.get(id);
        if (!record) return { status: 404, body: { error: `no rollback with id ${id}` } };
        return { status: 200, body: { rollback: record, history: toHistoryEntry(record), audit: await store.auditTrail(id) } };
      }),
    },
  ];
}
