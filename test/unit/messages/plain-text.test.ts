import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';

describe('renderPlainText', () => {
  it('renders every part in reading order with a mark per checklist status', () => {
    const message = Message.parse({
      kind: 'verification',
      tone: 'warning',
      title: 'Verification inconclusive',
      text: 'Some checks had no data.',
      fields: [{ label: 'Release', value: '2.4.1 → 2.4.0' }],
      sections: [
        {
          heading: 'Checks',
          checklist: [
            { label: 'health', status: 'pass', detail: '200' },
            { label: 'error rate', status: 'inconclusive', detail: 'no data' },
            { label: 'version', status: 'fail' },
            { label: 'later', status: 'pending' },
            { label: 'now', status: 'running' },
          ],
        },
      ],
      buttons: [
        { action: 'accept_verification', label: 'Accept result', style: 'primary', value: 'rb_1' },
        { action: 'fail_verification', label: 'Mark failed', style: 'danger', value: 'rb_1' },
      ],
      footer: ['Rollback rb_1', 'Requested 2026-11-23 09:45:12 UTC'],
      fallback: 'Verification inconclusive',
    });
    const text = renderPlainText(message);
    expect(text.split('\n')).toEqual([
      'Verification inconclusive',
      'Some checks had no data.',
      '',
      'Release: 2.4.1 → 2.4.0',
      '',
      'Checks',
      '  ✔ health — 200',
      '  ? error rate — no data',
      '  ✖ version',
      '  ○ later',
      '  … now',
      '',
      '[Accept result] [Mark failed]',
      '',
      'Rollback rb_1 · Requested 2026-11-23 09:45:12 UTC',
    ]);
  });

  it('renders a bare message as its title', () => {
    expect(renderPlainText(Message.parse({ kind: 'notice', tone: 'info', title: 'Hello', fallback: 'Hello' }))).toBe('Hello');
  });
});
