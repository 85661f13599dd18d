/**
 * What a pager is told at a turn of a rollback's course: one line for the alert's title and the
 * facts a responder needs first. Built when the event is written, from the record as committed, and
 * platform-neutral: the PagerDuty and Opsgenie adapters only map it onto their fields.
 */
import { elapsedMs } from '../../domain/history';
import type { Milestone, MilestoneKind } from '../../domain/outbound-event';
import type { StepName } from '../../domain/plan';
import type { RollbackRecord } from '../../domain/rollback-record';
import { capitalize, formatDuration, oneLine, recordArrow, requestedBy, serviceLabel, stepTitle, triggerLabel } from '../formatting';
import { checkCounts } from './blocks';
import { providerLine } from './failure-summary';
import { rtoCheck } from './rollback-summary';

/** Checks named in a failure page, problems first. */
const SEEN_ITEMS = 5;

type Detail = Milestone['details'][number];

function detail(label: string, value: string | undefined): Detail | undefined {
  return value?.trim() ? { label, value: oneLine(value, 500) } : undefined;
}

function stoppedAt(record: RollbackRecord): StepName | undefined {
  return record.outcome?.stoppedAt ?? record.steps.find((s) => s.status === 'failed')?.name;
}

/** The failing and inconclusive checks, measured against their thresholds. */
function seen(record: RollbackRecord): string | undefined {
  const results = record.verification?.results ?? [];
  const problems = results.filter((r) => r.status !== 'pass');
  if (problems.length === 0) return undefined;
  const shown = problems.slice(0, SEEN_ITEMS).map((r) => `${r.name}: ${r.status}, measured ${r.measured} (threshold ${r.threshold})`);
  return `${checkCounts(results)}. ${shown.join('; ')}${problems.length > SEEN_ITEMS ? `; and ${problems.length - SEEN_ITEMS} more` : ''}`;
}

function summary(kind: MilestoneKind, record: RollbackRecord): string {
  const where = serviceLabel(record);
  const stopped = stoppedAt(record);
  switch (kind) {
    case 'started':
      return `${capitalize(record.severity)} rollback started: ${where} ${recordArrow(record)}`;
    case 'succeeded':
      return `Rollback completed: ${where} is on ${record.to?.version ?? 'the target release'}`;
    case 'failed':
      return `Rollback failed: ${where}${stopped ? ` — stopped at ${stepTitle(record, stopped)}` : ''}`;
    case 'stopped':
      return `Rollback stopped: ${where}${stopped ? ` at ${stepTitle(record, stopped)}` : ''}`;
  }
}

function details(kind: MilestoneKind, record: RollbackRecord): Detail[] {
  const took = elapsedMs(record);
  const stopped = stoppedAt(record);
  const ended = kind === 'failed' || kind === 'stopped';
  const rto = rtoCheck(record);
  return [
    ended ? detail('Stopped at', stopped ? stepTitle(record, stopped) : 'before the first step') : undefined,
    ended ? detail('What happened', record.outcome?.message) : undefined,
    ended ? detail('Provider', providerLine(record)) : undefined,
    ended ? detail('What was seen', seen(record)) : undefined,
    ended ? detail('Next steps', (record.outcome?.nextSteps ?? []).join(' ')) : undefined,
    ended ? detail('Escalation', record.escalation) : undefined,
    detail('Service', record.service),
    detail('Environment', record.environment),
    detail('Release', recordArrow(record)),
    detail('Severity', record.severity),
    detail('Reason', record.reason ?? 'not given'),
    detail('Requested by', requestedBy(record)),
    detail('Trigger', triggerLabel(record)),
    kind === 'succeeded' && took !== undefined ? detail('Duration', formatDuration(took)) : undefined,
    kind === 'succeeded' && rto ? detail('RTO', rto.line) : undefined,
    detail('Rollback', record.id),
  ].filter((d): d is Detail => d !== undefined);
}

export function milestone(kind: MilestoneKind, record: RollbackRecord): Milestone {
  return { kind, severity: record.severity, run: record.run, summary: oneLine(summary(kind, record), 1000), details: details(kind, record) };
}
