/**
 * The Discord fake, driven by the real @discordjs/rest client (its rate-limit handling and retries
 * included), so what passes against it passes the client's parsing too; and the interaction
 * signing helper, checked against node:crypto's own Ed25519 verification.
 */
import { createPublicKey, verify } from 'node:crypto';
import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest';
import { MessageFlags, Routes, type APIApplicationCommand, type APIMessage, type APIThreadChannel } from 'discord-api-types/v10';
import { FAKE_DISCORD_APPLICATION_ID, FAKE_DISCORD_TOKEN, FakeDiscord } from '../../fakes/discord-api';
import { HttpFakeServer, type FakeRequest } from '../../fakes/http-fake-base';
import {
  DISCORD_TEST_IDS,
  autocompleteInteraction,
  commandInteraction,
  componentInteraction,
  generateDiscordKeys,
  modalSubmitInteraction,
  pingInteraction,
  postInteraction,
} from '../../support/discord-signing';

const CHANNEL = '1110000000000000000';
const APP = FAKE_DISCORD_APPLICATION_ID;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function restFor(fake: FakeDiscord, options: Partial<ConstructorParameters<typeof REST>[0]> = {}, token = FAKE_DISCORD_TOKEN): REST {
  return new REST({ api: fake.apiBase, version: '10', ...options }).setToken(token);
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

async function discordError(call: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await rejection(call);
  if (!(error instanceof DiscordAPIError)) throw new Error(`expected a DiscordAPIError, got ${String(error)}`);
  return error;
}

function verifies(publicKeyHex: string, timestamp: string, body: string, signatureHex: string): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  return verify(null, Buffer.from(timestamp + body), key, Buffer.from(signatureHex, 'hex'));
}

