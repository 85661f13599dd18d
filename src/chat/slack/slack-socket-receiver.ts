/**
 * Bolt's Receiver for Socket Mode. Bolt's own SocketModeReceiver cannot be pointed at another Web
 * API base, so this one wraps SocketModeClient directly and honours SLACK_API_URL (tests, proxies).
 */
import type { App, Receiver } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import { SocketModeClient } from '@slack/socket-mode';

export class SlackSocketReceiver implements Receiver {
  private app: App | undefined;
  private readonly client: SocketModeClient;

  constructor(options: { appToken: string; apiUrl: string; logger: SlackLogger }) {
    this.client = new SocketModeClient({ appToken: options.appToken, logger: options.logger, clientOptions: { slackApiUrl: options.apiUrl } });
    this.client.on('slack_event', async (args: { body: Record<string, unknown>; ack: (response?: unknown) => Promise<void>; retry_num?: number; retry_reason?: string }) => {
      let acked = false;
      const ack = async (response?: unknown) => {
        if (acked) return;
        acked = true;
        await args.ack(response);
      };
      try {
        await this.app?.processEvent({
          body: args.body,
          ack,
          ...(args.retry_num !== undefined ? { retryNum: args.retry_num } : {}),
          ...(args.retry_reason !== undefined ? { retryReason: args.retry_reason } : {}),
        });
      } catch (error) {
        options.logger.error(`Slack listener failed: ${error instanceof Error ? error.message : String(error)}`);
        await ack();
      }
    });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }
}
