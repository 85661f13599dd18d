/** A step's thread post: started, then edited (same `supersedes` key) to its result and duration. */
import type { Message, Tone } from '../../domain/message';
import { titleOf, type StepName, type StepRecord } from '../../domain/plan';
import { stepOf, type RollbackRecord } from '../../domain/rollback-record';
import { capitalize, formatTimestamp, serviceLabel, stepPosition } from '../formatting';
import { stepTiming } from './blocks';
import { compose } from './compose';

const TONES: Readonly<Record<StepRecord['status'], Tone>> = {
  pending: 'info',
  running: 'progress',
  succeeded: 'success',
  failed: 'danger',
  skipped: 'info',
};

const VERBS: Readonly<Record<StepRecord['status'], string>> = {
  pending: 'waiting',
  running: 'started',
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
};

/** The step's status line: when it started while running, otherwise its timing. */
function timingText(step: StepRecord): string | undefined {
  if (step.status === 'pending') return undefined;
  if (step.status === 'running') return step.startedAt !== undefined ? `Started ${formatTimestamp(step.startedAt)}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}` : undefined;
  return capitalize(stepTiming(step));
}

/** A line a running step reports on its way (a machine updated, `2/3 machines on …`). */
export function stepNote(record: RollbackRecord, stepName: StepName, line: string): Message {
  const title = `${titleOf(stepOf(record, stepName))}: ${line}`;
  return compose({
    kind: 'progress',
    tone: 'progress',
    title,
    footer: [`Rollback ${record.id}`],
    fallback: `${serviceLabel(record)}: ${title}`,
  });
}

export function stepProgress(record: RollbackRecord, stepName: StepName): Message {
  const step = stepOf(record, stepName);
  const title = `${titleOf(step)} ${VERBS[step.status]} (${stepPosition(record, stepName)})`;
  const text = [timingText(step), step.detail].filter(Boolean).join(' · ');
  return compose({
    kind: 'progress',
    tone: TONES[step.status],
    title,
    text,
    footer: [`Rollback ${record.id}`],
    fallback: `${serviceLabel(record)}: ${title}${text ? ` — ${text}` : ''}`,
  });
}
