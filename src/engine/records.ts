/**
 * The records a team keeps, built from stored rollbacks: the post-mortem draft of one rollback, the
 * history (as a message or an export file) under filters, and the RTO report. Chat commands and the
 * API both come here, so both say the same thing.
 */
import { ErrorCode, RewindError } from '../domain/errors';
import type { ChatFile, FileFormat, ThreadLink } from '../domain/chat-file';
import { HistoryFilter, matchesFilter, type DrillScope } from '../domain/history-filter';
import type { Message } from '../domain/message';
import type { RollbackStore } from '../domain/ports';
import type { RollbackRecord } from '../domain/rollback-record';
import type { RollbackState } from '../domain/rollback-state';
import { rtoReport, type RtoReport } from '../domain/rto-report';
import { describeSince, resolveTimeBound, type TimeBound } from '../domain/time-window';
import { historyFile } from '../messages/history-export';
import { postmortemDraft, postmortemFileName } from '../messages/postmortem-draft';
import { historyMessage } from '../messages/templates/history';
import { rtoReportMessage } from '../messages/templates/rto-report';
import type { Answer, FileAnswer } from './answer';
import type { Command } from './commands';
import type { EngineDeps } from './engine-deps';

/**
 * How many of the newest rollbacks an export or report looks through. Records are listed newest
 * first, so a window reaching further back than this many rollbacks is cut at the oldest scanned.
 */
export const RECORD_SCAN_LIMIT = 2000;

export const DEFAULT_REPORT_WINDOW: TimeBound = { kind: 'ago', ms: 30 * 86_400_000 };

/** An id nobody recorded: says where ids are found, since a person typing one usually copied it from there. */
export class NoSuchRollbackError extends RewindError {
  constructor(readonly rollbackId: string) {
    super(
      ErrorCode.UnknownRollback,
      `No rollback with id \`${rollbackId}\`. Rollback ids are in the footer of each rollback's notification and thread, ` +
        'in `/rollback status <service>` (its latest rollback), in the `id` column of `/rollback history <service> --format csv`, ' +
        'and in `GET /api/rollbacks` on the API.',
      { rollbackId },
    );
  }
}

/** The store's filters where it has them (service, environment, state), the rest applied here; newest first. */
export async function findRecords(
  store: Pick<RollbackStore, 'list'>,
  filter: HistoryFilter,
  limit: number = RECORD_SCAN_LIMIT,
  /** The record's raw state, for the API's older `state` parameter (which counts an abort as cancelled). */
  rawState?: RollbackState,
): Promise<RollbackRecord[]> {
  // An aborted rollback is stored as cancelled; the history outcome tells them apart afterwards.
  const state = rawState ?? (filter.outcome === undefined ? undefined : filter.outcome === 'aborted' ? 'cancelled' : filter.outcome);
  const listed = await store.list({
    ...(filter.service ? { service: filter.service } : {}),
    ...(filter.environment ? { environment: filter.environment } : {}),
    ...(state ? { state } : {}),
    limit: RECORD_SCAN_LIMIT,
  });
  return listed.filter((record) => matchesFilter(record, filter) && (rawState === undefined || record.state === rawState)).slice(0, limit);
}

export async function postmortemOf(store: Pick<RollbackStore, 'get' | 'auditTrail'>, id: string, threads: readonly ThreadLink[] = []): Promise<{ record: RollbackRecord; markdown: string }> {
  const record = await store.get(id);
  if (!record) throw new NoSuchRollbackError(id);
  const audit = await store.auditTrail(id);
  return { record, markdown: postmortemDraft({ record, audit, threads }) };
}

export async function postmortemAnswer(deps: Pick<EngineDeps, 'store'>, id: string): Promise<FileAnswer> {
  const record = await deps.store.get(id);
  if (!record) throw new NoSuchRollbackError(id);
  const audit = await deps.store.auditTrail(id);
  const file = (threads: readonly ThreadLink[]): ChatFile => ({
    name: postmortemFileName(record),
    title: `Post-mortem draft: ${record.service} (${record.environment}) ${record.id}`,
    format: 'md',
    content: postmortemDraft({ record, audit, threads }),
    comment: `Post-mortem draft for ${record.service} (${record.environment}), rollback ${record.id}: timeline, steps, checks, RTO. Fill in impact, root cause and prevention.`,
  });
  return {
    file: file([]),
    withThreads: file,
    about: { id: record.id, service: record.service, environment: record.environment, channels: record.channels },
    fetchFrom: `GET /api/rollbacks/${record.id}/postmortem.md`,
  };
}

