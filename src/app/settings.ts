/**
 * Everything Rewind reads from its environment, parsed once at start into one typed object that
 * main and the fronts receive. Every problem is reported together, so one restart fixes them all.
 */
import { discordSettingsFromEnv, type DiscordSettings } from '../chat/discord/discord-settings';
import { slackSettingsFromEnv, type SlackSettings } from '../chat/slack/slack-settings';
import { parseProcessEnv, type ProcessEnv } from '../config/process-env';
import { queueSettingsFromEnv, type QueueSettings } from '../queue/queue-settings';

type Env = Readonly<Record<string, string | undefined>>;

export interface RewindSettings {
  process: ProcessEnv;
  queue: QueueSettings;
  /** Set when SLACK_BOT_TOKEN is. */
  slack: SlackSettings | undefined;
  /** Set when DISCORD_TOKEN is. */
  discord: DiscordSettings | undefined;
  /** REWIND_CONSOLE=1: the local web console. */
  console: boolean;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment:\n${problems.map((p) => p.replace(/^/gm, '  ')).join('\n')}`);
    this.name = 'SettingsError';
  }
}

export function settingsFromEnv(env: Env): RewindSettings {
  const problems: string[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };
  const process = attempt(() => parseProcessEnv(env));
  const queue = attempt(() => queueSettingsFromEnv(env));
  const slack = attempt(() => slackSettingsFromEnv(env));
  const discord = attempt(() => discordSettingsFromEnv(env));
  if (problems.length > 0 || !process || !queue) throw new SettingsError(problems);
  return { process, queue, slack, discord, console: env['REWIND_CONSOLE'] === '1' };
}

/** How each chat platform takes interactions, for the startup line. */
export function chatModes(settings: RewindSettings): { slack: string; discord: string } {
  return { slack: settings.slack?.mode ?? 'off', discord: settings.discord?.mode ?? 'off' };
}
