/** `rewind discord register [--guild ID]` bulk-overwrites the command definitions in manifests/. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FakeDiscord } from '../fakes/discord-api';

const ROOT = resolve(__dirname, '../..');
const APP = '1170000000000000000';

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('rewind discord register', () => {
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await FakeDiscord.start({ token: 'bot-token-register', applicationId: APP });
  });
  afterAll(() => discord.close());

  const env = () => ({ DISCORD_TOKEN: 'bot-token-register', DISCORD_APPLICATION_ID: APP, DISCORD_API_URL: discord.apiBase });

  it('registers the manifest’s commands in a guild and globally', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'manifests/discord-commands.json'), 'utf8')) as { name: string }[];
    const guild = await run(['discord', 'register', '--guild', '1100000000000000000'], env());
    expect(guild.stderr).toBe('');
    expect(guild.code).toBe(0);
    expect(guild.stdout).toContain('registered 1 command(s) in guild 1100000000000000000: /rollback');
    const global = await run(['discord', 'register'], env());
    expect(global.code).toBe(0);
    const registrations = discord.commandRegistrations();
    expect(registrations.guilds['1100000000000000000']).toEqual(manifest);
    expect(registrations.global).toEqual(manifest);
  });

  it('says what to set when the token is missing, and how to call it', async () => {
    const missing = await run(['discord', 'register'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('set DISCORD_TOKEN and DISCORD_APPLICATION_ID');
    const wrong = await run(['discord', 'register', '--guild'], env());
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('usage: rewind discord register [--guild ID]');
  });
});
