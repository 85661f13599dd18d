import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { historyMessage } from '../../../src/messages/templates/history';
import { ACTORS, MINUTE, T0, makeRecord } from '../../support/record-factory';

describe('historyMessage', () => {
  it('says when there is no history yet', () => {
    expect(historyMessage([], { service: 'checkout-api', limit: 10 }).title).toBe('No rollbacks recorded for checkout-api yet.');
  });

  it('is a table in the runbook format, newest first', () => {
    const older = makeRecord({ state: 'succeeded', postmortem: { rootCause: 'pricing divide by zero', by: ACTORS.lead, at: T0 } });
    const newer = makeRecord({
      state: 'failed',
      requester: ACTORS.rewind,
      trigger: { kind: 'auto', source: 'health-monitor', evidence: ['3 consecutive failures'] },
      timings: { requestedAt: T0 + 24 * 60 * MINUTE, finishedAt: T0 + 24 * 60 * MINUTE + 36_000 },
    });
    const message = Message.parse(historyMessage([older, newer], { service: 'checkout-api', limit: 10 }));
    expect(message.kind).toBe('history');
    expect(message.sections[0]!.heading).toBe('Date | Time (UTC) | Trigger | Method | Duration | Root cause | Outcome');
    expect(message.sections[0]!.text!.split('\n')).toEqual([
      '2026-11-24 | 09:45 | auto: health probe | blue/green switch 2.4.1 → 2.4.0 | 36 s | — | Failed',
      '2026-11-23 | 09:45 | manual (slack: steve) | blue/green switch 2.4.1 → 2.4.0 | 38 s | pricing divide by zero | Succeeded',
    ]);
    expect(renderPlainText(message)).toContain('Outcomes: 1 failed, 1 succeeded');
  });

  it('adds the service column when the table spans services', () => {
    const message = historyMessage([makeRecord({ state: 'succeeded', service: 'payments' })], { limit: 10 });
    expect(message.sections[0]!.heading).toMatch(/^Service \| Date/);
    expect(message.sections[0]!.text).toMatch(/^payments \(production\) \| 2026-11-23/);
  });

  it('50 rows: shows 20, counts the rest, and keeps each section small', () => {
    const records = Array.from({ length: 50 }, (_, i) =>
      makeRecord({ state: 'succeeded', id: `rb_${String(i).padStart(26, '0')}`, timings: { requestedAt: T0 + i * MINUTE, finishedAt: T0 + i * MINUTE + 30_000 }, postmortem: { rootCause: 'r'.repeat(3000), by: ACTORS.lead, at: T0 } }),
    );
    const message = Message.parse(historyMessage(records, { service: 'checkout-api', limit: 50 }));
    const rows = message.sections.flatMap((s) => s.text!.split('\n'));
    expect(rows).toHaveLength(21);
    expect(rows[0]).toMatch(/^2026-11-23 \| 10:34 \|/);
    expect(rows.at(-1)).toBe('… and 30 more');
    for (const section of message.sections) expect(section.text!.length).toBeLessThanOrEqual(1000);
    expect(message.title).toBe('Rollback history: checkout-api (last 20 rollbacks)');
  });
});
