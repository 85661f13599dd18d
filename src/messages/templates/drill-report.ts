/**
 * What a drill says: the report posted in its thread when it ends (method, duration against the
 * RTO, what failed or "all checks passed"), the header's DRILL banner, and the reminder posted in
 * the incident channel when an environment has gone too long without one.
 */
import { describeMethod, historyOutcome } from '../../domain/history';
import { DRILL_BANNER, drillTiming, type DrillEntry, type DrillTiming } from '../../domain/drills';
import type { Message, Section, Tone } from '../../domain/message';
import { titleOf } from '../../domain/plan';
import type { RollbackRecord } from '../../domain/rollback-record';
import { code, formatDuration, formatTimestamp, lines, oneLine, serviceLabel, stateLabel, stepTitle, who } from '../formatting';
import { checkCounts, stepsSection } from './blocks';
import { compose, field } from './compose';

/** The header's evidence lines of a drill: the banner (which becomes the section's heading), then what it is timed against. */
export function drillEvidence(record: Pick<RollbackRecord, 'severity' | 'rtoMs' | 'provider'>): string[] {
  const rto = record.rtoMs === undefined ? `no RTO configured for ${record.severity}` : `the ${formatDuration(record.rtoMs)} RTO for ${record.severity}`;
  return [DRILL_BANNER, `A real rollback${record.provider ? ` through ${record.provider}` : ''}, timed end to end against ${rto}. Nothing is broken; nobody is paged.`];
}

function verdictText(timing: DrillTiming, record: RollbackRecord): string {
  switch (timing.verdict) {
    case 'met':
      return `RTO met: ${formatDuration(timing.durationMs!)} of ${formatDuration(timing.rtoMs!)} (${formatDuration(timing.rtoMs! - timing.durationMs!)} to spare)`;
    case 'missed':
      return record.state === 'succeeded'
        ? `RTO missed by ${formatDuration(timing.durationMs! - timing.rtoMs!)}: ${formatDuration(timing.durationMs!)} against ${formatDuration(timing.rtoMs!)}`
        : `RTO missed: the drill did not recover the service (${formatDuration(timing.durationMs!)} until it ${historyOutcome(record) === 'aborted' ? 'was aborted' : 'failed'}; RTO ${formatDuration(timing.rtoMs!)})`;
    case 'no_rto':
      return `Not judged: no RTO is configured for ${record.severity} (\`rto:\` in the catalog)`;
    case 'unfinished':
      return 'Still running';
  }
}

function tone(record: RollbackRecord, timing: DrillTiming): Tone {
  if (record.state !== 'succeeded') return 'danger';
  return timing.verdict === 'missed' ? 'warning' : 'success';
}

/** What failed, with its evidence (failed and inconclusive checks), or that every check passed. */
function findings(record: RollbackRecord): Section {
  const verification = record.verification;
  const checks = verification?.results ?? [];
  const bad = checks.filter((c) => c.status !== 'pass').map((c) => `${c.name} (${c.type}): ${c.status} — measured ${c.measured} · threshold ${c.threshold}`);
  if (record.state === 'succeeded') {
    if (checks.length === 0) return { heading: 'Checks', text: 'No checks are configured, so recovery was not verified: add `verify:` checks for the drill to prove anything.' };
    if (bad.length === 0) return { heading: 'Checks', text: `All checks passed (${checkCounts(checks)}).` };
    return { heading: 'Checks', text: lines([`Accepted by ${verification?.acceptedBy ? who(verification.acceptedBy.actor) : 'a person'} despite:`, ...bad]) };
  }
  const outcome = record.outcome;
  const where = outcome?.stoppedAt ? stepTitle(record, outcome.stoppedAt) : 'the rollback';
  const rows = [
    `Failed at ${where}: ${oneLine(outcome?.message ?? 'no detail recorded', 300)}`,
    ...bad.map((line) => `Evidence: ${line}`),
    ...(outcome?.providerChanged ? [`The provider was already switched to ${code(record.to?.version ?? 'the target')}.`] : []),
    ...(outcome?.nextSteps ?? []).map((step) => `Next: ${step}`),
  ];
  return { heading: 'What failed', text: lines(rows, 12) };
}

/** Posted in the drill's thread when it ends. */
export function drillReport(record: RollbackRecord): Message {
  const timing = drillTiming(record);
  const outcome = stateLabel(historyOutcome(record));
  const short = timing.verdict === 'met' ? 'RTO met' : timing.verdict === 'missed' ? 'RTO missed' : 'RTO not judged';
  const title = `Drill report: ${serviceLabel(record)} — ${outcome.toLowerCase()}, ${short}`;
  const ran = record.steps.filter((s) => s.status !== 'skipped' && s.status !== 'pending').map((s) => titleOf(s));
  return compose({
    kind: 'summary',
    tone: tone(record, timing),
    title,
    text: `${DRILL_BANNER}. A real rollback of ${serviceLabel(record)}, timed end to end (requested → finished) against the RTO for ${record.severity}.`,
    fields: [
      field('Method', `${record.provider ?? 'provider'}: ${describeMethod(record)}`),
      field('Steps run', ran.length > 0 ? ran.join(' → ') : 'none'),
      field('Duration', timing.durationMs === undefined ? '—' : `${formatDuration(timing.durationMs)} end to end`),
      field('RTO target', record.rtoMs === undefined ? `none for ${record.severity}` : `${formatDuration(record.rtoMs)} (${record.severity})`),
      field('Result', verdictText(timing, record), false),
      field('Run by', who(record.requester)),
    ],
    sections: [findings(record), stepsSection(record)],
    footer: [`Rollback ${record.id} · drill · kept out of the history, exports and RTO report unless asked for (\`--drills\`)`],
    fallback: `${title}${timing.durationMs === undefined ? '' : ` (${formatDuration(timing.durationMs)})`}`,
  });
}

const DAY_MS = 86_400_000;

/** `31 days` past two days (a drill cadence is counted in days), `36 h` or `15 min` below. */
function age(ms: number): string {
  return ms >= 2 * DAY_MS ? `${Math.floor(ms / DAY_MS)} days` : formatDuration(ms);
}

export interface DrillReminderFacts {
  service: string;
  environment: string;
  everyMs: number;
  sinceMs?: number;
  last?: DrillEntry;
}

/** Posted in the environment's incident channel when it is overdue for a drill. */
export function drillReminder(facts: DrillReminderFacts): Message {
  const where = `${facts.service} (${facts.environment})`;
  const title = facts.last ? `Drill due: ${where} has not been drilled for ${age(facts.sinceMs ?? 0)}` : `Drill due: ${where} has never been drilled with Rewind`;
  const last = facts.last ? `The last drill, ${code(facts.last.rollbackId)}, ended ${formatTimestamp(facts.last.at)}.` : 'Rewind has no drill of it on record.';
  return compose({
    kind: 'notice',
    tone: 'info',
    title,
    text:
      `The catalog asks for a drill every ${age(facts.everyMs)} (\`drills: { every }\`). ${last} ` +
      `Run one when it suits the team: ${code(`/rollback drill ${facts.service} ${facts.environment}`)} — a real rollback, timed against the RTO and reported in its thread.`,
    footer: ['One reminder per overdue period, whichever replica checks.'],
    fallback: title,
  });
}
