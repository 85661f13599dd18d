import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { rollbackSummary } from '../../../src/messages/templates/rollback-summary';
import { ACTORS, MINUTE, SECOND, T0, checkResult, makeRecord, verificationOf, without } from '../../support/record-factory';

const field = (message: Message, label: string) => message.fields.find((f) => f.label === label)?.value;

describe('rollbackSummary', () => {
  const done = makeRecord({ state: 'succeeded' });

  it('reports environment, release, duration, severity, trigger, verification and status', () => {
    const message = Message.parse(rollbackSummary(done));
    expect(message).toMatchObject({ kind: 'summary', tone: 'success', title: 'Rollback completed: checkout-api (production) is on 2.4.0' });
    expect(Object.fromEntries(message.fields.map((f) => [f.label, f.value]))).toEqual({
      Environment: 'production (blue)',
      Release: '2.4.1 → 2.4.0 (blue)',
      Duration: '38 s',
      RTO: 'target 2 min — met in 38 s',
      Severity: 'Critical',
      Trigger: 'manual (slack: steve)',
      Verification: '3 passed',
      Status: 'Stable and monitoring',
    });
    expect(message.buttons).toEqual([{ action: 'root_cause', label: 'Add root cause', style: 'secondary', value: done.id }]);
  });

  it('RTO met: the target and the time it took', () => {
    expect(field(rollbackSummary(done), 'RTO')).toBe('target 2 min — met in 38 s');
    expect(rollbackSummary(done).text).toContain('RTO met');
  });

  it('RTO missed: by how much', () => {
    const slow = makeRecord({ state: 'succeeded', timings: { requestedAt: T0, queuedAt: T0 + 90 * SECOND, startedAt: T0 + 95 * SECOND, finishedAt: T0 + 3 * MINUTE + 2 * SECOND } });
    const message = rollbackSummary(slow);
    expect(field(message, 'RTO')).toBe('target 2 min — missed by 1 min 02 s');
    expect(message.text).toContain('RTO missed');
    expect(message.fallback).toContain('RTO missed');
  });

  it('no RTO line without a target', () => {
    expect(field(rollbackSummary(without(done, 'rtoMs')), 'RTO')).toBeUndefined();
  });

  it('breaks the time down: queue wait, each step, verification', () => {
    const breakdown = rollbackSummary(done).sections.find((s) => s.heading === 'Breakdown')!.text!.split('\n');
    expect(breakdown).toEqual([
      'Queue wait: 200 ms',
      'Pre-rollback check: 300 ms',
      'Capture current state: 300 ms',
      'Roll back: 2 s',
      'Wait until live: 3 s',
      'Verify: 30 s',
      'Summarize: 2 s',
      'Verification checks: 30 s',
    ]);
  });

  it('includes the approval wait when approval was required', () => {
    const approved = makeRecord({
      state: 'succeeded',
      policy: { decision: 'await_approval', required: 1, approvers: { slack: ['U0LEAD'] }, selfApproval: false },
      approvals: [{ actor: ACTORS.lead, at: T0 + 4 * MINUTE }],
      timings: { requestedAt: T0, queuedAt: T0 + 4 * MINUTE, startedAt: T0 + 4 * MINUTE + 100, finishedAt: T0 + 5 * MINUTE },
    });
    expect(rollbackSummary(approved).sections.find((s) => s.heading === 'Breakdown')!.text).toContain('Approval wait: 4 min');
  });

  it('asks for the postmortem until it is recorded, then shows it', () => {
    expect(renderPlainText(rollbackSummary(done))).toContain('Not recorded yet — use Add root cause.');
    const recorded = makeRecord({
      state: 'succeeded',
      postmortem: { impact: 'checkout failed for 4% of carts for 11 min', rootCause: 'pricing engine v2 divides by zero', prevention: 'property tests on pricing', by: ACTORS.lead, at: T0 + 20 * MINUTE },
    });
    const text = renderPlainText(rollbackSummary(recorded));
    expect(text).toContain('Customer impact: checkout failed for 4% of carts for 11 min');
    expect(text).toContain('Root cause: pricing engine v2 divides by zero');
    expect(text).toContain('Prevention: property tests on pricing');
    expect(rollbackSummary(recorded).buttons[0]).toMatchObject({ action: 'root_cause', label: 'Edit root cause' });
  });

  it('says an accepted inconclusive verification is not a pass', () => {
    const accepted = makeRecord({
      state: 'succeeded',
      verification: verificationOf([checkResult(), checkResult({ name: 'error rate', status: 'inconclusive', measured: 'NaN', threshold: '< 0.01' })], {
        awaitingDecision: false,
        acceptedBy: { actor: ACTORS.lead, at: T0 + MINUTE },
      }),
    });
    expect(field(rollbackSummary(accepted), 'Verification')).toBe('1 passed · 1 inconclusive (inconclusive accepted by Lead)');
    expect(field(rollbackSummary(makeRecord({ state: 'succeeded', verification: verificationOf([]) })), 'Verification')).toMatch(/^not configured/);
  });
});
