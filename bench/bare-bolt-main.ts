/**
 * The baseline for the Slack ack bench: a bare Bolt app of the same version on its own HTTP
 * receiver, whose /rollback handler only acks. Prints its URL on stdout when it listens.
 */
import { App, LogLevel } from '@slack/bolt';

void (async () => {
  // Bot ids given, so no auth.test is ever called: the baseline does nothing but verify and ack.
  const app = new App({
    token: process.env['SLACK_BOT_TOKEN'],
    signingSecret: process.env['SLACK_SIGNING_SECRET']!,
    tokenVerificationEnabled: false,
    botId: 'B0BENCH',
    botUserId: 'U0BENCHBOT',
    clientOptions: { slackApiUrl: process.env['SLACK_API_URL'] ?? 'https://slack.com/api/' },
    logLevel: LogLevel.ERROR,
    endpoints: '/slack/events',
  });
  app.command('/rollback', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as { address(): { port: number } };
  process.stdout.write(`bare bolt listening on http://127.0.0.1:${server.address().port}\n`);
})();
