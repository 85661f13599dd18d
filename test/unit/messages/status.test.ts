import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { statusMessage, statusOverview } from '../../../src/messages/templates/status';
import { MINUTE, T0, makeRecord } from '../../support/record-factory';

describe('statusMessage', () => {
  it('is the header without buttons, plus every step with its status and timing', () => {
    const message = Message.parse(statusMessage(makeRecord({ state: 'running' }), { now: T0 + MINUTE }));
    expect(message.kind).toBe('status');
    expect(message.title).toBe('Rollback of checkout-api (production): rolling back');
    expect(message.buttons).toEqual([]);
    const steps = message.sections.find((s) => s.heading === 'Steps')!.checklist!;
    expect(steps.map((s) => s.status)).toEqual(['pass', 'pass', 'running', 'pending', 'pending', 'pending']);
    expect(steps[0]).toMatchObject({ label: 'Pre-rollback check (step 1 of 6)', detail: 'succeeded in 300 ms' });
    expect(steps[2]!.detail).toBe('running for 59 s');
  });
});

describe('statusOverview', () => {
  it('says when nothing is in progress', () => {
    expect(Message.parse(statusOverview([], { now: T0 })).title).toBe('No rollback in progress.');
  });

  it('lists active rollbacks one line each, newest first', () => {
    const older = makeRecord({ state: 'running', service: 'payments' });
    const newer = makeRecord({ timings: { requestedAt: T0 + MINUTE } });
    const message = Message.parse(statusOverview([older, newer], { now: T0 + 2 * MINUTE }));
    expect(message.title).toBe('Rollbacks in progress: 2');
    const lines = renderPlainText(message).split('\n').filter((l) => l.includes('rb_'));
    expect(lines[0]).toContain('checkout-api (production)');
    expect(lines[0]).toContain('Waiting for approval');
    expect(lines[1]).toContain('payments (production) · 2.4.1 → 2.4.0 (blue) · Rolling back — step 3 of 6: Roll back · for 2 min');
  });
});
