/**
 * Sections more than one template shows the same way: the trigger's evidence, the verification
 * checklist, the postmortem, and the steps with their durations.
 */
import { DRILL_BANNER } from '../../domain/drills';
import type { ChecklistItem, Section } from '../../domain/message';
import { titleOf, type StepRecord } from '../../domain/plan';
import type { RollbackRecord, VerificationRecord } from '../../domain/rollback-record';
import type { CheckResult } from '../../domain/verification';
import { LIMITS, formatDuration, formatTimestamp, lines, moreLine, oneLine, relative, stepPosition, triggerLabel, truncate, who } from '../formatting';

/** Id, request time, the expiry while waiting for approval (relative to `now` when given), and the finish. */
export function recordFooter(record: RollbackRecord, now?: number): string[] {
  const { requestedAt, finishedAt } = record.timings;
  const out = [`Rollback ${record.id}`, `Requested ${formatTimestamp(requestedAt)}`];
  const expiresAt = record.state === 'pending_approval' ? record.policy.expiresAt : undefined;
  if (expiresAt !== undefined) out.push(`Expires ${formatTimestamp(expiresAt)}${now === undefined ? '' : ` (${relative(expiresAt, now)})`}`);
  if (finishedAt !== undefined) out.push(`Finished ${formatTimestamp(finishedAt)} (took ${formatDuration(finishedAt - requestedAt)})`);
  return out;
}

/** Automatic triggers say why they fired: probe results, alert labels, measured values. A drill says it is one, first. */
export function evidenceSection(record: RollbackRecord): Section | undefined {
  if (record.trigger.kind === 'drill') {
    const rest = record.trigger.evidence.filter((line) => line !== DRILL_BANNER);
    return { heading: DRILL_BANNER, text: lines(rest.length > 0 ? rest : [`Requested by ${who(record.requester)}; timed against the RTO.`]) };
  }
  if (record.trigger.kind === 'manual' || record.trigger.evidence.length === 0) return undefined;
  return { heading: `Evidence (${triggerLabel(record)})`, text: lines(record.trigger.evidence) };
}

/**
 * What the platform did beyond the rollback, as facts: what it did not undo, what it re-ran, what
 * stays held until `/rollback unlock`, and where to look on the platform.
 */
export function platformSection(record: RollbackRecord): Section | undefined {
  const result = record.providerResult;
  if (!result) return undefined;
  const rows = result.notes.map((note) => `• ${oneLine(note, 300)}`);
  if (result.hold) rows.push(`• Held: ${result.hold.description}. \`/rollback unlock ${record.service} ${record.environment}\` will ${result.hold.undo}.`);
  if (result.link) rows.push(`• On the platform: ${result.link}`);
  return rows.length > 0 ? { heading: 'On the platform', text: lines(rows) } : undefined;
}

/** `2 passed · 1 failed · 1 inconclusive`, zeros left out. */
export function checkCounts(results: readonly CheckResult[]): string {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  const parts = [`${count('pass')} passed`, `${count('fail')} failed`, `${count('inconclusive')} inconclusive`];
  return parts.filter((part) => !part.startsWith('0 ')).join(' · ') || 'no checks';
}

function checkItem(result: CheckResult): ChecklistItem {
  // The status is copied, never derived: an inconclusive check keeps its own mark and is never shown as passed.
  return { label: result.name, status: result.status, detail: `measured ${result.measured} · threshold ${result.threshold}` };
}

const PROBLEMS_FIRST: Readonly<Record<CheckResult['status'], number>> = { fail: 0, inconclusive: 1, pass: 2 };

/** One item per check, at most `maxItems`; when there are more, failures and inconclusive ones come first. */
export function verificationSection(verification: VerificationRecord, heading: string, maxItems: number = LIMITS.checklistItems): Section {
  const results = verification.results;
  const shown = results.length <= maxItems ? results : [...results].sort((a, b) => PROBLEMS_FIRST[a.status] - PROBLEMS_FIRST[b.status]).slice(0, maxItems - 1);
  const hidden = results.filter((r) => !shown.includes(r));
  const accepted = verification.acceptedBy ? `Inconclusive result accepted by ${who(verification.acceptedBy.actor)}.` : undefined;
  const text = [hidden.length > 0 ? `${moreLine(hidden.length)}: ${checkCounts(hidden)}` : undefined, accepted].filter(Boolean).join('\n');
  return {
    heading: `${heading}: ${checkCounts(results)} (${formatDuration(verification.finishedAt - verification.startedAt)})`,
    ...(text ? { text } : {}),
    checklist: shown.map(checkItem),
  };
}

/** Customer impact, root cause and prevention as recorded, or how to record them. */
export function postmortemSection(record: RollbackRecord): Section {
  const pm = record.postmortem;
  const heading = 'Customer impact · root cause · prevention';
  if (!pm || !(pm.impact || pm.rootCause || pm.prevention)) return { heading, text: 'Not recorded yet — use Add root cause.' };
  const entry = (label: string, value: string | undefined) => `${label}: ${value?.trim() ? truncate(value.trim(), LIMITS.fieldValue) : 'not recorded yet'}`;
  return {
    heading,
    text: [entry('Customer impact', pm.impact), entry('Root cause', pm.rootCause), entry('Prevention', pm.prevention), `Recorded by ${who(pm.by)}.`].join('\n'),
  };
}

const STEP_MARKS: Readonly<Record<StepRecord['status'], ChecklistItem['status']>> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'pass',
  failed: 'fail',
  skipped: 'skipped',
};

/** `succeeded in 1.2 s`, `running for 12 s`, `failed after 3 s`, plus the attempt when it was resumed. */
export function stepTiming(step: StepRecord, now?: number): string {
  const started = step.startedAt;
  const end = step.finishedAt ?? now;
  const took = started !== undefined && end !== undefined ? formatDuration(end - started) : undefined;
  const timing: Record<StepRecord['status'], string> = {
    pending: 'waiting',
    running: took ? `running for ${took}` : 'running',
    succeeded: took ? `succeeded in ${took}` : 'succeeded',
    failed: took ? `failed after ${took}` : 'failed',
    skipped: 'skipped',
  };
  return step.attempts > 1 ? `${timing[step.status]} (attempt ${step.attempts})` : timing[step.status];
}

export function stepItem(record: Pick<RollbackRecord, 'steps'>, step: StepRecord, now?: number): ChecklistItem {
  const detail = [stepTiming(step, now), step.detail].filter(Boolean).join(' · ');
  return { label: `${titleOf(step)} (${stepPosition(record, step.name)})`, status: STEP_MARKS[step.status], detail };
}

export function stepsSection(record: RollbackRecord, now?: number): Section {
  return { heading: 'Steps', checklist: record.steps.map((step) => stepItem(record, step, now)) };
}

/**
 * Rows of a table or list split over as many sections as needed so no section text exceeds the
 * size one Discord embed field holds; each part repeats the heading (a table's column names).
 */
export function rowSections(heading: string, rows: readonly string[]): Section[] {
  const chunks: string[][] = [];
  let size = Infinity;
  for (const full of rows) {
    const row = oneLine(full, LIMITS.fieldValue);
    if (size + row.length + 1 > LIMITS.longText) {
      chunks.push([]);
      size = 0;
    }
    chunks.at(-1)!.push(row);
    size += row.length + 1;
  }
  return chunks.map((chunk) => ({ heading, text: chunk.join('\n') }));
}
