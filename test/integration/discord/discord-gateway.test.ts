/**
 * Discord's gateway mode, the default, end to end through a local fake gateway (the `ws` package;
 * `GET /gateway/bot` on the REST fake points at it): HELLO, IDENTIFY with the Guilds intent,
 * READY, heartbeats, an INTERACTION_CREATE that runs a rollback and is answered through REST, a
 * dropped connection resumed with the same session, and the connection handed to another replica
 * when the leader stops. Only the leader ever connects.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { FakeDiscord } from '../../fakes/discord-api';
import { FakeDiscordGateway } from '../../fakes/discord-gateway';
import { startTarget } from '../../support/bluegreen-target';
import { commandInteraction } from '../../support/discord-signing';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { uniquePrefix } from '../../support/redis';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(60_000);

const TOKEN = 'discord-gateway-bot-token';
const APP = '900000000000000002';
const CHANNEL = '222';
const REQUESTER = '300000000000000001';

describe('Discord gateway mode', () => {
  let gateway: FakeDiscordGateway;
  let discord: FakeDiscord;
  let target: BlueGreenService;
  const harnesses: Harness[] = [];

  beforeEach(async () => {
    gateway = await FakeDiscordGateway.start({ token: TOKEN, applicationId: APP });
    discord = await FakeDiscord.start({ token: TOKEN, applicationId: APP, gatewayUrl: () => gateway.url });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
    await gateway.close();
    await discord.close();
    await target.close();
  });

  const catalog = () => bluegreenCatalog(target.url).replace('channels: { slack: C0INCIDENT }', `channels: { discord: "${CHANNEL}" }`);
  async function replica(prefix: string): Promise<Harness> {
    const h = await startHarness(catalog(), { prefix, recordReplies: false, discord: { token: TOKEN, applicationId: APP, mode: 'gateway', apiUrl: discord.apiBase } });
    harnesses.push(h);
    return h;
  }
  const identified = (n: number) => waitFor(() => gateway.sent('identify'), (sent) => sent.length === n, { what: `${n} IDENTIFY`, timeoutMs: 20_000 });

  /** Sends `/rollback start` for a critical rollback and waits for Rewind's answer on the interaction callback. */
  async function startRollback(h: Harness, id: string): Promise<string> {
    const interaction = commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'critical', reason: 'gateway' }, userId: REQUESTER, channelId: CHANNEL, id });
    gateway.dispatch('INTERACTION_CREATE', interaction);
    await waitFor(() => discord.followUps(interaction.token), (calls) => calls.some((c) => c.kind === 'callback'), { what: 'the answer to the interaction' });
    const [record] = await waitFor(() => h.rewind.store.list({ limit: 5 }), (list) => list.length === 1, { what: 'the rollback' });
    expect(record!.origin).toMatchObject({ platform: 'discord', channelId: CHANNEL });
    return record!.id;
  }

  it('identifies, heartbeats, runs a rollback from INTERACTION_CREATE, and resumes a dropped connection', async () => {
    const h = await replica(uniquePrefix('gw'));
    const [identify] = await identified(1);
    expect(identify!.d).toMatchObject({ token: TOKEN, intents: 1 });
    await waitFor(() => gateway.sent('heartbeat').length, (n) => n >= 1, { what: 'a heartbeat', timeoutMs: 10_000 });

    const id = await startRollback(h, '500000000000000001');
    expect((await h.waitForState(id, 'succeeded')).trigger).toMatchObject({ kind: 'manual', source: 'discord' });
    expect(target.switches).toBe(1);
    await waitFor(() => discord.messages(CHANNEL), (m) => m.length > 0, { what: 'the header in the channel' });

    // Discord moves the connection: the bot comes back with the same session, not a new IDENTIFY.
    gateway.drop();
    const [resume] = await waitFor(() => gateway.sent('resume'), (sent) => sent.length === 1, { what: 'a RESUME', timeoutMs: 20_000 });
    expect(resume!.d).toMatchObject({ token: TOKEN, session_id: 'fake-session-1' });
    expect(gateway.sent('identify')).toHaveLength(1);
    const interaction = commandInteraction({ subcommand: 'status', userId: REQUESTER, channelId: CHANNEL, id: '500000000000000002' });
    gateway.dispatch('INTERACTION_CREATE', interaction);
    await waitFor(() => discord.followUps(interaction.token), (calls) => calls.some((c) => c.kind === 'callback'), { what: 'an answer after resuming' });
  });

  it('connects from one replica only, and another takes the connection when the leader stops', async () => {
    const prefix = uniquePrefix('gwlead');
    const first = await replica(prefix);
    const second = await replica(prefix);
    await identified(1);
    expect(gateway.connectionCounts.open).toBe(1);

    await first.close();
    harnesses.splice(harnesses.indexOf(first), 1);
    await identified(2);
    await waitFor(() => gateway.connectionCounts.open, (n) => n === 1, { what: 'one open connection, the new leader’s' });
    const id = await startRollback(second, '500000000000000003');
    expect((await second.waitForState(id, 'succeeded')).state).toBe('succeeded');
  });
});
