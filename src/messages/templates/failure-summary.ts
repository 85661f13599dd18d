/**
 * The failure summary, for failed rollbacks and aborted (or abandoned) ones: where it stopped, what
 * happened, whether the provider was changed, the evidence, what to do next and whom to call.
 */
import { elapsedMs, historyOutcome } from '../../domain/history';
import type { Message, Section } from '../../domain/message';
import type { StepName } from '../../domain/plan';
import { releaseLabel } from '../../domain/release';
import type { RollbackRecord } from '../../domain/rollback-record';
import { capitalize, formatDuration, lines, recordArrow, serviceLabel, stateLabel, stepTitle, triggerLabel } from '../formatting';
import { platformSection, postmortemSection, recordFooter, verificationSection } from './blocks';
import { afterFailureButtons } from './buttons';
import { compose, field } from './compose';

/** The failing checks matter here; the full list is in the verification post above. */
const EVIDENCE_ITEMS = 10;

/** The outcome's step, else the step that failed, else the one that was running. */
function stoppedAt(record: RollbackRecord): StepName | undefined {
  return record.outcome?.stoppedAt ?? (record.steps.find((s) => s.status === 'failed') ?? record.steps.find((s) => s.status === 'running'))?.name;
}

/** "Traffic was switched to 2.4.0", "Nothing was changed on the provider", or what is known in between. */
export function providerLine(record: RollbackRecord): string {
  const changed = record.outcome?.providerChanged ?? false;
  if (!changed) return 'Nothing was changed on the provider';
  const target = record.to ? releaseLabel(record.to) : 'the target release';
  switch (record.outcome?.code) {
    case 'deploy_failed':
      return `The rollback to ${target} was started and failed on the platform`;
    case 'not_live':
      return `The rollback to ${target} was started but was not live in time`;
    case 'outcome_unknown':
      return `Unknown whether the rollback to ${target} took effect`;
    default:
      return `Traffic was switched to ${target}`;
  }
}

function nextStepsSection(record: RollbackRecord): Section {
  const steps = record.outcome?.nextSteps ?? [];
  return {
    heading: 'What to do next',
    text: steps.length > 0 ? lines(steps.map((s) => `• ${s}`)) : '• Check the service directly, then decide whether to retry or fix forward.',
  };
}

function escalationSection(record: RollbackRecord): Section {
  return { heading: 'Escalation', text: record.escalation ?? 'No escalation is configured for this environment: page the service owner.' };
}

export function failureSummary(record: RollbackRecord): Message {
  const outcome = historyOutcome(record);
  const stopped = stoppedAt(record);
  const where = stopped ? stepTitle(record, stopped) : 'before the first step';
  const title = `Rollback ${stateLabel(outcome).toLowerCase()}: ${serviceLabel(record)} — stopped at ${where}`;
  const took = elapsedMs(record);
  const provider = providerLine(record);
  return compose({
    kind: 'failure',
    tone: 'danger',
    title,
    text: record.outcome?.message ?? record.steps.find((s) => s.name === stopped)?.detail ?? `The rollback ${stateLabel(outcome).toLowerCase()} at ${where}.`,
    fields: [
      field('Stopped at', where),
      field('Provider', provider),
      field('Release', recordArrow(record)),
      field('Duration', took === undefined ? '—' : formatDuration(took)),
      field('Severity', capitalize(record.severity)),
      field('Trigger', triggerLabel(record)),
    ],
    sections: [
      record.verification && record.verification.results.length > 0 ? verificationSection(record.verification, 'Evidence', EVIDENCE_ITEMS) : undefined,
      nextStepsSection(record),
      platformSection(record),
      escalationSection(record),
      postmortemSection(record),
    ],
    buttons: afterFailureButtons(record),
    footer: recordFooter(record),
    fallback: `${title}. ${provider}.`,
  });
}
