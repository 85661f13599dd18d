/**
 * Gateway mode: one leader across replicas holds the discord.js connection (Guilds intent only,
 * for interactions). Each INTERACTION_CREATE goes through the same handler as HTTP interactions
 * and is answered through REST's interaction callback.
 */
import type { REST } from '@discordjs/rest';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { Routes } from 'discord-api-types/v10';
import type { Logger } from '../../observability/logger';
import type { LeaderCallbacks, Leadership } from '../../domain/ports';
import type { DiscordInteractionHandler } from './discord-interaction-handler';
import { Interaction } from './discord-payloads';
import type { DiscordSettings } from './discord-settings';

export class DiscordGateway {
  private client: Client | undefined;
  private readonly callbacks: LeaderCallbacks;

  constructor(
    private readonly settings: DiscordSettings,
    private readonly handler: DiscordInteractionHandler,
    private readonly rest: Pick<REST, 'post'>,
    /** Only the leader holds the connection: two would both receive, and answer, every interaction. */
    private readonly election: Leadership,
    private readonly logger: Logger,
  ) {
    this.callbacks = { onElected: () => this.connect(), onDemoted: () => this.disconnect() };
  }

  start(): Promise<void> {
    return this.election.start(this.callbacks);
  }

  stop(): Promise<void> {
    return this.election.stop(this.callbacks);
  }

  private async connect(): Promise<void> {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: this.settings.apiUrl } });
    client.on(Events.Raw, (packet: { t?: string; d?: unknown }) => {
      if (packet.t === 'INTERACTION_CREATE') void this.answer(packet.d);
    });
    client.on(Events.Error, (error) => this.logger.error({ err: error }, 'discord gateway error'));
    this.client = client;
    await client.login(this.settings.token);
    this.logger.info('connected to the Discord gateway');
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.destroy();
  }

  private async answer(raw: unknown): Promise<void> {
    const parsed = Interaction.safeParse(raw);
    if (!parsed.success) return;
    try {
      const body = await this.handler.handle(parsed.data);
      await this.rest.post(Routes.interactionCallback(parsed.data.id, parsed.data.token), { body, auth: false });
    } catch (error) {
      this.logger.error({ err: error, interaction: parsed.data.id }, 'could not answer a Discord interaction');
    }
  }
}
