/** manifests/slack-app.yaml is a valid Slack app manifest (Slack's own JSON Schema) with what Rewind needs to work. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../../..');
/** Slack's manifest schema (slackapi/manifest-schema, MIT) as the project keeps it next to the repo. */
const SCHEMA = join(ROOT, 'test/fixtures/slack-app-manifest.schema.json');

interface Manifest {
  display_information: { name: string; description?: string };
  features: {
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: { command: string; description: string; usage_hint?: string; url?: string; should_escape?: boolean }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string }; socket_mode_enabled: boolean; org_deploy_enabled: boolean; token_rotation_enabled: boolean };
}

const text = readFileSync(join(ROOT, 'manifests/slack-app.yaml'), 'utf8');
const manifest = parse(text) as Manifest;

describe('manifests/slack-app.yaml', () => {
  it("validates against Slack's manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema is strict about unknown keys, so a typo is caught, not ignored.
    expect(validate({ ...manifest, settings: { ...manifest.settings, socket_mode_enabeld: true } })).toBe(false);
  });

  it('names the app Rewind within 35 characters and runs a bot user', () => {
    expect(manifest.display_information.name).toBe('Rewind');
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.features.bot_user).toEqual({ display_name: 'rewind', always_online: true });
  });

  it('declares /rollback, unescaped, at /slack/events, with the grammar in its usage hint', () => {
    expect(manifest.features.slash_commands).toHaveLength(1);
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: '/rollback', url: 'https://rewind.example.com/slack/events', should_escape: false });
    expect(command!.description.length).toBeGreaterThan(0);
    for (const part of ['<service>', '--to', '--severity', '--reason', '--dry-run', 'drill', 'status', 'history', 'releases', 'cancel', 'help']) {
      expect(command!.usage_hint).toContain(part);
    }
  });

  it('asks for exactly the bot scopes Rewind uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['channels:history', 'chat:write', 'chat:write.public', 'commands', 'files:write', 'groups:history', 'usergroups:read', 'users:read']);
  });

  it('turns interactivity on at /slack/events, including the options load URL of the release select', () => {
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://rewind.example.com/slack/events',
      message_menu_options_url: 'https://rewind.example.com/slack/events',
    });
    expect(manifest.settings).toMatchObject({ socket_mode_enabled: false, org_deploy_enabled: false, token_rotation_enabled: false });
  });

  it('explains how to switch hosts, use Socket Mode, and the paid-plan scope', () => {
    expect(text).toMatch(/#.*replace rewind\.example\.com/i);
    expect(text).toMatch(/#.*socket_mode_enabled: true/);
    expect(text).toMatch(/#.*connections:write/);
    expect(text).toMatch(/#.*paid Slack plan/);
  });
});