type HistoryCommand = Extract<Command, { type: 'history' }>;

/** The command's filters, with `--since` turned into an instant by the engine's clock. */
export function historyFilterOf(command: Omit<HistoryCommand, 'type' | 'actor' | 'limit'>, now: number): HistoryFilter {
  return HistoryFilter.parse({
    ...(command.service ? { service: command.service } : {}),
    ...(command.environment ? { environment: command.environment } : {}),
    ...(command.outcome ? { outcome: command.outcome } : {}),
    ...(command.trigger ? { trigger: command.trigger } : {}),
    ...(command.since ? { since: resolveTimeBound(command.since, now) } : {}),
    ...(command.drills ? { drills: command.drills } : {}),
  });
}

/** Unknown service or environment: the catalog's error, with a suggestion. A service alone may name any environment. */
function checkScope(deps: Pick<EngineDeps, 'catalog'>, filter: HistoryFilter): void {
  if (filter.service) deps.catalog.resolve(filter.service, filter.environment);
}

export async function historyAnswer(deps: Pick<EngineDeps, 'store' | 'catalog' | 'clock'>, command: Omit<HistoryCommand, 'type' | 'actor'>): Promise<Answer> {
  const filter = historyFilterOf(command, deps.clock.now());
  checkScope(deps, filter);
  if (command.format) return historyExport(deps, filter, command.format);
  const records = await findRecords(deps.store, filter, command.limit);
  const filtered = filter.environment !== undefined || filter.outcome !== undefined || filter.trigger !== undefined || filter.since !== undefined || filter.drills !== undefined;
  return historyMessage(records, { ...(filter.service ? { service: filter.service } : {}), limit: command.limit, ...(filtered ? { filter } : {}) });
}

export async function historyExport(deps: Pick<EngineDeps, 'store'>, filter: HistoryFilter, format: FileFormat): Promise<FileAnswer> {
  const records = await findRecords(deps.store, filter);
  // The API takes the same filters by the same names; instants go as ISO dates.
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) query.set(key, typeof value === 'number' ? new Date(value).toISOString() : String(value));
  query.set('format', format);
  return { file: historyFile(records, format, filter), fetchFrom: `GET /api/rollbacks?${query.toString()}` };
}

export interface RtoReportResult {
  report: RtoReport;
  service?: string;
  /** Which rollbacks were counted: drills are left out unless asked for. */
  drills: DrillScope;
  /** Epoch ms the window starts at, and how to name it. */
  since: number;
  window: string;
}

export async function rtoReportOf(store: Pick<RollbackStore, 'list'>, options: { service?: string; since?: TimeBound; drills?: DrillScope }, now: number): Promise<RtoReportResult> {
  const bound = options.since ?? DEFAULT_REPORT_WINDOW;
  const since = resolveTimeBound(bound, now);
  const drills = options.drills ?? 'exclude';
  const records = await findRecords(store, { ...(options.service ? { service: options.service } : {}), since, drills });
  return { report: rtoReport(records), ...(options.service ? { service: options.service } : {}), drills, since, window: describeSince(bound) };
}

export async function reportAnswer(
  deps: Pick<EngineDeps, 'store' | 'catalog' | 'clock'>,
  command: { service?: string | undefined; since?: TimeBound | undefined; drills?: DrillScope | undefined },
): Promise<Message> {
  if (command.service) deps.catalog.resolve(command.service);
  const options = { ...(command.service ? { service: command.service } : {}), ...(command.since ? { since: command.since } : {}), ...(command.drills ? { drills: command.drills } : {}) };
  const result = await rtoReportOf(deps.store, options, deps.clock.now());
  return rtoReportMessage(result.report, { ...(result.service ? { service: result.service } : {}), window: result.window, drills: result.drills });
}
