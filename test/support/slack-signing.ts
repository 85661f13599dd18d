/** Signs requests the way Slack does (v0 HMAC-SHA256 over "v0:ts:body") and posts them to Rewind. */
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'slack-signing-secret-for-tests';

export function slackSignature(body: string, timestampSeconds: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

export interface SignedPost {
  body: string;
  contentType?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  secret?: string;
  /** Send these headers instead of a valid signature. */
  headers?: Record<string, string>;
}

export async function postToSlackEndpoint(baseUrl: string, post: SignedPost): Promise<Response> {
  const timestamp = post.timestamp ?? Math.floor(Date.now() / 1000);
  const headers = post.headers ?? {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(post.body, timestamp, post.secret),
  };
  return fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': post.contentType ?? 'application/x-www-form-urlencoded', ...headers },
    body: post.body,
  });
}

/** A slash-command body like Slack's (see shared/fixtures/slack-slash-command.form). */
export function slashCommandForm(fields: { text: string; user_id: string; user_name?: string; channel_id?: string; trigger_id?: string; response_url?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: fields.channel_id ?? 'C0INCIDENT',
    channel_name: 'incident-42',
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: '/rollback',
    text: fields.text,
    api_app_id: 'A123456',
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? 'https://hooks.slack.com/commands/1234/5678',
    trigger_id: fields.trigger_id ?? `${Date.now()}.${Math.floor(Math.random() * 1e9)}.abcdef`,
  }).toString();
}

/** A block_actions payload like Slack's (see shared/fixtures/slack-block-actions.json), form-encoded. */
export function buttonClickForm(fields: { actionId: string; value: string; user_id: string; username?: string; response_url: string; message_ts: string; channel_id?: string; action_ts?: string }): string {
  const payload = {
    type: 'block_actions',
    user: { id: fields.user_id, username: fields.username ?? fields.user_id.toLowerCase(), name: fields.username ?? fields.user_id.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A123456',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: fields.message_ts, channel_id: fields.channel_id ?? 'C0INCIDENT', is_ephemeral: false },
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.abcdef`,
    team: { id: 'T0001', domain: 'example' },
    channel: { id: fields.channel_id ?? 'C0INCIDENT', name: 'incident-42' },
    message: { type: 'message', ts: fields.message_ts, text: 'Rollback' },
    state: { values: {} },
    response_url: fields.response_url,
    actions: [{ action_id: fields.actionId, block_id: 'actions', value: fields.value, type: 'button', action_ts: fields.action_ts ?? `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
