import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { verificationChecklist } from '../../../src/messages/templates/verification-checklist';
import { ACTORS, T0, checkResult, makeRecord, verificationOf } from '../../support/record-factory';

const inconclusive = checkResult({ name: 'error rate', type: 'prometheus', status: 'inconclusive', measured: 'empty result', threshold: '< 0.01' });

describe('verificationChecklist', () => {
  it('passed: one item per check with measured and threshold', () => {
    const message = Message.parse(verificationChecklist(makeRecord({ state: 'succeeded' })));
    expect(message).toMatchObject({ kind: 'verification', tone: 'success', title: 'Verification passed (3/3)' });
    const items = message.sections[0]!.checklist!;
    expect(items.map((i) => [i.label, i.status])).toEqual([
      ['health', 'pass'],
      ['live version', 'pass'],
      ['error rate', 'pass'],
    ]);
    expect(items[0]!.detail).toBe('measured 200 in 12 ms, health = healthy · threshold status 200, health = healthy');
    expect(message.buttons).toEqual([]);
  });

  it('failed: counts the failures', () => {
    const message = verificationChecklist(makeRecord({ state: 'failed' }));
    expect(message).toMatchObject({ tone: 'danger', title: 'Verification failed: 1 of 3 checks' });
    expect(message.sections[0]!.checklist![0]).toMatchObject({ label: 'health', status: 'fail' });
  });

  it('inconclusive: never shown as passed, and asks for a decision with three buttons', () => {
    const record = makeRecord({ state: 'verifying', verification: verificationOf([checkResult(), inconclusive]) });
    const message = Message.parse(verificationChecklist(record));
    expect(message.title).toBe('Verification inconclusive — accept, retry or mark failed');
    expect(message.tone).toBe('warning');
    expect(message.title).not.toMatch(/passed/);
    expect(message.sections[0]!.checklist!.find((i) => i.label === 'error rate')!.status).toBe('inconclusive');
    expect(message.buttons.map((b) => b.action)).toEqual(['accept_verification', 'retry_verification', 'fail_verification']);
    expect(renderPlainText(message)).toContain('? error rate');
  });

  it('inconclusive and accepted: says who accepted, no buttons', () => {
    const record = makeRecord({
      state: 'succeeded',
      verification: verificationOf([checkResult(), inconclusive], { awaitingDecision: false, acceptedBy: { actor: ACTORS.lead, at: T0 + 60_000 } }),
    });
    const message = verificationChecklist(record);
    expect(message.title).toBe('Verification inconclusive — accepted by Lead');
    expect(message.buttons).toEqual([]);
    expect(message.sections[0]!.checklist!.find((i) => i.label === 'error rate')!.status).toBe('inconclusive');
  });

  it('unverified: warns that recovery cannot be confirmed', () => {
    const message = verificationChecklist(makeRecord({ state: 'succeeded', verification: verificationOf([]) }));
    expect(message).toMatchObject({ tone: 'warning', title: 'No verification configured: Rewind cannot confirm recovery' });
  });

  it('30 checks: trimmed to a readable list with failures first and the rest counted', () => {
    const results = [...Array.from({ length: 29 }, (_, i) => checkResult({ name: `probe ${i}` })), checkResult({ name: 'the broken one', status: 'fail', measured: '503' })];
    const message = Message.parse(verificationChecklist(makeRecord({ state: 'failed', verification: verificationOf(results) })));
    const section = message.sections[0]!;
    expect(section.checklist!.length).toBeLessThanOrEqual(25);
    expect(section.checklist![0]).toMatchObject({ label: 'the broken one', status: 'fail' });
    expect(section.text).toBe('… and 6 more: 6 passed');
    expect(message.title).toBe('Verification failed: 1 of 30 checks');
  });

  it('a record without verification yet says so', () => {
    expect(verificationChecklist(makeRecord({ state: 'verifying' })).title).toBe('Verification has not run yet');
  });
});
