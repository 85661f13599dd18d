import { parseCatalog } from '../../../../src/config/load-catalog';
import { actionToOutcome, slashToOutcome } from '../../../../src/chat/slack/slack-interactions';
import type { BlockActionBody, SlashCommandBody } from '../../../../src/chat/slack/slack-payloads';
import { bluegreenCatalog } from '../../../support/harness';

const { catalog } = parseCatalog(bluegreenCatalog('http://127.0.0.1:9'), {});
const body = (text: string): SlashCommandBody => ({ command: '/rollback', text, user_id: 'U1', user_name: 'steve', channel_id: 'C1', trigger_id: 't-1', response_url: 'https://hooks.slack.com/x' });

describe('Slack slash commands become neutral commands', () => {
  it('turns a rollback into a request with the interaction id, resolving the default environment', () => {
    const outcome = slashToOutcome(body('checkout-api --severity critical --reason "500s after deploy"'), catalog);
    expect(outcome).toMatchObject({
      kind: 'enqueue',
      dedupeId: 'slack-cmd-t-1',
      command: {
        type: 'request',
        request: { service: 'checkout-api', environment: 'production', severity: 'critical', reason: '500s after deploy', requester: { platform: 'slack', id: 'U1', name: 'steve' }, origin: { channelId: 'C1', interactionId: 'slack-cmd-t-1' } },
        reply: { platform: 'slack', data: { responseUrl: 'https://hooks.slack.com/x', channelId: 'C1', userId: 'U1' } },
      },
    });
  });

  it('undoes Slack’s escaping of & < > before parsing', () => {
    const outcome = slashToOutcome(body('checkout-api --reason "5xx &gt; 10% &amp; rising"'), catalog);
    expect(outcome).toMatchObject({ command: { request: { reason: '5xx > 10% & rising' } } });
  });

  it('suggests a verb for a mistyped verb and a service for a mistyped service', () => {
    expect(() => slashToOutcome(body('histroy'), catalog)).toThrow('Or did you mean `/rollback history`?');
    expect(() => slashToOutcome(body('chekout-api'), catalog)).toThrow('Did you mean `checkout-api`?');
  });

  it('opens the form on an empty command and answers help at once', () => {
    expect(slashToOutcome(body(''), catalog)).toEqual({ kind: 'open_form' });
    expect(slashToOutcome(body('help'), catalog)).toEqual({ kind: 'help' });
  });

  it('maps buttons to commands and releases buttons to a request for that release', () => {
    const click = (actionId: string, value: string): BlockActionBody => ({
      type: 'block_actions',
      user: { id: 'U2', username: 'lead' },
      trigger_id: 'tr',
      actions: [{ action_id: actionId, value, action_ts: '1.5' }],
      container: { message_ts: '9.9', channel_id: 'C1' },
    });
    expect(actionToOutcome(click('rewind:approve', 'rb_X'))).toMatchObject({ kind: 'enqueue', command: { type: 'approve', rollbackId: 'rb_X', actor: { id: 'U2', name: 'lead' } } });
    expect(actionToOutcome(click('rewind:abort:2', 'rb_X'))).toMatchObject({ command: { type: 'abort' } });
    expect(actionToOutcome(click('rewind:root_cause', 'rb_X'))).toEqual({ kind: 'open_root_cause', rollbackId: 'rb_X' });
    expect(actionToOutcome(click('rewind:rollback_to', 'checkout-api|production|2.3.9'))).toMatchObject({
      command: { type: 'request', request: { service: 'checkout-api', environment: 'production', targetRelease: '2.3.9' } },
    });
    expect(actionToOutcome(click('something:else', 'x'))).toEqual({ kind: 'ignore' });
  });
});
