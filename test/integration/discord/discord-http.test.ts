/**
 * Discord over HTTP interactions, end to end: Ed25519-signed interactions in at
 * POST /discord/interactions, a local fake of Discord's REST API out.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { FakeDiscord } from '../../fakes/discord-api';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import {
  autocompleteInteraction,
  commandInteraction,
  componentInteraction,
  generateDiscordKeys,
  modalSubmitInteraction,
  pingInteraction,
  postInteraction,
} from '../../support/discord-signing';
import { waitFor } from '../../support/wait-for';

const TOKEN = 'discord-bot-token-for-tests';
const APP = '1170000000000000000';
const CHANNEL = '222';
const REQUESTER = '1120000000000000000';
const APPROVER = '1120000000000000009';
const ROLE_HOLDER = '1120000000000000042';
const STRANGER = '1120000000000000077';

describe('Discord (HTTP interactions)', () => {
  const keys = generateDiscordKeys();
  let discord: FakeDiscord;
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    discord = await FakeDiscord.start({ token: TOKEN, applicationId: APP });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const catalog = bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`)
      .replace('channels: { slack: C0INCIDENT }', `channels: { discord: "${CHANNEL}" }`)
      .replace('high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2] }', `high: { required: 1, approvers: { discord: ["${APPROVER}", "role:111"] }`)
      .replace('medium: { required: 1, approvers: { slack: [U0LEAD] }', `medium: { required: 1, approvers: { discord: ["${APPROVER}"] }`);
    h = await startHarness(catalog, {
      http: true,
      recordReplies: false,
      discord: { token: TOKEN, applicationId: APP, publicKey: keys.publicKeyHex, mode: 'http', apiUrl: discord.apiBase },
    });
  });
  afterEach(async () => {
    await h.close();
    await target.close();
    await discord.close();
  });

  const send = (body: object, options: Parameters<typeof postInteraction>[2] = {}) => postInteraction(h.rewind.url!, body, { keys, ...options });
  const commandJobs = async () => Object.values(await h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0);
  const latest = async () => (await h.rewind.store.list({ service: 'checkout-api', limit: 1 }))[0]!;
  const followUpText = (token: string) => JSON.stringify(discord.followUps(token));

  it('answers PING with PONG', async () => {
    const response = await send(pingInteraction());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 1 });
  });

  it('refuses bad, foreign and missing signatures with 401 and enqueues nothing', async () => {
    const body = commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'critical' }, userId: REQUESTER });
    const bad = await send(body, { badSignature: true });
    const foreign = await send(body, { keys: generateDiscordKeys() });
    const missing = await send(body, { headers: {} });
    const stale = await send(body, { timestamp: String(Math.floor(Date.now() / 1000) - 600) });
    expect([bad.status, foreign.status, missing.status, stale.status]).toEqual([401, 401, 401, 401]);
    expect(await commandJobs()).toBe(0);
  });

  it('answers /rollback start at once, then posts the header, a thread from it, thread posts, header edits and the summary', async () => {
    target.holdSwitches();
    const response = await send(commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', environment: 'production', severity: 'critical', reason: '500s after deploy' }, userId: REQUESTER, channelId: CHANNEL }));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { type: number; data: { flags: number; content: string } };
    expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(answer.data.content).toContain('checkout-api (production) requested');
    target.releaseSwitches();

    const record = await waitFor(latest, (r) => r !== undefined, { what: 'the rollback' });
    await h.waitForState(record.id, 'succeeded');
    const header = await waitFor(() => discord.messages(CHANNEL)[0], (m) => m !== undefined, { what: 'the header' });
    const thread = await waitFor(() => discord.messages(header!.id), (posts) => posts.some((p) => JSON.stringify(p.embeds).includes('RTO')), { what: 'the summary in the thread' });
    expect(discord.threads().map((t) => t.id)).toContain(header!.id);
    expect(JSON.stringify(thread[0]!.embeds)).toMatch(/2\.4\.1 → 2\.4\.0/);
    expect(discord.callsTo('PATCH', '/channels/:id/messages/:id').some((c) => c.path.endsWith(`/${header!.id}`))).toBe(true);
    expect(JSON.stringify(discord.messages(CHANNEL).find((m) => m.id === header!.id)!.embeds)).toMatch(/[Ss]ucceeded/);
    // The summary is echoed in the channel too.
    await waitFor(() => discord.messages(CHANNEL), (m) => m.length >= 2 && JSON.stringify(m.at(-1)!.embeds).includes('RTO'), { what: 'the summary echoed in the channel' });
    expect(target.rollbackRequests).toBe(1);
  });

  it('refuses the requester and a stranger, runs once on an approver’s double click; roles count as approvers', async () => {
    // The requester is an approver themselves: self-approval is what refuses them.
    await send(commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'high' }, userId: APPROVER, channelId: CHANNEL }));
    const record = await waitFor(latest, (r) => r !== undefined, { what: 'the rollback' });
    const header = await waitFor(() => discord.messages(CHANNEL)[0], (m) => m !== undefined, { what: 'the header' });
    const approve = (userId: string, token: string, roles: string[] = []) =>
      send(componentInteraction({ customId: `rewind:approve:${record.id}`, userId, roles, messageId: header!.id, channelId: CHANNEL, token }));

    expect(await (await approve(APPROVER, 'tok-requester')).json()).toEqual({ type: 6 });
    await approve(STRANGER, 'tok-stranger');
    await waitFor(() => followUpText('tok-requester'), (t) => t.includes('cannot approve'), { what: 'the requester’s refusal' });
    await waitFor(() => followUpText('tok-stranger'), (t) => t.includes('not an approver'), { what: 'the stranger’s refusal' });
    expect((await h.rewind.store.get(record.id))!.state).toBe('pending_approval');

    await Promise.all([approve(ROLE_HOLDER, 'tok-role-1', ['111']), approve(ROLE_HOLDER, 'tok-role-2', ['111'])]);
    await h.waitForState(record.id, 'succeeded');
    expect(target.rollbackRequests).toBe(1);
    expect((await h.rewind.store.get(record.id))!.approvals.map((a) => a.actor.id)).toEqual([ROLE_HOLDER]);
    await waitFor(() => followUpText('tok-role-1') + followUpText('tok-role-2'), (t) => t.includes('Already decided'), { what: 'the second click’s answer' });
  });

  it('accepts an approver listed by user id', async () => {
    await send(commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'high' }, userId: REQUESTER, channelId: CHANNEL }));
    const record = await waitFor(latest, (r) => r !== undefined, { what: 'the rollback' });
    const header = await waitFor(() => discord.messages(CHANNEL)[0], (m) => m !== undefined, { what: 'the header' });
    await send(componentInteraction({ customId: `rewind:approve:${record.id}`, userId: APPROVER, messageId: header!.id, channelId: CHANNEL }));
    await h.waitForState(record.id, 'succeeded');
  });

  it('answers errors privately with what is valid, and nothing is queued', async () => {
    const response = await send(commandInteraction({ subcommand: 'start', options: { service: 'chekout-api' }, userId: REQUESTER }));
    const answer = (await response.json()) as { type: number; data: { flags: number } };
    expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(JSON.stringify(answer)).toContain('Did you mean `checkout-api`?');
    expect(await commandJobs()).toBe(0);
  });

  it('autocompletes services and environments', async () => {
    const services = (await (await send(autocompleteInteraction({ subcommand: 'start', focused: { name: 'service', value: 'chec' }, userId: REQUESTER }))).json()) as { type: number; data: { choices: { value: string }[] } };
    expect(services.type).toBe(8);
    expect(services.data.choices.map((c) => c.value)).toEqual(['checkout-api']);
    const envs = (await (await send(autocompleteInteraction({ subcommand: 'start', focused: { name: 'environment', value: '' }, options: { service: 'checkout-api' }, userId: REQUESTER }))).json()) as { data: { choices: { value: string }[] } };
    expect(envs.data.choices.map((c) => c.value)).toEqual(['production']);
  });

  it('opens the root-cause form and stores what is submitted', async () => {
    await send(commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'critical' }, userId: REQUESTER, channelId: CHANNEL }));
    const record = await waitFor(latest, (r) => r !== undefined, { what: 'the rollback' });
    await h.waitForState(record.id, 'succeeded');
    const modal = (await (await send(componentInteraction({ customId: `rewind:root_cause:${record.id}`, userId: REQUESTER, messageId: '1', channelId: CHANNEL }))).json()) as { type: number; data: { custom_id: string } };
    expect(modal.type).toBe(9);
    const submitted = await send(
      modalSubmitInteraction({ customId: modal.data.custom_id, fields: { impact: '12% of checkouts failed', cause: 'bad tax rule', prevention: 'contract test' }, userId: REQUESTER }),
    );
    expect(submitted.status).toBe(200);
    const updated = await waitFor(() => h.rewind.store.get(record.id), (r) => r?.postmortem?.rootCause !== undefined, { what: 'the root cause' });
    expect(updated!.postmortem).toMatchObject({ impact: '12% of checkouts failed', rootCause: 'bad tax rule', prevention: 'contract test' });
  });

  it('survives a 429 and a 500 from Discord: REST waits and retries, the thread stays whole and in order', async () => {
    discord.failNext('POST /channels/:id/messages', { status: 429, retryAfterSeconds: 0.3, count: 1 });
    discord.failNext('POST /channels/:id/messages', { status: 500, count: 1 });
    await send(commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'critical' }, userId: REQUESTER, channelId: CHANNEL }));
    const record = await waitFor(latest, (r) => r !== undefined, { what: 'the rollback' });
    await h.waitForState(record.id, 'succeeded');
    const header = await waitFor(() => discord.messages(CHANNEL)[0], (m) => m !== undefined, { what: 'the header' });
    const thread = await waitFor(() => discord.messages(header!.id), (posts) => posts.some((p) => JSON.stringify(p.embeds).includes('RTO')), { what: 'the summary', timeoutMs: 20_000 });
    expect(discord.calls.filter((c) => c.status === 429)).toHaveLength(1);
    expect(discord.calls.filter((c) => c.status === 500)).toHaveLength(1);
    expect(JSON.stringify(thread[0]!.embeds)).toMatch(/2\.4\.1 → 2\.4\.0/);
    const events = await h.rewind.store.outboxEvents(record.id);
    const expected = new Set(events.filter((e) => e.kind === 'thread').map((e) => e.supersedes ?? `seq:${e.seq}`));
    expect(thread).toHaveLength(expected.size);
  });

  it('pauses automatic rollback for an approver and refuses anyone else', async () => {
    const refused = await send(commandInteraction({ subcommand: 'pause-auto', options: { service: 'checkout-api' }, userId: STRANGER, token: 'tok-pause-stranger' }));
    expect(await refused.json()).toMatchObject({ type: 5, data: { flags: 64 } });
    await waitFor(() => JSON.stringify(discord.original('tok-pause-stranger') ?? {}), (t) => t.includes('Only approvers'), { what: 'the refusal' });
    expect(await h.rewind.service.deps.automation.pause('checkout-api', 'production')).toBeUndefined();

    await send(commandInteraction({ subcommand: 'pause-auto', options: { service: 'checkout-api' }, userId: APPROVER, token: 'tok-pause-approver' }));
    await waitFor(() => JSON.stringify(discord.original('tok-pause-approver') ?? {}), (t) => t.includes('paused by'), { what: 'the confirmation' });
    expect(await h.rewind.service.deps.automation.pause('checkout-api', 'production')).toMatchObject({ by: { id: APPROVER } });
  });
});
