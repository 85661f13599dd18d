import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { decisionNotice, type DecisionNotice } from '../../../src/messages/templates/decision-notice';
import { ACTORS, APPROVAL_POLICY, T0, makeRecord } from '../../support/record-factory';

describe('decisionNotice', () => {
  const twoPerson = makeRecord({ policy: { ...APPROVAL_POLICY, required: 2 }, approvals: [{ actor: ACTORS.lead, at: T0 + 1000 }] });

  it('counts approvals toward the requirement', () => {
    expect(decisionNotice(twoPerson, { kind: 'approval_recorded', actor: ACTORS.lead }).title).toBe('1 of 2 approvals from Lead; 1 more needed');
  });

  it('says who approved, rejected, cancelled, aborted and decided verification', () => {
    const queued = makeRecord({ state: 'queued', policy: APPROVAL_POLICY, approvals: [{ actor: ACTORS.lead, at: T0 + 1000 }] });
    expect(decisionNotice(queued, { kind: 'approved', actor: ACTORS.lead }).title).toBe('Approved by Lead: starting the rollback');
    const rejected = decisionNotice(makeRecord({ state: 'rejected' }), { kind: 'rejected', actor: ACTORS.lead, reason: 'fix forward' });
    expect(rejected.title).toBe('Rejected by Lead');
    expect(rejected.text).toContain('Reason: fix forward');
    expect(rejected.text).toContain('Nothing was changed.');
    expect(decisionNotice(makeRecord({ state: 'cancelled' }), { kind: 'cancelled', actor: ACTORS.steve }).text).toBe('Nothing was changed on the provider.');
    expect(decisionNotice(makeRecord({ state: 'running' }), { kind: 'abort_requested', actor: ACTORS.ann }).title).toBe('Abort requested by Ann');
    expect(decisionNotice(makeRecord({ state: 'verifying' }), { kind: 'verification_accepted', actor: ACTORS.lead }).title).toContain('accepted by Lead');
    expect(decisionNotice(makeRecord({ state: 'failed' }), { kind: 'verification_failed', actor: ACTORS.lead }).tone).toBe('danger');
    expect(decisionNotice(makeRecord({ state: 'verifying' }), { kind: 'verification_retry', actor: ACTORS.lead }).text).toMatch(/not switched again/);
  });

  it('says an expired request collected what it collected and changed nothing', () => {
    const message = decisionNotice(makeRecord({ state: 'expired', policy: { ...APPROVAL_POLICY, required: 2 }, approvals: [{ actor: ACTORS.lead, at: T0 + 1000 }] }), { kind: 'expired' });
    expect(message.title).toBe('Approval request expired after 15 min');
    expect(message.text).toContain('1 of 2: Lead');
    expect(message.text).toContain('Nothing was changed');
  });

  it('explains a resumed step', () => {
    const message = decisionNotice(makeRecord({ state: 'running' }), { kind: 'resumed', step: 'rollback', attempt: 2 });
    expect(message.title).toBe('Resumed Roll back (step 3 of 6), attempt 2');
    expect(message.text).toMatch(/worker was lost/);
  });

  it('quotes the updated root cause', () => {
    const record = makeRecord({ state: 'succeeded', postmortem: { rootCause: 'bad cache key', by: ACTORS.lead, at: T0 } });
    expect(renderPlainText(decisionNotice(record, { kind: 'postmortem_updated', actor: ACTORS.lead }))).toContain('Root cause: bad cache key');
  });

  it('every notice is a valid one-line-titled notice', () => {
    const notices: DecisionNotice[] = [
      { kind: 'approval_recorded', actor: ACTORS.lead },
      { kind: 'approved', actor: ACTORS.lead },
      { kind: 'rejected', actor: ACTORS.lead, reason: 'x\n'.repeat(1500) },
      { kind: 'expired' },
      { kind: 'cancelled', actor: ACTORS.steve, reason: 'oops' },
      { kind: 'abort_requested', actor: ACTORS.steve },
      { kind: 'verification_accepted', actor: ACTORS.lead },
      { kind: 'verification_failed', actor: ACTORS.lead },
      { kind: 'verification_retry', actor: ACTORS.lead },
      { kind: 'resumed', step: 'verify', attempt: 3 },
      { kind: 'postmortem_updated', actor: ACTORS.lead },
    ];
    for (const notice of notices) {
      const message = Message.parse(decisionNotice(twoPerson, notice));
      expect(message.kind).toBe('notice');
      expect(message.title).not.toContain('\n');
      expect((message.text ?? '').length).toBeLessThanOrEqual(1000);
    }
  });
});
