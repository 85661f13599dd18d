/**
 * Everything Slack for one process: for workers the sink, the replier and the user-group
 * directory; for ingress the Bolt app on Rewind's HTTP server (HTTP mode) or a Socket Mode connection.
 */
import { App } from '@slack/bolt';
import type { GroupDirectory } from '../../domain/approvers';
import type { ChatFront, ChatFrontDeps } from '../chat-front';
import { commsLookup } from '../../domain/comms-lookup';
import { SlackGroupDirectory } from './slack-groups';
import { SlackHttpReceiver } from './slack-http-receiver';
import { SlackSocketReceiver } from './slack-socket-receiver';
import { registerSlackListeners } from './slack-listeners';
import { slackLogger } from './slack-logger';
import { SlackReplier } from './slack-replier';
import { SLACK_TIMEOUT_MS, type SlackSettings } from './slack-settings';
import { SlackSink } from './slack-sink';
import { createSlackWebClient } from './slack-web-client';

export type SlackFront = ChatFront & { groups: GroupDirectory };

export async function createSlackFront(settings: SlackSettings, deps: ChatFrontDeps): Promise<SlackFront> {
  const client = createSlackWebClient(settings);
  const front: SlackFront = {
    platform: 'slack',
    sink: new SlackSink(client, deps.refs, deps.logger, deps.clock, commsLookup(deps.catalog)),
    replier: new SlackReplier(client, deps.refs),
    groups: new SlackGroupDirectory(client, deps.clock, deps.logger),
    routes: [],
    stop: async () => undefined,
  };
  if (!deps.ingress) return front;

  const logger = slackLogger(deps.logger);
  const clientOptions = { slackApiUrl: settings.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: settings.timeoutMs ?? SLACK_TIMEOUT_MS };
  const httpReceiver = settings.mode === 'http' ? new SlackHttpReceiver(settings.signingSecret!, deps.clock, deps.logger) : undefined;
  const receiver = httpReceiver ?? new SlackSocketReceiver({ appToken: settings.appToken!, apiUrl: settings.apiUrl, logger });
  // One auth.test at start-up (token verification stays on); Bolt then reuses the result for every request.
  const app = new App({ token: settings.botToken, receiver, logger, clientOptions, deferInitialization: true });
  registerSlackListeners(app, deps);
  await app.init();
  if (httpReceiver) front.routes.push(httpReceiver.route());
  else await app.start();
  front.stop = async () => {
    if (!httpReceiver) await app.stop();
  };
  return front;
}
