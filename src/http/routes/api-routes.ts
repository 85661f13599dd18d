/**
 * Read-only API over rollback records behind a bearer token: the list (JSON, or an export in CSV,
 * Markdown or JSON under filters), one record with its audit trail, its post-mortem draft, and the
 * RTO report.
 */
import { z } from 'zod';
import { FileFormat, mimeTypeOf } from '../../domain/chat-file';
import { toExportRow } from '../../domain/export-row';
import { HISTORY_OUTCOMES, HistoryOutcome, toHistoryEntry } from '../../domain/history';
import { DRILL_SCOPES, DrillScope, type HistoryFilter } from '../../domain/history-filter';
import type { RollbackStore } from '../../domain/ports';
import { TRIGGERS, TriggerKind } from '../../domain/request';
import { ROLLBACK_STATES, RollbackState } from '../../domain/rollback-state';
import { parseTimeBound, resolveTimeBound, TIME_BOUND_HINT } from '../../domain/time-window';
import { findRecords, NoSuchRollbackError, postmortemOf, RECORD_SCAN_LIMIT, rtoReportOf } from '../../engine/records';
import { historyFile } from '../../messages/history-export';
import type { HttpRequest, HttpResponse, Route } from '../../inbound/route';
import { requireBearer } from './bearer-auth';

/** A time bound typed as `30d` or an ISO date, read against the request's now. */
const TimeParam = z.string().transform((text, ctx) => {
  const bound = parseTimeBound(text);
  if (!bound) {
    ctx.addIssue({ code: 'custom', message: `expected ${TIME_BOUND_HINT}` });
    return z.NEVER;
  }
  return bound;
});

const LIST_DEFAULT_LIMIT = 20;

const ListQuery = z.strictObject({
  service: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  state: RollbackState.optional(),
  outcome: HistoryOutcome.optional(),
  trigger: TriggerKind.optional(),
  since: TimeParam.optional(),
  until: TimeParam.optional(),
  limit: z.coerce.number().int().min(1).max(RECORD_SCAN_LIMIT).optional(),
  format: FileFormat.optional(),
  drills: DrillScope.optional(),
});

const ReportQuery = z.strictObject({
  service: z.string().min(1).optional(),
  since: TimeParam.optional(),
  drills: DrillScope.optional(),
});

/** Field-specific words for what each parameter takes; zod's defaults name types, not choices. */
const EXPECTED: Readonly<Record<string, string>> = {
  state: `expected one of ${ROLLBACK_STATES.join(', ')}`,
  outcome: `expected one of ${HISTORY_OUTCOMES.join(', ')}`,
  trigger: `expected one of ${TRIGGERS.join(', ')}`,
  limit: `expected a whole number from 1 to ${RECORD_SCAN_LIMIT}`,
  format: 'expected one of csv, md, json',
  since: `expected ${TIME_BOUND_HINT}`,
  until: `expected ${TIME_BOUND_HINT}`,
  drills: `expected one of ${DRILL_SCOPES.join(', ')} (drills are left out by default)`,
};

function badQuery(error: z.ZodError, valid: readonly string[]): HttpResponse {
  const issues = error.issues.flatMap((issue) => {
    // An unknown parameter is one issue naming every unknown key; split it so each reads on its own.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${key}: unknown parameter`);
    const field = issue.path.join('.') || 'query';
    return [`${field}: ${EXPECTED[field] ?? issue.message}`];
  });
  return { status: 400, body: { error: 'invalid query', issues, valid } };
}

/** The query as one value per name; a repeated parameter is an error rather than a silent pick. */
function queryObject(request: HttpRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(request.query.keys())) {
    const values = request.query.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

const LIST_PARAMS = Object.keys(ListQuery.shape);

export function apiRoutes(store: RollbackStore, token: string | undefined, now: () => number = Date.now): Route[] {
  const guard = (handler: (request: HttpRequest) => Promise<HttpResponse>) => async (request: HttpRequest): Promise<HttpResponse> => {
    if (!token) return { status: 404, body: { error: 'the rollback API is disabled; set REWIND_API_TOKEN to enable it' } };
    return requireBearer(request, token) ?? handler(request);
  };
  return [
    {
      method: 'GET',
      path: '/api/rollbacks',
      handler: guard(async (request) => {
        const parsed = ListQuery.safeParse(queryObject(request));
        if (!parsed.success) return badQuery(parsed.error, LIST_PARAMS);
        const { limit, format, state, since, until, ...rest } = parsed.data;
        const at = now();
        const filter: HistoryFilter = {
          ...rest,
          ...(since ? { since: resolveTimeBound(since, at) } : {}),
          ...(until ? { until: resolveTimeBound(until, at) } : {}),
        };
        const records = await findRecords(store, filter, limit ?? (format ? RECORD_SCAN_LIMIT : LIST_DEFAULT_LIMIT), state);
        if (format) {
          const file = historyFile(records, format, filter);
          return {
            status: 200,
            headers: { 'content-type': `${mimeTypeOf(file)}; charset=utf-8`, 'content-disposition': `inline; filename="${file.name}"` },
            body: file.content,
          };
        }
        // The history entry's fields come last: they were this list's shape before the export columns joined it.
        const rollbacks = records.map((record) => ({ ...toExportRow(record), ...toHistoryEntry(record), id: record.id, state: record.state, severity: record.severity }));
        return { status: 200, body: { rollbacks } };
      }),
    },
    {
      method: 'GET',
      path: '/api/rollbacks/:id/postmortem.md',
      handler: guard(async (request) => {
        try {
          const { record, markdown } = await postmortemOf(store, request.params['id']!);
          return { status: 200, headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `inline; filename="postmortem-${record.id}.md"` }, body: markdown };
        } catch (error) {
          if (error instanceof NoSuchRollbackError) return { status: 404, body: { error: error.userMessage } };
          throw error;
        }
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
    {
      method: 'GET',
      path: '/api/reports/rto',
      handler: guard(async (request) => {
        const parsed = ReportQuery.safeParse(queryObject(request));
        if (!parsed.success) return badQuery(parsed.error, Object.keys(ReportQuery.shape));
        const { service, since, drills } = parsed.data;
        const result = await rtoReportOf(store, { ...(service ? { service } : {}), ...(since ? { since } : {}), ...(drills ? { drills } : {}) }, now());
        return { status: 200, body: { service: result.service ?? null, since: new Date(result.since).toISOString(), window: result.window, drills: result.drills, ...result.report } };
      }),
    },
  ];
}
