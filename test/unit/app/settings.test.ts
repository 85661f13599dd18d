/** The environment is read once, and every problem in it is reported at once. */
import { chatModes, SettingsError, settingsFromEnv } from '../../../src/app/settings';

describe('settings from the environment', () => {
  it('defaults to a local Redis, port 3000, no chat platform', () => {
    const settings = settingsFromEnv({});
    expect(settings.process).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', PORT: 3000, REDIS_CLUSTER: false });
    expect([settings.slack, settings.discord, settings.console]).toEqual([undefined, undefined, false]);
    expect(chatModes(settings)).toEqual({ slack: 'off', discord: 'off' });
  });

  it('says how each platform is reached the way the fronts will use it, an empty mode meaning the default', () => {
    const settings = settingsFromEnv({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_MODE: '',
      DISCORD_TOKEN: 'discord-token',
      DISCORD_APPLICATION_ID: '900000000000000001',
      DISCORD_MODE: '',
    });
    expect(chatModes(settings)).toEqual({ slack: 'socket', discord: 'gateway' });
  });

  it('lists every problem together, each saying what to set', () => {
    let error: unknown;
    try {
      settingsFromEnv({ REDIS_URL: 'localhost:6379', REWIND_API_TOKEN: 'short', DISCORD_TOKEN: 'discord-token', DISCORD_APPLICATION_ID: 'not-a-snowflake', REWIND_ROLLBACK_CONCURRENCY: 'many' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const text = (error as SettingsError).message;
    expect(text).toMatch(/REDIS_URL must start with redis:\/\//);
    expect(text).toMatch(/REWIND_API_TOKEN must be at least 16 characters/);
    expect(text).toMatch(/DISCORD_APPLICATION_ID must be the application id/);
    expect((error as SettingsError).problems.length).toBeGreaterThanOrEqual(3);
  });
});
