/**
 * The one mention Rewind writes: the on-call the catalog names, in a message that addresses them.
 * Slack gets the group or user syntax in the text (what the notification shows) and under the title;
 * Discord gets it in `content` (embeds never ping) with allowed_mentions limited to exactly that role
 * or user. Every other message stays mention-free, and user text can still ping nobody.
 */
import { renderMessage, slackMention } from '../../../src/chat/slack/block-kit';
import { renderDiscordMessage } from '../../../src/chat/discord/embed-renderer';
import { Message } from '../../../src/domain/message';

const message = Message.parse({ kind: 'failure', tone: 'danger', title: 'Rollback failed: checkout-api (production)', text: 'reason: <!channel> @everyone', fallback: 'Rollback failed' });

describe('Slack', () => {
  it('writes a user group, a user or an enterprise user the way Slack parses them', () => {
    expect([slackMention('S0ONCALL'), slackMention('U0LEAD'), slackMention('W0ENT')]).toEqual(['<!subteam^S0ONCALL>', '<@U0LEAD>', '<@W0ENT>']);
  });

  it('puts the mention first in the notification text and right under the title', () => {
    const { text, blocks } = renderMessage(message, { mention: '<!subteam^S0ONCALL>' });
    expect(text).toBe('<!subteam^S0ONCALL> Rollback failed');
    expect(blocks[1]).toEqual({ type: 'section', block_id: 'mention', text: { type: 'mrkdwn', text: '<!subteam^S0ONCALL> (on call)' } });
    // The reason's own markup stays inert.
    expect(JSON.stringify(blocks)).toContain('&lt;!channel&gt;');
  });

  it('mentions nobody otherwise', () => {
    const { text, blocks } = renderMessage(message);
    expect(text).toBe('Rollback failed');
    expect(JSON.stringify(blocks)).not.toMatch(/<!subteam|<@|block_id":"mention/);
  });
});

describe('Discord', () => {
  it('pings exactly the on-call role or user, in content', () => {
    expect(renderDiscordMessage(message, { kind: 'role', id: '123456789012345678' })).toMatchObject({ content: '<@&123456789012345678> (on call)', allowed_mentions: { parse: [], roles: ['123456789012345678'] } });
    expect(renderDiscordMessage(message, { kind: 'user', id: '223456789012345678' })).toMatchObject({ content: '<@223456789012345678> (on call)', allowed_mentions: { parse: [], users: ['223456789012345678'] } });
  });

  it('allows no ping at all otherwise', () => {
    const body = renderDiscordMessage(message);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBeUndefined();
  });
});
