/**
 * The Discord gateway leader dies without a goodbye (SIGKILL: no lock released, no close frame
 * sent): once its lease runs out another replica takes the connection, identifies afresh, and
 * takes the next `/rollback` from the gateway. Only one replica is ever connected.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import { FakeDiscord } from '../fakes/discord-api';
import { FakeDiscordGateway } from '../fakes/discord-gateway';
import { startTarget } from '../support/bluegreen-target';
import { commandInteraction } from '../support/discord-signing';
import { bluegreenCatalog, startHarness, type Harness } from '../support/harness';
import { uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const TOKEN = 'discord-gateway-killed-token';
const APP = '900000000000000003';
const CHANNEL = '222';

describe('Discord gateway leader killed', () => {
  let gateway: FakeDiscordGateway;
  let discord: FakeDiscord;
  let target: BlueGreenService;
  let leader: RewindProcess | undefined;
  let follower: Harness | undefined;

  beforeAll(async () => {
    gateway = await FakeDiscordGateway.start({ token: TOKEN, applicationId: APP });
    discord = await FakeDiscord.start({ token: TOKEN, applicationId: APP, gatewayUrl: () => gateway.url });
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
  });
  afterAll(async () => {
    if (leader && leader.child.exitCode === null && leader.child.signalCode === null) leader.child.kill('SIGKILL');
    await follower?.close();
    await gateway.close();
    await discord.close();
    await target.close();
  });

  it('hands the connection to another replica once the dead leader’s lease runs out', async () => {
    const catalog = bluegreenCatalog(target.url).replace('channels: { slack: C0INCIDENT }', `channels: { discord: "${CHANNEL}" }`);
    const prefix = uniquePrefix('gwkill');
    leader = await spawnRewind('start', workerEnv(catalog, prefix, { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APP, DISCORD_MODE: 'gateway', DISCORD_API_URL: discord.apiBase }));
    await waitFor(() => gateway.sent('identify'), (sent) => sent.length === 1, { what: 'the spawned process to identify', timeoutMs: 20_000 });
    follower = await startHarness(catalog, { prefix, recordReplies: false, discord: { token: TOKEN, applicationId: APP, mode: 'gateway', apiUrl: discord.apiBase } });
    expect(gateway.connectionCounts.open).toBe(1);

    leader.child.kill('SIGKILL');
    await leader.exited;
    await waitFor(() => gateway.connectionCounts.open, (n) => n === 0, { what: 'the dead leader’s socket to close' });
    const identify = await waitFor(() => gateway.sent('identify'), (sent) => sent.length === 2, { what: 'the follower to identify', timeoutMs: 40_000 });
    expect(identify[1]!.d).toMatchObject({ token: TOKEN });
    expect(gateway.connectionCounts.open).toBe(1);

    const interaction = commandInteraction({ subcommand: 'start', options: { service: 'checkout-api', severity: 'critical', reason: 'leader died' }, userId: '300000000000000001', channelId: CHANNEL, id: '500000000000000010' });
    gateway.dispatch('INTERACTION_CREATE', interaction);
    await waitFor(() => discord.followUps(interaction.token), (calls) => calls.some((c) => c.kind === 'callback'), { what: 'the new leader’s answer' });
    const [record] = await waitFor(() => follower!.rewind.store.list({ limit: 5 }), (list) => list.length === 1, { what: 'the rollback' });
    expect((await follower.waitForState(record!.id, 'succeeded')).trigger).toMatchObject({ kind: 'manual', source: 'discord' });
    expect(target.switches).toBe(1);
  });
});