describe('FakeDiscord with the real @discordjs/rest', () => {
  let fake: FakeDiscord;
  let rest: REST;

  beforeEach(async () => {
    fake = await FakeDiscord.start({ channels: [CHANNEL] });
    rest = restFor(fake);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('serves REST under apiBase + /v10 and answers as the bot user', async () => {
    expect(fake.apiBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    await expect(rest.get(Routes.user('@me'))).resolves.toMatchObject({ id: APP, bot: true });
    expect(fake.calls[0]).toMatchObject({ method: 'GET', path: '/users/@me', route: '/users/@me', status: 200 });
  });

  it('posts a header, starts a thread from it, posts in the thread and edits the header', async () => {
    const header = (await rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'Rolling back', embeds: [{ title: 'checkout-api' }] } })) as APIMessage;
    expect(header).toMatchObject({ channel_id: CHANNEL, content: 'Rolling back', embeds: [{ title: 'checkout-api' }], author: { id: APP, bot: true }, edited_timestamp: null });
    expect(BigInt(header.id)).toBeGreaterThanOrEqual(1_300_000_000_000_000_000n);

    const thread = (await rest.post(Routes.threads(CHANNEL, header.id), { body: { name: 'Rollback checkout-api', auto_archive_duration: 1440 } })) as APIThreadChannel;
    expect(thread).toMatchObject({ id: header.id, type: 11, parent_id: CHANNEL, name: 'Rollback checkout-api', thread_metadata: { auto_archive_duration: 1440 } });
    expect(fake.callsTo('POST', '/channels/:id/messages/:id/threads').map((c) => c.status)).toEqual([201]);

    const step = (await rest.post(Routes.channelMessages(thread.id), { body: { content: 'Step 1 started' } })) as APIMessage;
    expect(step.channel_id).toBe(thread.id);
    expect(BigInt(step.id)).toBeGreaterThan(BigInt(header.id));

    const edited = (await rest.patch(Routes.channelMessage(CHANNEL, header.id), { body: { content: 'Rolled back' } })) as APIMessage;
    expect(edited).toMatchObject({ id: header.id, content: 'Rolled back', embeds: [{ title: 'checkout-api' }], thread: { id: header.id } });
    expect(edited.edited_timestamp).not.toBeNull();

    expect(fake.messages(CHANNEL)).toMatchObject([{ id: header.id, content: 'Rolled back', updates: 1, thread: header.id }]);
    expect(fake.messages(CHANNEL)[0]!.flags & MessageFlags.HasThread).toBe(MessageFlags.HasThread);
    expect(fake.messages(thread.id)).toMatchObject([{ id: step.id, content: 'Step 1 started', updates: 0 }]);
    expect(fake.threads()).toMatchObject([{ id: header.id, parent_id: CHANNEL, message_count: 1, last_message_id: step.id }]);
    expect(fake.callsTo('PATCH', `/channels/${CHANNEL}/messages/${header.id}`)).toMatchObject([{ route: '/channels/:channel/messages/:message', body: { content: 'Rolled back' } }]);
  });

  it('refuses threads, channels and messages as Discord does', async () => {
    const header = (await rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'x' } })) as APIMessage;
    await rest.post(Routes.threads(CHANNEL, header.id), { body: { name: 'one' } });
    expect(await discordError(rest.post(Routes.threads(CHANNEL, header.id), { body: { name: 'two' } }))).toMatchObject({ status: 400, code: 160004 });

    const other = (await rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'y' } })) as APIMessage;
    const badThread = await discordError(rest.post(Routes.threads(CHANNEL, other.id), { body: { name: '', auto_archive_duration: 30 } }));
    expect(badThread).toMatchObject({ status: 400, code: 50035 });
    expect(badThread.rawError).toMatchObject({
      errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] }, auto_archive_duration: { _errors: [{ code: 'BASE_TYPE_CHOICES' }] } },
    });

    expect(await discordError(rest.post(Routes.channelMessages('1119999999999999999'), { body: { content: 'x' } }))).toMatchObject({ status: 404, code: 10003 });
    expect(await discordError(rest.patch(Routes.channelMessage(CHANNEL, '1'), { body: { content: 'x' } }))).toMatchObject({ status: 404, code: 10008 });
    expect(await discordError(rest.post(Routes.channelMessages(CHANNEL), { body: { content: '' } }))).toMatchObject({ status: 400, code: 50006 });
    expect(fake.threads()).toHaveLength(1);
  });

  it('waits out a programmed 429 itself and posts the message once', async () => {
    fake.failNext('POST /channels/:id/messages', { status: 429, retryAfterSeconds: 0.2 });
    await rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'after the limit' } });
    const calls = fake.callsTo('POST', '/channels/:id/messages');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL)).toMatchObject([{ content: 'after the limit' }]);
  });

  it('waits out a global 429 too', async () => {
    fake.failNext('POST /channels/:id/messages', { status: 429, retryAfterSeconds: 0.2, global: true });
    await rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'x' } });
    expect(fake.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('throws RateLimitError instead of waiting when REST is told to reject on rate limits', async () => {
    fake.failNext('POST /channels/:id/messages', { status: 429, retryAfterSeconds: 30 });
    const error = await rejection(restFor(fake, { rejectOnRateLimit: ['/channels'] }).post(Routes.channelMessages(CHANNEL), { body: { content: 'x' } }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfter: 30_050, global: false });
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('answers a real 429 when a bucket is spent, with Discord headers', async () => {
    await fake.close();
    fake = await FakeDiscord.start({ rateLimit: { limit: 1, windowSeconds: 60 } });
    const send = () => fetch(`${fake.apiBase}/v10/channels/${CHANNEL}/messages`, { method: 'POST', headers: { authorization: `Bot ${FAKE_DISCORD_TOKEN}`, 'content-type': 'application/json' }, body: '{"content":"x"}' });
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(first.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    const second = await send();
    expect(second.status).toBe(429);
    expect(second.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await second.json()).toMatchObject({ message: 'You are being rate limited.', global: false });
  });

  it('retries 5xx answers itself (retries: 3), then throws HTTPError', async () => {
    fake.failNext('POST /channels/:id/messages', { status: 500, count: 2 });
    await rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'x' } });
    expect(fake.calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);

    fake.failNext(`PATCH /channels/${CHANNEL}/messages/:message`, { status: 502, count: 4 });
    const id = fake.messages(CHANNEL)[0]!.id;
    const error = await rejection(rest.patch(Routes.channelMessage(CHANNEL, id), { body: { content: 'y' } }));
    expect(error).toBeInstanceOf(HTTPError);
    expect(error).toMatchObject({ status: 502, method: 'PATCH' });
    expect(fake.callsTo('PATCH', '/channels/:c/messages/:m').map((c) => c.status)).toEqual([502, 502, 502, 502]);
  });

  it('records interaction follow-ups, edits of @original and callbacks per token', async () => {
    const token = 'aW50ZXJhY3Rpb246dGVzdA';
    const followUp = (await rest.post(Routes.webhook(APP, token), { body: { content: 'only you', flags: MessageFlags.Ephemeral }, auth: false })) as APIMessage;
    expect(followUp).toMatchObject({ content: 'only you', flags: MessageFlags.Ephemeral, webhook_id: APP });
    await rest.patch(Routes.webhookMessage(APP, token, '@original'), { body: { content: 'done' }, auth: false });
    expect(fake.callsTo('PATCH', '/webhooks/:app/:token/messages/@original')).toHaveLength(1);
    expect(fake.followUps(token)).toMatchObject([
      { kind: 'follow-up', ephemeral: true, messageId: followUp.id, body: { content: 'only you', flags: 64 } },
      { kind: 'edit-original', ephemeral: false, body: { content: 'done' } },
    ]);
    expect(fake.original(token)).toMatchObject({ content: 'done', updates: 1 });
    expect(fake.followUps('other-token')).toEqual([]);
    expect(fake.messages(CHANNEL)).toEqual([]);
    expect(await discordError(rest.post(Routes.webhook('999', token), { body: { content: 'x' }, auth: false }))).toMatchObject({ status: 404, code: 10015 });

    // Gateway mode: the initial response goes to the callback route; a second one is refused.
    const callbackToken = 'Y2FsbGJhY2s';
    await rest.post(Routes.interactionCallback('1180000000000000001', callbackToken), { body: { type: 5, data: { flags: 64 } }, auth: false });
    expect(fake.calls.at(-1)).toMatchObject({ route: '/interactions/:interaction/:token/callback', status: 204 });
    expect(fake.original(callbackToken)).toMatchObject({ content: '', flags: MessageFlags.Loading | MessageFlags.Ephemeral });
    const again = await discordError(rest.post(Routes.interactionCallback('1180000000000000001', callbackToken), { body: { type: 4, data: { content: 'x' } }, auth: false }));
    expect(again).toMatchObject({ status: 400, code: 40060 });
    expect(fake.followUps(callbackToken)).toMatchObject([{ kind: 'callback', ephemeral: true, body: { type: 5 } }]);
  });

  it('records bulk overwrites of commands per scope and keeps command ids', async () => {
    const commands = [
      {
        name: 'rollback',
        description: 'Roll a deployment back',
        options: [{ type: 1, name: 'start', description: 'Start a rollback', options: [{ type: 3, name: 'service', description: 'Service', required: true }] }],
      },
    ];
    const global = (await rest.put(Routes.applicationCommands(APP), { body: commands })) as APIApplicationCommand[];
    expect(global).toMatchObject([{ name: 'rollback', type: 1, application_id: APP, default_member_permissions: null }]);
    const guild = (await rest.put(Routes.applicationGuildCommands(APP, DISCORD_TEST_IDS.guildId), { body: commands })) as APIApplicationCommand[];
    expect(guild[0]).toMatchObject({ guild_id: DISCORD_TEST_IDS.guildId });
    const again = (await rest.put(Routes.applicationCommands(APP), { body: commands })) as APIApplicationCommand[];
    expect(again[0]!.id).toBe(global[0]!.id);
    expect(fake.commandRegistrations()).toEqual({ global: commands, guilds: { [DISCORD_TEST_IDS.guildId]: commands } });

    const invalid = [{ name: 'Rollback', description: '' }];
    const error = await discordError(rest.put(Routes.applicationCommands(APP), { body: invalid }));
    expect(error).toMatchObject({ status: 400, code: 50035 });
    expect(error.message).toContain('0.name[APPLICATION_COMMAND_INVALID_NAME]');
    expect(fake.commandRegistrations().global).toEqual(commands);
  });

  it("validates Discord's message limits with a readable errors tree", async () => {
    const error = await discordError(rest.post(Routes.channelMessages(CHANNEL), { body: { embeds: [{ title: 't'.repeat(257) }] } }));
    expect(error).toMatchObject({ status: 400, code: 50035 });
    expect(error.rawError).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: { embeds: { '0': { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' }] } } } },
    });
    expect(error.message).toBe('Invalid Form Body\nembeds[0].title[BASE_TYPE_MAX_LENGTH]: Must be 256 or fewer in length.');

    const button = (id: string) => ({ type: 2, style: 1, label: 'Go', custom_id: id });
    const refusals: [unknown, string][] = [
      [{ content: 'c'.repeat(2001) }, 'content[BASE_TYPE_MAX_LENGTH]'],
      [{ embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) }, 'embeds[BASE_TYPE_MAX_LENGTH]'],
      [{ embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(4000) }] }, 'embeds[MAX_EMBED_SIZE_EXCEEDED]'],
      [{ embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] }, 'embeds[0].fields[BASE_TYPE_MAX_LENGTH]'],
      [{ embeds: [{ fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] }, 'embeds[0].fields[0].value[BASE_TYPE_BAD_LENGTH]'],
      [{ embeds: [{ footer: { text: 'f'.repeat(2049) } }] }, 'embeds[0].footer.text[BASE_TYPE_MAX_LENGTH]'],
      [{ components: Array.from({ length: 6 }, (_, i) => ({ type: 1, components: [button(`b${i}`)] })) }, 'components[BASE_TYPE_MAX_LENGTH]'],
      [{ components: [{ type: 1, components: Array.from({ length: 6 }, (_, i) => button(`b${i}`)) }] }, 'components[0].components[BASE_TYPE_MAX_LENGTH]'],
      [{ components: [{ type: 1, components: [button('same'), button('same')] }] }, 'components[0].components[1].custom_id[COMPONENT_CUSTOM_ID_DUPLICATED]'],
      [{ components: [{ type: 1, components: [button('x'.repeat(101))] }] }, 'components[0].components[0].custom_id[BASE_TYPE_BAD_LENGTH]'],
      [{ components: [{ type: 1, components: [{ ...button('ok'), label: 'l'.repeat(81) }] }] }, 'components[0].components[0].label[BASE_TYPE_MAX_LENGTH]'],
    ];
    for (const [body, expected] of refusals) {
      const refused = await discordError(rest.post(Routes.channelMessages(CHANNEL), { body }));
      expect({ code: refused.code, message: refused.message }).toEqual({ code: 50035, message: expect.stringContaining(expected) });
    }
    expect(fake.messages(CHANNEL)).toEqual([]);

    const atTheLimits = {
      content: 'c'.repeat(2000),
      embeds: [{ title: 't'.repeat(256), description: 'd'.repeat(4096), fields: [{ name: 'n'.repeat(256), value: 'v'.repeat(1024) }], footer: { text: 'f'.repeat(368) } }],
      components: Array.from({ length: 5 }, (_, r) => ({ type: 1, components: Array.from({ length: 5 }, (_, b) => ({ ...button(`b${r}${b}`), label: 'l'.repeat(80) })) })),
    };
    await expect(rest.post(Routes.channelMessages(CHANNEL), { body: atTheLimits })).resolves.toMatchObject({ content: atTheLimits.content });
  });

  it('refuses a wrong or missing bot token with 401', async () => {
    const wrong = restFor(fake, {}, 'not-the-token');
    expect(await discordError(wrong.post(Routes.channelMessages(CHANNEL), { body: { content: 'x' } }))).toMatchObject({ status: 401, code: 0, message: '401: Unauthorized' });
    // After a 401, REST forgets its token: later calls fail before any request is sent.
    await expect(wrong.get(Routes.user('@me'))).rejects.toThrow(/Expected token to be set/);

    const none = await fetch(`${fake.apiBase}/v10/channels/${CHANNEL}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"x"}' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    // Webhook routes take no bot token.
    await expect(fetch(`${fake.apiBase}/v10/webhooks/${APP}/tok`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"x"}' }).then((r) => r.status)).resolves.toBe(200);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('answers unknown routes with Discord 404 JSON', async () => {
    const response = await fetch(`${fake.apiBase}/v10/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404: Not Found', code: 0 });
  });
});

