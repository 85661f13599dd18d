/**
 * Sends Discord HTTP interactions to Rewind the way Discord does: Ed25519 over `timestamp + rawBody`
 * (`X-Signature-Ed25519`, `X-Signature-Timestamp`) with a test key pair, and payloads shaped like
 * Discord's (see shared/fixtures/discord-interaction-*.json), typed with discord-api-types.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  MessageType,
  type GuildMemberFlags,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentGuildInteraction,
  type APIModalSubmitGuildInteraction,
  type APIPingInteraction,
} from 'discord-api-types/v10';

/** The ids the fixtures use; the application id is also the fake Discord API's default. */
export const DISCORD_TEST_IDS = {
  applicationId: '1170000000000000000',
  guildId: '1100000000000000000',
  channelId: '1110000000000000000',
  commandId: '1160000000000000000',
} as const;

export interface DiscordKeys {
  /** The 32 raw public-key bytes in hex, as the developer portal shows it (Rewind's `publicKey` setting). */
  publicKeyHex: string;
  /** Hex Ed25519 signature over `timestamp + body`. */
  sign(timestamp: string, body: string): string;
}

export function generateDiscordKeys(): DiscordKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // SPKI DER of an Ed25519 key is a fixed 12-byte prefix followed by the 32 raw key bytes.
  const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  return { publicKeyHex, sign: (timestamp, body) => sign(null, Buffer.from(timestamp + body), privateKey).toString('hex') };
}

/** One key pair for a whole test file, for tests that do not care which. */
export const DEFAULT_DISCORD_KEYS = generateDiscordKeys();

export interface InteractionPostOptions {
  keys?: DiscordKeys;
  /** Seconds since the epoch, as a string; defaults to now. */
  timestamp?: string;
  /** Sign correctly, then flip one byte: a well-formed signature that does not verify, as Discord sends on purpose. */
  badSignature?: boolean;
  /** Sent in place of the two signature headers (`{}`: no signature at all). */
  headers?: Record<string, string>;
}

