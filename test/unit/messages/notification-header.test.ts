import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { notificationHeader } from '../../../src/messages/templates/notification-header';
import { ACTORS, APPROVAL_POLICY, MINUTE, T0, checkResult, makeRecord, stepsUpTo, verificationOf, withSteps, without } from '../../support/record-factory';
import type { RollbackRecord } from '../../../src/domain/rollback-record';

const now = T0 + MINUTE;
const header = (record: RollbackRecord) => Message.parse(notificationHeader(record, { now }));
const actions = (record: RollbackRecord) => header(record).buttons.map((b) => b.action);
const field = (message: Message, label: string) => message.fields.find((f) => f.label === label)?.value;

describe('notificationHeader', () => {
  it('names service, environment and state, with the release, severity, reason, requester, status and approvals', () => {
    const message = header(makeRecord({ policy: { ...APPROVAL_POLICY, required: 2 }, approvals: [{ actor: ACTORS.lead, at: T0 + 30_000 }] }));
    expect(message).toMatchObject({ kind: 'notification', title: 'Rollback of checkout-api (production): waiting for approval' });
    expect(Object.fromEntries(message.fields.map((f) => [f.label, f.value]))).toEqual({
      Release: '2.4.1 → 2.4.0 (blue)',
      Severity: 'High',
      Reason: 'checkout 500s since 2.4.1',
      'Requested by': 'steve (manual, slack)',
      Status: 'Waiting for approval',
      Approvals: '1 of 2: Lead',
      'RTO target': '15 min',
    });
    expect(message.fallback).toContain('checkout-api');
  });

  it('titles a drill as a drill, so nobody scanning the channel takes it for an incident', () => {
    const drill = header(makeRecord({ state: 'running', trigger: { kind: 'drill', source: 'slack', evidence: [] } }));
    expect(drill.title).toMatch(/^DRILL — practice rollback of checkout-api \(production\): /);
    expect(header(makeRecord({ state: 'running' })).title).toMatch(/^Rollback of checkout-api/);
  });

  it('says the target is still to be resolved when the provider could not tell', () => {
    expect(field(header(without(makeRecord(), 'to')), 'Release')).toBe('2.4.1 (green) → to be resolved: last stable');
  });

  it('shows the rollback id, the request time and, while pending, the expiry', () => {
    const pending = header(makeRecord());
    expect(pending.footer).toEqual(['Rollback rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7', 'Requested 2026-11-23 09:45:12 UTC', 'Expires 2026-11-23 10:00:12 UTC (in 14 min)']);
    expect(header(makeRecord({ state: 'running' })).footer.join(' ')).not.toMatch(/Expires/);
  });

  it.each<[RollbackRecord['state'], string]>([
    ['pending_approval', 'warning'],
    ['queued', 'progress'],
    ['running', 'progress'],
    ['verifying', 'progress'],
    ['succeeded', 'success'],
    ['failed', 'danger'],
    ['rejected', 'info'],
    ['expired', 'info'],
    ['cancelled', 'info'],
  ])('%s has tone %s', (state, tone) => {
    expect(header(makeRecord({ state })).tone).toBe(tone);
  });

  describe('buttons by state', () => {
    it('pending approval: Approve, Reject, Cancel with the rollback id as value', () => {
      const message = header(makeRecord());
      expect(message.buttons).toEqual([
        { action: 'approve', label: 'Approve', style: 'primary', value: message.footer[0]!.replace('Rollback ', '') },
        { action: 'reject', label: 'Reject', style: 'danger', value: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7' },
        { action: 'cancel', label: 'Cancel', style: 'secondary', value: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7' },
      ]);
    });

    it('queued, or running before the rollback step: Cancel only', () => {
      expect(actions(makeRecord({ state: 'queued' }))).toEqual(['cancel']);
      expect(actions(withSteps(makeRecord({ state: 'running' }), stepsUpTo('capture', 'running')))).toEqual(['cancel']);
    });

    it('running once the rollback step started: Abort (danger), no Cancel', () => {
      const running = header(makeRecord({ state: 'running' }));
      expect(running.buttons).toEqual([expect.objectContaining({ action: 'abort', style: 'danger' })]);
      expect(actions(withSteps(makeRecord({ state: 'running' }), stepsUpTo('wait_live', 'running')))).toEqual(['abort']);
    });

    it('an abort already requested is shown in the status instead of a second Abort button', () => {
      const message = header(makeRecord({ state: 'running', abort: { actor: ACTORS.lead, at: T0 + 3000 } }));
      expect(message.buttons).toEqual([]);
      expect(field(message, 'Status')).toContain('abort requested by Lead');
    });

    it('verifying: Abort, or the three decisions while an inconclusive result waits', () => {
      expect(actions(makeRecord({ state: 'verifying' }))).toEqual(['abort']);
      const waiting = makeRecord({
        state: 'verifying',
        verification: verificationOf([checkResult(), checkResult({ name: 'error rate', status: 'inconclusive', measured: 'no data', threshold: '< 0.01' })]),
      });
      expect(header(waiting).buttons.map((b) => [b.action, b.label, b.style])).toEqual([
        ['accept_verification', 'Accept result', 'primary'],
        ['retry_verification', 'Retry verification', 'secondary'],
        ['fail_verification', 'Mark failed', 'danger'],
      ]);
      expect(field(header(waiting), 'Status')).toBe('Verifying — inconclusive, waiting for a decision');
    });

    it('succeeded: Add root cause', () => {
      expect(actions(makeRecord({ state: 'succeeded' }))).toEqual(['root_cause']);
    });

    it('failed at verification after the switch: Retry verification and Add root cause', () => {
      expect(actions(makeRecord({ state: 'failed' }))).toEqual(['retry_verification', 'root_cause']);
    });

    it('failed before the switch: no Retry verification', () => {
      const failed = makeRecord({
        state: 'failed',
        steps: withSteps(makeRecord({ state: 'running' }), stepsUpTo('rollback', 'failed')).steps,
        outcome: { code: 'provider', message: 'The provider refused: 409 conflict.', stoppedAt: 'rollback', providerChanged: false, nextSteps: [] },
      });
      expect(actions(failed)).toEqual(['root_cause']);
    });

    it('rejected, expired and cancelled: no buttons', () => {
      for (const state of ['rejected', 'expired', 'cancelled'] as const) expect(actions(makeRecord({ state }))).toEqual([]);
    });
  });

  it('shows the current step while running', () => {
    expect(field(header(makeRecord({ state: 'running' })), 'Status')).toBe('Rolling back — step 3 of 6: Roll back');
  });

  it('says who rejected and why, and that nothing changed', () => {
    const message = header(makeRecord({ state: 'rejected' }));
    expect(message.title).toMatch(/rejected$/);
    expect(message.text).toBe('Rejected by Lead: fix forward instead: patch is ready. Nothing was changed.');
  });

  it('shows the evidence of automatic triggers', () => {
    const record = makeRecord({
      state: 'queued',
      requester: ACTORS.rewind,
      trigger: { kind: 'alert', source: 'alertmanager', evidence: ['alertname=HighErrorRate', 'error ratio 0.12 > 0.05 for 2m', 'instance=checkout-7f9'] },
    });
    const text = renderPlainText(header(record));
    expect(text).toContain('Evidence (alert: HighErrorRate)');
    expect(text).toContain('error ratio 0.12 > 0.05 for 2m');
    expect(field(header(record), 'Requested by')).toBe('Rewind (alert, alertmanager)');
    expect(header(makeRecord()).sections).toEqual([]);
  });

  it('names an aborted rollback as aborted', () => {
    const aborted = makeRecord({ state: 'cancelled', outcome: { code: 'aborted', message: 'Aborted by Lead before wait live.', stoppedAt: 'wait_live', providerChanged: true, nextSteps: [] } });
    expect(header(aborted).title).toBe('Rollback of checkout-api (production): aborted');
    expect(header(aborted).text).toBe('Aborted by Lead before wait live.');
  });
});