describe('Discord interaction signing and payloads', () => {
  it('signs timestamp + body so that node:crypto verifies it with the exported public key', () => {
    const keys = generateDiscordKeys();
    expect(keys.publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
    const body = JSON.stringify(pingInteraction());
    const signature = keys.sign('1700000000', body);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verifies(keys.publicKeyHex, '1700000000', body, signature)).toBe(true);
    expect(verifies(keys.publicKeyHex, '1700000000', body.replace('"type":1', '"type":2'), signature)).toBe(false);
    expect(verifies(keys.publicKeyHex, '1700000001', body, signature)).toBe(false);
    expect(verifies(generateDiscordKeys().publicKeyHex, '1700000000', body, signature)).toBe(false);
  });

  it('posts signed interactions; badSignature and headers override as asked', async () => {
    const received: FakeRequest[] = [];
    const server = await HttpFakeServer.listen('capture', (request) => {
      received.push(request);
      return { status: 200, body: { type: 1 } };
    });
    try {
      const keys = generateDiscordKeys();
      const ping = pingInteraction();
      expect((await postInteraction(server.base, ping, { keys })).status).toBe(200);
      await postInteraction(server.base, ping, { keys, badSignature: true, timestamp: '1700000000' });
      await postInteraction(server.base, ping, { keys, headers: {} });
      const [good, bad, unsigned] = received;
      expect(good).toMatchObject({ method: 'POST', body: JSON.stringify(ping) });
      expect(good!.url.pathname).toBe('/discord/interactions');
      expect(good!.headers['content-type']).toBe('application/json');
      const timestamp = String(good!.headers['x-signature-timestamp']);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
      expect(verifies(keys.publicKeyHex, timestamp, good!.body, String(good!.headers['x-signature-ed25519']))).toBe(true);
      expect(bad!.headers['x-signature-timestamp']).toBe('1700000000');
      expect(String(bad!.headers['x-signature-ed25519'])).toMatch(/^[0-9a-f]{128}$/);
      expect(verifies(keys.publicKeyHex, '1700000000', bad!.body, String(bad!.headers['x-signature-ed25519']))).toBe(false);
      expect(unsigned!.headers).not.toHaveProperty('x-signature-ed25519');
    } finally {
      await server.close();
    }
  });

  it('builds Discord-shaped interactions with unique ids and tokens', () => {
    const command = commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', dry_run: true, minutes: 5 }, userId: '1120000000000000000', roles: ['1130000000000000000'] });
    expect(command).toMatchObject({
      type: 2,
      application_id: '1170000000000000000',
      guild_id: DISCORD_TEST_IDS.guildId,
      channel_id: CHANNEL,
      member: { user: { id: '1120000000000000000' }, roles: ['1130000000000000000'] },
      data: {
        name: 'rollback',
        type: 1,
        options: [
          {
            name: 'start',
            type: 1,
            options: [
              { name: 'service', type: 3, value: 'checkout-api' },
              { name: 'dry_run', type: 5, value: true },
              { name: 'minutes', type: 4, value: 5 },
            ],
          },
        ],
      },
    });
    const other = commandInteraction({ subcommand: 'status', userId: '1' });
    expect(other.id).not.toBe(command.id);
    expect(other.token).not.toBe(command.token);
    expect(other.member.roles).toEqual([]);

    expect(componentInteraction({ customId: 'approve:rb_1', userId: '2', messageId: '1190000000000000000', id: 'fixed', token: 'tok' })).toMatchObject({
      id: 'fixed',
      token: 'tok',
      type: 3,
      message: { id: '1190000000000000000', channel_id: CHANNEL, author: { bot: true } },
      data: { custom_id: 'approve:rb_1', component_type: 2 },
    });
    expect(modalSubmitInteraction({ customId: 'rootcause:rb_1', fields: { cause: 'bad deploy', impact: 'checkout down' }, userId: '3' }).data).toEqual({
      custom_id: 'rootcause:rb_1',
      components: [
        { type: 1, components: [{ type: 4, custom_id: 'cause', value: 'bad deploy' }] },
        { type: 1, components: [{ type: 4, custom_id: 'impact', value: 'checkout down' }] },
      ],
    });
    expect(autocompleteInteraction({ subcommand: 'start', focused: { name: 'service', value: 'chec' }, options: { environment: 'production' }, userId: '4' })).toMatchObject({
      type: 4,
      data: { options: [{ name: 'start', options: [{ name: 'environment', value: 'production' }, { name: 'service', type: 3, value: 'chec', focused: true }] }] },
    });
    expect(pingInteraction()).toMatchObject({ type: 1, application_id: '1170000000000000000', version: 1 });
  });
});
