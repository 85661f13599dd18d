/**
 * Counts rollbacks from what is durably committed: a decorator of the store that reads each
 * successful commit's audit events (a transition, a step's end, verification) with the record they
 * belong to. A refused (conflicting) commit counts nothing, so a retried decision is counted once.
 */
import type { AuditEvent, NewAuditEvent } from '../domain/audit';
import type { OutboundEvent } from '../domain/outbound-event';
import type { Commit, CreateResult, RecordListQuery, RollbackStore } from '../domain/ports';
import { recoveryOf } from '../domain/recovery';
import type { RollbackRecord } from '../domain/rollback-record';
import type { RollbackState } from '../domain/rollback-state';
import type { Metrics } from './metrics';

const FINAL: ReadonlySet<RollbackState> = new Set(['succeeded', 'failed', 'rejected', 'expired', 'cancelled']);
/** What leaving `pending_approval` for each state means for the approval wait. */
const APPROVAL_DECISION: Partial<Record<RollbackState, string>> = { queued: 'approved', rejected: 'rejected', expired: 'expired', cancelled: 'cancelled' };

export class MeteredStore implements RollbackStore {
  constructor(
    private readonly store: RollbackStore,
    private readonly metrics: Metrics,
  ) {}

  async create(commit: Commit, options: { idempotencyKey?: string }): Promise<CreateResult> {
    const result = await this.store.create(commit, options);
    if (result.status === 'created') {
      const record = result.record;
      this.metrics.rollbacksStarted.inc({ ...where(record), trigger: record.trigger.kind, severity: record.severity });
      countCommit(this.metrics, record, commit.audit);
    }
    return result;
  }

  async commit(expectedVersion: number, commit: Commit): Promise<RollbackRecord> {
    const saved = await this.store.commit(expectedVersion, commit);
    countCommit(this.metrics, saved, commit.audit);
    return saved;
  }

  get(id: string): Promise<RollbackRecord | undefined> {
    return this.store.get(id);
  }
  findByIdempotencyKey(key: string): Promise<string | undefined> {
    return this.store.findByIdempotencyKey(key);
  }
  activeFor(service: string, environment: string): Promise<string | undefined> {
    return this.store.activeFor(service, environment);
  }
  list(query: RecordListQuery): Promise<RollbackRecord[]> {
    return this.store.list(query);
  }
  auditTrail(id: string): Promise<AuditEvent[]> {
    return this.store.auditTrail(id);
  }
  outboxEvents(id: string): Promise<OutboundEvent[]> {
    return this.store.outboxEvents(id);
  }
  recordGlobalEvent(event: NewAuditEvent, context: Record<string, unknown>): Promise<void> {
    return this.store.recordGlobalEvent(event, context);
  }
  recentAudit(limit: number): Promise<AuditEvent[]> {
    return this.store.recentAudit(limit);
  }
}

function where(record: RollbackRecord): { service: string; environment: string } {
  return { service: record.service, environment: record.environment };
}

const seconds = (ms: number) => Math.max(ms, 0) / 1_000;

export function countCommit(metrics: Metrics, record: RollbackRecord, events: readonly NewAuditEvent[]): void {
  for (const event of events) {
    if (event.type === 'transition' && event.to) countTransition(metrics, record, event.from, event.to, event.at);
    else if (event.type === 'step.succeeded' || event.type === 'step.failed') countStep(metrics, record, event);
    else if (event.type === 'verification.completed' && record.verification) {
      const { status, startedAt, finishedAt } = record.verification;
      metrics.verificationDuration.observe({ ...where(record), result: status }, seconds(finishedAt - startedAt));
    }
  }
}

function countTransition(metrics: Metrics, record: RollbackRecord, from: RollbackState | undefined, to: RollbackState, at: number): void {
  const decision = from === 'pending_approval' ? APPROVAL_DECISION[to] : undefined;
  if (decision) metrics.approvalWait.observe({ ...where(record), decision }, seconds(at - record.timings.requestedAt));
  if (!FINAL.has(to)) return;
  metrics.rollbacksFinished.inc({ ...where(record), trigger: record.trigger.kind, outcome: to });
  // A drill's timing is in its report and in `/rollback report --drills`; it is not an incident's
  // recovery, and must not page anyone through the RTO-missed alert.
  if (record.trigger.kind === 'drill') return;
  const labels = { ...where(record), severity: record.severity };
  // Only the first run is held to the RTO: a retried verification (run 2, 3…) follows a failure that
  // was counted already, or an operator choosing to look again, which says nothing new about recovery.
  const firstRun = record.run <= 1;
  // Measured as the post-mortem, the exports and the RTO report measure it, so they never disagree.
  const recovery = recoveryOf(record);
  if (recovery.ms !== undefined) metrics.recovery.observe(labels, seconds(recovery.ms));
  if (firstRun && recovery.rtoMet === false) metrics.rtoMissed.inc(labels);
}

function countStep(metrics: Metrics, record: RollbackRecord, event: NewAuditEvent): void {
  const name = event.data?.['step'];
  if (typeof name !== 'string') return;
  const step = record.steps.find((s) => s.name === name);
  if (!step?.startedAt) return;
  const result = event.type === 'step.succeeded' ? 'succeeded' : 'failed';
  metrics.stepDuration.observe({ ...where(record), step: name, result }, seconds((step.finishedAt ?? event.at) - step.startedAt));
}
