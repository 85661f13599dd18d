/** What each platform's click on a restore button becomes: a validated command, or nothing for a value that is not one. */
import { buttonClickToOutcome, type Click } from '../../../src/chat/button-click';
import { customIdFor, parseCustomId } from '../../../src/chat/discord/embed-renderer';
import { Command } from '../../../src/engine/commands';

const click: Click = { actor: { platform: 'discord', id: '111', name: 'lead' }, reply: { platform: 'discord', data: {} }, platform: 'discord', interactionId: 'i-1' };
const ID = 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7';

describe('restore buttons', () => {
  it('"Restore database" asks for a restore from the step named in its value', () => {
    const outcome = buttonClickToOutcome('restore', `${ID}|before.0`, click);
    expect(outcome).toEqual({ kind: 'enqueue', command: { type: 'restore', rollbackId: ID, step: 'before.0', actor: click.actor, reply: click.reply } });
    if (outcome.kind === 'enqueue') expect(Command.parse(outcome.command)).toMatchObject({ type: 'restore', step: 'before.0' });
  });

  it('approve and reject name the restore by number', () => {
    for (const action of ['approve_restore', 'reject_restore'] as const) {
      const outcome = buttonClickToOutcome(action, `${ID}|2`, click);
      expect(outcome).toMatchObject({ kind: 'enqueue', command: { type: action, rollbackId: ID, restore: 2 } });
    }
  });

  it('a value without its second part, or with a restore number that is not one, is ignored', () => {
    expect(buttonClickToOutcome('restore', ID, click)).toEqual({ kind: 'ignore' });
    expect(buttonClickToOutcome('approve_restore', `${ID}|0`, click)).toEqual({ kind: 'ignore' });
    expect(buttonClickToOutcome('reject_restore', `${ID}|two`, click)).toEqual({ kind: 'ignore' });
  });

  it('a step name that is not a plan step is dropped before it reaches the queue (Rewind never wrote that button)', () => {
    expect(buttonClickToOutcome('restore', `${ID}|drop table`, click)).toEqual({ kind: 'ignore' });
    expect(buttonClickToOutcome('rollback_to', 'checkout-api|production|', click)).toEqual({ kind: 'ignore' });
  });

  it('survives Discord, whose buttons carry the value in a custom id of at most 100 characters', () => {
    const id = customIdFor('approve_restore', `${ID}|12`);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseCustomId(id)).toEqual({ action: 'approve_restore', value: `${ID}|12` });
    expect(customIdFor('restore', `${ID}|before.9`).length).toBeLessThanOrEqual(100);
  });
});
