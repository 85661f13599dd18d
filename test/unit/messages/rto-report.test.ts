/** The RTO report as a chat message: the numbers a reader looks for, and the table by severity. */
import { Message } from '../../../src/domain/message';
import { rtoReport } from '../../../src/domain/rto-report';
import { renderPlainText } from '../../../src/messages/plain-text';
import { rtoReportMessage } from '../../../src/messages/templates/rto-report';
import { MINUTE, SECOND, T0, makeRecord, verificationOf } from '../../support/record-factory';

describe('rtoReportMessage', () => {
  it('says when there is nothing in the window', () => {
    expect(rtoReportMessage(rtoReport([]), { service: 'checkout-api', window: 'the last 30 days' }).title).toBe('RTO report: no rollbacks of checkout-api in the last 30 days.');
  });

  it('shows count, median, worst and RTO met %, overall and by severity', () => {
    const fast = makeRecord({ state: 'succeeded', id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5A1', timings: { requestedAt: T0, verifiedAt: T0 + 40 * SECOND, finishedAt: T0 + 41 * SECOND } });
    const slow = makeRecord({ state: 'succeeded', id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5A2', timings: { requestedAt: T0, verifiedAt: T0 + 3 * MINUTE, finishedAt: T0 + 3 * MINUTE + SECOND } });
    const failed = makeRecord({ state: 'failed', id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5A3' });
    const unchecked = makeRecord({ state: 'succeeded', severity: 'high', id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5A4', verification: verificationOf([]) });
    const message = Message.parse(rtoReportMessage(rtoReport([fast, slow, failed, unchecked]), { service: 'checkout-api', window: 'the last 30 days' }));
    expect(message.title).toBe('RTO report: checkout-api, the last 30 days');
    expect(message.tone).toBe('warning');
    const text = renderPlainText(message);
    expect(text).toContain('Rollbacks: 4');
    expect(text).toContain('Median time to verified recovery: 1 min 50 s');
    expect(text).toContain('Worst: 3 min (rb_01KAQ4J3Z8M2N5P7R9T1V3X5A2)');
    expect(text).toContain('RTO met: 33.3% (1/3)');
    expect(message.sections[0]!.heading).toBe('Severity | Rollbacks | Recovered | Median | Worst | RTO met');
    expect(message.sections[0]!.text!.split('\n')).toEqual(['Critical | 3 | 2 | 1 min 50 s | 3 min | 33.3% (1/3)', 'High | 1 | 0 | — | — | —', 'All | 4 | 2 | 1 min 50 s | 3 min | 33.3% (1/3)']);
    expect(message.text).toContain('1 rollback had no checks configured');
    expect(message.text).toContain('1 failed rollback counted as RTO missed.');
  });
});
