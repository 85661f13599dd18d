import { Message } from '../../../src/domain/message';
import { unknownRelease } from '../../../src/domain/release';
import { renderPlainText } from '../../../src/messages/plain-text';
import { releasesMessage } from '../../../src/messages/templates/releases';
import { RELEASES } from '../../support/record-factory';

describe('releasesMessage', () => {
  it('marks the current release and offers a rollback to each other one', () => {
    const message = Message.parse(releasesMessage('checkout-api', 'production', RELEASES.bad, [RELEASES.bad, RELEASES.good]));
    expect(message.kind).toBe('releases');
    expect(renderPlainText(message)).toContain('▶ 2.4.1 (green) · CURRENT · deployed 2026-11-23 09:30:00 UTC');
    expect(message.buttons).toEqual([{ action: 'rollback_to', label: 'Roll back to 2.4.0', style: 'secondary', value: 'checkout-api|production|2.4.0' }]);
  });

  it('at most five buttons, never one for the current release', () => {
    const releases = Array.from({ length: 12 }, (_, i) => ({ id: `d${i}`, version: `2.${12 - i}.0` }));
    const message = Message.parse(releasesMessage('checkout-api', 'production', releases[0]!, releases));
    expect(message.buttons).toHaveLength(5);
    expect(message.buttons.map((b) => b.value)).not.toContain('checkout-api|production|2.12.0');
    expect(renderPlainText(message)).toContain('… and 2 more');
  });

  it('lists the current release even when the provider left it out', () => {
    const message = releasesMessage('checkout-api', 'production', RELEASES.bad, [RELEASES.good]);
    expect(message.sections[0]!.text!.split('\n')[0]).toContain('2.4.1 (green) · CURRENT');
  });

  it('shows a side whose release is unknown with why and what to type, and never as a button', () => {
    const blue = unknownRelease('blue', 'the status has no deploymentHistory entry for blue', 'idle');
    const message = Message.parse(releasesMessage('checkout-api', 'production', RELEASES.bad, [RELEASES.bad, blue, RELEASES.good]));
    expect(renderPlainText(message)).toContain('• blue (release unknown) · idle · the status has no deploymentHistory entry for blue · only on request: --to blue');
    expect(message.buttons.map((b) => b.value)).toEqual(['checkout-api|production|2.4.0']);
  });
});
