/**
 * The post-rollback summary (runbook template): environment, duration against the RTO, verification,
 * the postmortem, and a timing breakdown so a slow recovery can be explained from the message alone.
 */
import { elapsedMs } from '../../domain/history';
import type { Message, Section } from '../../domain/message';
import { titleOf } from '../../domain/plan';
import type { RollbackRecord } from '../../domain/rollback-record';
import { capitalize, formatDuration, releaseArrow, serviceLabel, triggerLabel, who } from '../formatting';
import { checkCounts, platformSection, postmortemSection, recordFooter } from './blocks';
import { afterSuccessButtons } from './buttons';
import { compose, field } from './compose';

/** `target 2 min — met in 38 s` / `target 2 min — missed by 1 min 02 s`; undefined without a target or an end. */
export function rtoCheck(record: RollbackRecord): { met: boolean; line: string } | undefined {
  const took = elapsedMs(record);
  if (record.rtoMs === undefined || took === undefined) return undefined;
  const target = `target ${formatDuration(record.rtoMs)}`;
  return took <= record.rtoMs
    ? { met: true, line: `${target} — met in ${formatDuration(took)}` }
    : { met: false, line: `${target} — missed by ${formatDuration(took - record.rtoMs)}` };
}

function verificationLine(record: RollbackRecord): string {
  const v = record.verification;
  if (!v || v.status === 'unverified') return 'not configured: recovery not confirmed by checks';
  const accepted = v.acceptedBy ? ` (inconclusive accepted by ${who(v.acceptedBy.actor)})` : '';
  return `${checkCounts(v.results)}${accepted}`;
}

/** Where the time went: waiting for approval, in the queue, in each step, in the checks. */
export function breakdownSection(record: RollbackRecord): Section {
  const { requestedAt, queuedAt, startedAt } = record.timings;
  const rows: string[] = [];
  if (record.policy.required > 0 && queuedAt !== undefined) rows.push(`Approval wait: ${formatDuration(queuedAt - requestedAt)}`);
  if (queuedAt !== undefined && startedAt !== undefined) rows.push(`Queue wait: ${formatDuration(startedAt - queuedAt)}`);
  for (const step of record.steps) {
    const took = step.startedAt !== undefined && step.finishedAt !== undefined ? formatDuration(step.finishedAt - step.startedAt) : step.status;
    rows.push(`${titleOf(step)}: ${took}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}`);
  }
  const v = record.verification;
  if (v) rows.push(`Verification checks: ${formatDuration(v.finishedAt - v.startedAt)}`);
  return { heading: 'Breakdown', text: rows.join('\n') };
}

export function rollbackSummary(record: RollbackRecord): Message {
  const took = elapsedMs(record);
  const rto = rtoCheck(record);
  const duration = took === undefined ? '—' : formatDuration(took);
  const title = `Rollback completed: ${serviceLabel(record)} is on ${record.to?.version ?? 'the target release'}`;
  const rtoVerdict = rto ? ` — RTO ${rto.met ? 'met' : 'missed'}` : '';
  return compose({
    kind: 'summary',
    tone: 'success',
    title,
    text: `Rolled back ${releaseArrow(record.from, record.to, record.requestedRelease)} in ${duration}${rtoVerdict}. Stable and monitoring.`,
    fields: [
      field('Environment', record.to?.slot ? `${record.environment} (${record.to.slot})` : record.environment),
      field('Release', releaseArrow(record.from, record.to, record.requestedRelease)),
      field('Duration', duration),
      rto ? field('RTO', rto.line) : undefined,
      field('Severity', capitalize(record.severity)),
      field('Trigger', triggerLabel(record)),
      field('Verification', verificationLine(record)),
      field('Status', 'Stable and monitoring'),
    ],
    sections: [platformSection(record), postmortemSection(record), breakdownSection(record)],
    buttons: afterSuccessButtons(record),
    footer: recordFooter(record),
    fallback: `${title} (${duration}${rtoVerdict})`,
  });
}
