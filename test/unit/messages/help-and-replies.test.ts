import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { helpMessage } from '../../../src/messages/templates/help';
import { errorReply, requestAccepted } from '../../../src/messages/templates/replies';
import { makeRecord } from '../../support/record-factory';

describe('helpMessage', () => {
  it('lists the /rollback grammar with examples', () => {
    const message = Message.parse(helpMessage());
    expect(message.kind).toBe('help');
    const text = renderPlainText(message);
    for (const form of ['--to <release>', '--severity critical|high|medium|low', '--reason', '--dry-run', '/rollback status', '/rollback history', '/rollback releases', '/rollback cancel', '/rollback help']) {
      expect(text).toContain(form);
    }
    expect(message.sections.find((s) => s.heading === 'Examples')!.text!.split('\n')).toHaveLength(2);
  });
});

describe('replies', () => {
  it('errorReply says nothing changed and why', () => {
    const message = Message.parse(errorReply('Unknown service `chekout`. Did you mean `checkout-api`?'));
    expect(message).toMatchObject({ kind: 'notice', tone: 'warning', title: 'Nothing changed', text: 'Unknown service `chekout`. Did you mean `checkout-api`?' });
    expect(message.fallback).toContain('Did you mean');
  });

  it('requestAccepted gives the id, the state and where to follow', () => {
    const record = makeRecord();
    const message = Message.parse(requestAccepted(record));
    const text = renderPlainText(message);
    expect(text).toContain(record.id);
    expect(text).toContain('State: Waiting for approval');
    expect(text).toContain('slack `C0INCIDENT`');
    expect(text).toMatch(/Waiting for 1 approval/);
  });
});
