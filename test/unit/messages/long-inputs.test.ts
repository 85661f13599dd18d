/** Every template on every state parses as a Message and stays readable on hostile sizes. */
import { Message } from '../../../src/domain/message';
import { ROLLBACK_STATES } from '../../../src/domain/rollback-state';
import { RollbackRecord } from '../../../src/domain/rollback-record';
import { BUILTIN_STEPS as STEP_NAMES } from '../../../src/domain/plan';
import { approvalRequest } from '../../../src/messages/templates/approval-request';
import { decisionNotice } from '../../../src/messages/templates/decision-notice';
import { failureSummary } from '../../../src/messages/templates/failure-summary';
import { historyMessage } from '../../../src/messages/templates/history';
import { notificationHeader } from '../../../src/messages/templates/notification-header';
import { previewMessage } from '../../../src/messages/templates/preview';
import { rollbackSummary } from '../../../src/messages/templates/rollback-summary';
import { statusMessage, statusOverview } from '../../../src/messages/templates/status';
import { stepProgress } from '../../../src/messages/templates/step-progress';
import { verificationChecklist } from '../../../src/messages/templates/verification-checklist';
import { ACTORS, T0, checkResult, makeRecord, verificationOf } from '../../support/record-factory';

const now = T0 + 60_000;

function everyMessage(record: RollbackRecord): Message[] {
  return [
    notificationHeader(record, { now }),
    previewMessage(record),
    previewMessage(record, { dryRun: true }),
    approvalRequest(record),
    decisionNotice(record, { kind: 'rejected', actor: ACTORS.lead, reason: record.reason ?? 'no' }),
    ...STEP_NAMES.map((step) => stepProgress(record, step)),
    verificationChecklist(record),
    rollbackSummary(record),
    failureSummary(record),
    statusMessage(record, { now }),
    statusOverview([record], { now }),
    historyMessage([record], { limit: 10 }),
  ];
}

/** Sizes no renderer should ever have to cut hard. */
function expectSane(message: Message): void {
  expect(message.title.length).toBeLessThanOrEqual(150);
  expect(message.fallback.length).toBeLessThanOrEqual(300);
  expect((message.text ?? '').length).toBeLessThanOrEqual(1000);
  for (const field of message.fields) expect(field.value.length).toBeLessThanOrEqual(1000);
  for (const section of message.sections) {
    expect((section.text ?? '').length).toBeLessThanOrEqual(1000);
    expect((section.checklist ?? []).length).toBeLessThanOrEqual(25);
  }
  expect(message.buttons.length).toBeLessThanOrEqual(5);
  expect(JSON.stringify(message).length).toBeLessThan(12_000);
}

describe('record factory', () => {
  it.each(ROLLBACK_STATES)('builds a valid %s record', (state) => {
    const record = makeRecord({ state });
    expect(RollbackRecord.parse(record)).toEqual(record);
    expect(record.state).toBe(state);
  });
});

describe('every template, every state', () => {
  it.each(ROLLBACK_STATES)('%s: every message parses and is sane', (state) => {
    for (const message of everyMessage(makeRecord({ state }))) {
      expect(Message.parse(message)).toEqual(message);
      expectSane(message);
    }
  });
});

describe('long inputs', () => {
  const long = 'The checkout page returns 500 for every card payment since the deploy. '.repeat(30).slice(0, 2000);
  const huge = makeRecord({
    state: 'failed',
    service: 's'.repeat(100),
    environment: 'e'.repeat(100),
    reason: long,
    trigger: { kind: 'alert', source: 'alertmanager', evidence: Array.from({ length: 40 }, (_, i) => `label_${i}=${'v'.repeat(400)}`) },
    verification: verificationOf(Array.from({ length: 30 }, (_, i) => checkResult({ name: `check ${i} ${'n'.repeat(300)}`, status: i % 7 === 0 ? 'fail' : 'pass', measured: 'm'.repeat(500), threshold: 't'.repeat(500) }))),
    outcome: { code: 'verification_failed', message: long, stoppedAt: 'verify', providerChanged: true, nextSteps: Array.from({ length: 30 }, () => long) },
    escalation: long,
    preview: { commits: Array.from({ length: 200 }, () => long), config: [long], migrations: Array.from({ length: 20 }, (_, i) => ({ id: `m${i}${'x'.repeat(200)}`, irreversible: true })), notes: [long, long] },
    postmortem: { impact: long, rootCause: long, prevention: long, by: ACTORS.lead, at: T0 },
  });

  it('2,000-character reasons, 30 checks, 40 evidence lines: every message is trimmed, not exploding', () => {
    for (const message of everyMessage(huge)) {
      expect(Message.parse(message)).toEqual(message);
      expectSane(message);
    }
  });

  it('a 2,000-character reason is cut in the header with an ellipsis', () => {
    const reason = notificationHeader(huge, { now }).fields.find((f) => f.label === 'Reason')!.value;
    expect(reason.length).toBeLessThanOrEqual(300);
    expect(reason.endsWith('…')).toBe(true);
  });

  it('40 evidence lines of 400 characters: whole lines kept, the rest counted', () => {
    const evidence = notificationHeader(huge, { now }).sections.find((s) => s.heading?.startsWith('Evidence'))!;
    const lines = evidence.text!.split('\n');
    expect(lines.at(-1)).toBe(`… and ${40 - (lines.length - 1)} more`);
    expect(lines[0]).toMatch(/^label_0=v+…$/);
  });

  it('20 irreversible migrations: all counted in the danger warning', () => {
    const danger = previewMessage(huge).sections[0]!;
    expect(danger.heading).toBe('DANGER: 20 irreversible database migrations');
    expect(danger.text).toContain('… and 15 more');
  });

  it('50 history rows stay within bounds', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ ...huge, id: `rb_${i}`, timings: { ...huge.timings, requestedAt: T0 + i } }));
    const message = historyMessage(records, { limit: 50 });
    expectSane(message);
    expect(message.sections.flatMap((s) => s.text!.split('\n'))).toHaveLength(21);
  });
});