/** POSTs `body` (an object is JSON-encoded; a string is sent as it is) to Rewind's `/discord/interactions`. */
export async function postInteraction(baseUrl: string, body: object | string, options: InteractionPostOptions = {}): Promise<Response> {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  let signature = (options.keys ?? DEFAULT_DISCORD_KEYS).sign(timestamp, rawBody);
  if (options.badSignature) signature = `${signature.slice(0, -2)}${signature.endsWith('00') ? '01' : '00'}`;
  const headers = options.headers ?? { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
  return fetch(`${baseUrl}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: rawBody });
}

const DISCORD_EPOCH_MS = 1_420_070_400_000n;
let increment = 0n;

/** A real-looking snowflake (timestamp, worker, increment): unique and increasing within a test process. */
function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return String(((BigInt(Date.now()) - DISCORD_EPOCH_MS) << 22n) | (BigInt(process.pid & 0x1f) << 17n) | increment);
}

/** Interaction tokens are opaque; like the fixtures', these are base64url text. */
function interactionToken(id: string): string {
  return Buffer.from(`interaction:${id}:${randomBytes(12).toString('hex')}`).toString('base64url');
}

export interface InteractionActor {
  userId: string;
  roles?: string[];
  username?: string;
  channelId?: string;
  guildId?: string;
  id?: string;
  token?: string;
}

function member(actor: InteractionActor): APIInteractionGuildMember {
  const username = actor.username ?? `user${actor.userId.slice(-4)}`;
  return {
    user: { id: actor.userId, username, global_name: null, discriminator: '0', avatar: null },
    roles: actor.roles ?? [],
    permissions: '2248473465835073',
    joined_at: '2024-01-01T00:00:00.000000+00:00',
    nick: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
  };
}

/** The fields every guild interaction carries, as in the fixtures. */
function guildBase(actor: InteractionActor) {
  const id = actor.id ?? snowflake();
  const guildId = actor.guildId ?? DISCORD_TEST_IDS.guildId;
  const channelId = actor.channelId ?? DISCORD_TEST_IDS.channelId;
  return {
    id,
    application_id: DISCORD_TEST_IDS.applicationId,
    token: actor.token ?? interactionToken(id),
    version: 1 as const,
    guild_id: guildId,
    channel_id: channelId,
    channel: { id: channelId, type: ChannelType.GuildText as const, name: 'incident-42', guild_id: guildId },
    member: member(actor),
    app_permissions: '2248473465835073',
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { 0: guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
  };
}

export type OptionValue = string | number | boolean;

/** Options as Discord sends them: type from the value (string 3, integer 4, boolean 5, number 10). */
function commandOptions(values: Record<string, OptionValue>): APIApplicationCommandInteractionDataBasicOption[] {
  return Object.entries(values).map(([name, value]): APIApplicationCommandInteractionDataBasicOption => {
    if (typeof value === 'string') return { name, type: ApplicationCommandOptionType.String, value };
    if (typeof value === 'boolean') return { name, type: ApplicationCommandOptionType.Boolean, value };
    return Number.isInteger(value) ? { name, type: ApplicationCommandOptionType.Integer, value } : { name, type: ApplicationCommandOptionType.Number, value };
  });
}

export function pingInteraction(): APIPingInteraction {
  const id = snowflake();
  return {
    id,
    application_id: DISCORD_TEST_IDS.applicationId,
    type: InteractionType.Ping,
    token: interactionToken(id),
    version: 1,
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: {},
    attachment_size_limit: 10_485_760,
  };
}

/** `/rollback <subcommand>` with these options under the subcommand, as Discord nests them. */
function subcommandData(command: string | undefined, subcommand: string, options: APIApplicationCommandInteractionDataBasicOption[]) {
  return {
    id: DISCORD_TEST_IDS.commandId,
    name: command ?? 'rollback',
    type: ApplicationCommandType.ChatInput as const,
    options: [{ name: subcommand, type: ApplicationCommandOptionType.Subcommand as const, options }],
  };
}

export interface CommandInteractionInput extends InteractionActor {
  subcommand: string;
  options?: Record<string, OptionValue>;
  /** The top-level command; `rollback` unless told. */
  command?: string;
}

/** `/rollback <subcommand> …`: APPLICATION_COMMAND (type 2), options nested under the subcommand. */
export function commandInteraction(input: CommandInteractionInput): APIChatInputApplicationCommandGuildInteraction {
  return {
    ...guildBase(input),
    type: InteractionType.ApplicationCommand,
    data: subcommandData(input.command, input.subcommand, commandOptions(input.options ?? {})),
  };
}

export interface AutocompleteInteractionInput extends InteractionActor {
  subcommand: string;
  /** The option being typed, and what is typed so far. */
  focused: { name: string; value: string };
  /** Options already filled in. */
  options?: Record<string, OptionValue>;
  command?: string;
}

/** APPLICATION_COMMAND_AUTOCOMPLETE (type 4): the focused option comes last with `focused: true`. */
export function autocompleteInteraction(input: AutocompleteInteractionInput): APIApplicationCommandAutocompleteGuildInteraction {
  const focused = { name: input.focused.name, type: ApplicationCommandOptionType.String as const, value: input.focused.value, focused: true };
  return {
    ...guildBase(input),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: subcommandData(input.command, input.subcommand, [...commandOptions(input.options ?? {}), focused]),
  };
}

/** The bot's message a component sits on, as Discord includes it in the interaction. */
function botMessage(id: string, channelId: string, fields: Partial<APIMessage> = {}): APIMessage {
  return {
    id,
    channel_id: channelId,
    type: MessageType.Default,
    content: '',
    author: { id: DISCORD_TEST_IDS.applicationId, username: 'rewind', global_name: null, discriminator: '0', avatar: null, bot: true },
    embeds: [],
    components: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    ...fields,
  };
}

export interface ComponentInteractionInput extends InteractionActor {
  customId: string;
  /** The message the button is on. */
  messageId: string;
  /** Embeds, components, … of that message, when the handler reads them. */
  message?: Partial<APIMessage>;
}

/** MESSAGE_COMPONENT (type 3): a button click on `messageId`. */
export function componentInteraction(input: ComponentInteractionInput): APIMessageComponentGuildInteraction {
  const base = guildBase(input);
  return {
    ...base,
    type: InteractionType.MessageComponent,
    message: botMessage(input.messageId, base.channel_id, input.message),
    data: { custom_id: input.customId, component_type: ComponentType.Button },
  };
}

export interface ModalSubmitInteractionInput extends InteractionActor {
  customId: string;
  /** Text input custom_id → what was typed. */
  fields: Record<string, string>;
  /** Set when the modal was opened from a button on this message. */
  messageId?: string;
}

/** MODAL_SUBMIT (type 5): one action row per text input, as Discord sends a classic modal back. */
export function modalSubmitInteraction(input: ModalSubmitInteractionInput): APIModalSubmitGuildInteraction {
  const base = guildBase(input);
  return {
    ...base,
    type: InteractionType.ModalSubmit,
    ...(input.messageId === undefined ? {} : { message: botMessage(input.messageId, base.channel_id) }),
    data: {
      custom_id: input.customId,
      components: Object.entries(input.fields).map(([customId, value]) => ({
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.TextInput, custom_id: customId, value }],
      })),
    },
  };
}
