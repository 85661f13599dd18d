/**
 * A local stand-in for Discord's REST API v10 on a real HTTP server, for @discordjs/rest pointed at
 * `apiBase`: channel messages, threads started from them, interaction callbacks and webhooks, and
 * command registration. It answers with Discord's shapes and error JSON, refuses what breaks
 * Discord's message/embed/component/command limits (400, code 50035, with Discord's `errors` tree),
 * sends Discord's rate-limit headers per route bucket, and fails on demand (429s, 5xx, or an answer
 * lost after the call took effect). Message creates honour `nonce` with `enforce_nonce` as Discord does.
 *
 * Files: a message create may come as multipart/form-data, as Discord's "Uploading Files" documents
 * and @discordjs/rest sends it: the JSON body in a `payload_json` part, each file in a `files[n]`
 * part (with its filename and content type), and `attachments: [{ id: n, filename, description? }]`
 * in the JSON naming them. The answer lists them under `attachments` with an id, size and url.
 */
import { createHash } from 'node:crypto';
import {
  ChannelType,
  MessageFlags,
  MessageType,
  type APIApplicationCommand,
  type APIEmbed,
  type APIMessage,
  type APIMessageTopLevelComponent,
  type APIThreadChannel,
  type APIUser,
  type ThreadAutoArchiveDuration,
} from 'discord-api-types/v10';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

export const FAKE_DISCORD_TOKEN = 'fake-discord-bot-token';
export const FAKE_DISCORD_APPLICATION_ID = '1170000000000000000';
export const FAKE_DISCORD_GUILD_ID = '1100000000000000000';

export interface FakeDiscordOptions {
  /** The bot token `Authorization: Bot …` must carry. */
  token?: string;
  /** Also the bot user's id, as for any application created since 2020. */
  applicationId?: string;
  /** When given, any other channel (threads the fake started excepted) is 404 Unknown Channel. */
  channels?: string[];
  /** The guild that threads report. */
  guildId?: string;
  /** What each route bucket allows per major parameter (default 50 per second); past it, a real 429. */
  rateLimit?: { limit: number; windowSeconds: number };
  /** What `GET /gateway/bot` hands out: a FakeDiscordGateway's `url`. */
  gatewayUrl?: () => string;
}

export interface DiscordCall {
  method: string;
  /** Below `/api/v10`, decoded (REST sends `@me` as `%40me`), e.g. `/channels/1110000000000000000/messages`. */
  path: string;
  /** The route with its parameters named, e.g. `/channels/:channel/messages` (the path when no route matched). */
  route: string;
  /** The JSON body as sent (undefined when none). */
  body: unknown;
  /** The HTTP status the fake answered. */
  status: number;
  at: number;
  /** The call was applied but its answer held back (see `hangNext`). */
  hung?: true;
  /** Files sent as multipart parts, by field name (`files[0]`, …). */
  files?: { field: string; filename: string; contentType: string; content: string }[];
}

/** A message as the fake holds it now. */
export interface FakeDiscordMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  /** The application, on interaction responses and follow-ups. */
  webhook_id?: string;
  /** How many times it was edited. */
  updates: number;
  /** The thread started from it (whose id is this message's id). */
  thread?: string;
  /** As sent with the create. */
  nonce?: string | number;
  /** Files uploaded with the create (multipart). */
  attachments?: FakeAttachment[];
}

export interface FakeAttachment {
  id: string;
  filename: string;
  description?: string;
  content_type: string;
  size: number;
  url: string;
  /** The file's bytes, as UTF-8. */
  content: string;
}

/** One part of a multipart/form-data body. */
interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  content: string;
}

/** One thing done with an interaction token, in order. */
export interface FakeInteractionCall {
  /** `callback`: the initial response (gateway mode); `edit-original`: PATCH …/messages/@original. */
  kind: 'callback' | 'follow-up' | 'edit-original' | 'edit-follow-up';
  body: Record<string, unknown>;
  /** The message it created or edited (none for callbacks that make none). */
  messageId?: string;
  /** `flags` had 64 (EPHEMERAL). */
  ephemeral: boolean;
  at: number;
}

/** The last body each scope's bulk overwrite sent. */
export interface FakeCommandRegistrations {
  global?: Record<string, unknown>[];
  /** By guild id. */
  guilds: Record<string, Record<string, unknown>[]>;
}

export type DiscordFailure =
  | { status: 429; retryAfterSeconds: number; global?: boolean; count?: number }
  | { status: 500 | 502 | 503; count?: number };

/**
 * A call that Discord carries out but whose answer is lost: the effect is applied, then the answer is
 * held for `afterMs` (the client has given up by then) or, without it, until the fake closes.
 */
export interface DiscordHang {
  afterMs?: number;
  /** How many matching calls hang (default 1). */
  count?: number;
  /** Only calls this accepts (path and decoded body); every call matching the route by default. */
  when?: (call: { path: string; body: unknown }) => boolean;
}

type Params = Record<string, string>;
type Path = (string | number)[];

interface Route {
  method: string;
  template: string;
  /** Bot routes need `Authorization: Bot <token>` and count against the global limit; webhook and interaction routes need neither. */
  bot: boolean;
  /** The parameter that scopes a bucket, as Discord's major parameters (channel, guild, webhook) do. */
  major: string;
  handle: (params: Params, body: unknown, files: FormPart[]) => FakeAnswer;
  /** Whether the route takes multipart bodies with files (message creates). */
  files?: boolean;
}

const API_PREFIX = '/api/v10';
const FIRST_SNOWFLAKE = 1_300_000_000_000_000_000n;
const THREAD_DURATIONS = [60, 1440, 4320, 10080];
const CALLBACK_TYPES = [1, 4, 5, 6, 7, 8, 9, 10, 12];
/** Discord checks an enforced nonce against the sender's messages of "the past few minutes"; the fake keeps them this long. */
const NONCE_WINDOW_MS = 5 * 60_000;
/** Discord's documented limits (see shared FACTS.md). */
const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedTotal: 6000,
  rows: 5,
  perRow: 5,
  customId: 100,
  label: 80,
  selectOptions: 25,
  commands: 100,
  options: 25,
  choices: 25,
};
const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const SELECT_TYPES = [3, 5, 6, 7, 8];

const answer = (status: number, body?: unknown): FakeAnswer => ({ status, body });
const discordError = (status: number, code: number, message: string): FakeAnswer => answer(status, { message, code });
const ERRORS = {
  notFound: discordError(404, 0, '404: Not Found'),
  methodNotAllowed: discordError(405, 0, '405: Method Not Allowed'),
  unauthorized: discordError(401, 0, '401: Unauthorized'),
  invalidJson: discordError(400, 50109, 'The request body contains invalid JSON.'),
  unknownChannel: discordError(404, 10003, 'Unknown Channel'),
  unknownMessage: discordError(404, 10008, 'Unknown Message'),
  unknownWebhook: discordError(404, 10015, 'Unknown Webhook'),
  missingAccess: discordError(403, 50001, 'Missing Access'),
  emptyMessage: discordError(400, 50006, 'Cannot send an empty message'),
  wrongChannelType: discordError(400, 50024, 'Cannot execute action on this channel type'),
  alreadyAcknowledged: discordError(400, 40060, 'Interaction has already been acknowledged.'),
  threadExists: discordError(400, 160004, 'A thread has already been created for this message'),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Params of `template` (`/channels/:channel/messages`) in `path`, or undefined when it does not match. */
function matchPath(template: string, path: string): Params | undefined {
  const wanted = template.split('/');
  const actual = path.split('/');
  if (wanted.length !== actual.length) return undefined;
  const params: Params = {};
  for (const [i, segment] of wanted.entries()) {
    const value = actual[i] ?? '';
    if (segment.startsWith(':')) params[segment.slice(1)] = value;
    else if (segment !== value) return undefined;
  }
  return params;
}

/** `'POST /channels/:id/messages'` (any `:name` matches any segment; literal segments must be equal) against a request. */
function matchesRoute(pattern: string, method: string, path: string): boolean {
  const [wantedMethod = '', template = ''] = pattern.trim().split(/\s+/);
  return wantedMethod.toUpperCase() === method && matchPath(template, path) !== undefined;
}

/** Discord's `Invalid Form Body` errors, collected by path and answered as its nested `errors` tree. */
class FormErrors {
  private readonly problems: { path: Path; code: string; message: string }[] = [];

  add(path: Path, code: string, message: string): void {
    this.problems.push({ path, code, message });
  }

  get any(): boolean {
    return this.problems.length > 0;
  }

  /** Checks an optional (or `required`) string's length; returns its length for totals. */
  text(path: Path, value: unknown, limits: { max: number; min?: number; required?: boolean }): number {
    if (value === undefined || value === null) {
      if (limits.required) this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return 0;
    }
    if (typeof value !== 'string') {
      this.add(path, 'STRING_TYPE_CONVERT', `Could not interpret "${JSON.stringify(value)}" as string.`);
      return 0;
    }
    const min = limits.min ?? 0;
    if (min > 0 && (value.length < min || value.length > limits.max)) this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${limits.max} in length.`);
    else if (value.length > limits.max) this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${limits.max} or fewer in length.`);
    return value.length;
  }

  /** Checks an optional array's length; returns its items (none when absent, null or not an array). */
  list(path: Path, value: unknown, limits: { max: number; min?: number }): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
      return [];
    }
    if (value.length > limits.max) this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${limits.max} or fewer in length.`);
    if (value.length < (limits.min ?? 0)) this.add(path, 'BASE_TYPE_MIN_LENGTH', `Must be ${limits.min ?? 0} or more in length.`);
    return value;
  }

  /** A string unique among `seen` (custom ids, names), with its length checked. */
  uniqueText(path: Path, value: unknown, seen: Set<string>, duplicate: { code: string; message: string }, limits: { max: number; min?: number; required?: boolean }): void {
    this.text(path, value, limits);
    if (typeof value !== 'string') return;
    if (seen.has(value)) this.add(path, duplicate.code, duplicate.message);
    seen.add(value);
  }

  answer(): FakeAnswer {
    const errors: Record<string, unknown> = {};
    for (const { path, code, message } of this.problems) {
      let node = errors;
      for (const key of path) {
        const child = isRecord(node[String(key)]) ? (node[String(key)] as Record<string, unknown>) : {};
        node[String(key)] = child;
        node = child;
      }
      const list = Array.isArray(node['_errors']) ? (node['_errors'] as unknown[]) : [];
      list.push({ code, message });
      node['_errors'] = list;
    }
    return answer(400, { code: 50035, message: 'Invalid Form Body', errors });
  }
}

function embedProblems(form: FormErrors, embeds: unknown[], at: Path): void {
  let total = 0;
  embeds.forEach((embed, i) => {
    const path = [...at, i];
    if (!isRecord(embed)) return form.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    total += form.text([...path, 'title'], embed['title'], { max: LIMITS.title });
    total += form.text([...path, 'description'], embed['description'], { max: LIMITS.description });
    form.list([...path, 'fields'], embed['fields'], { max: LIMITS.fields }).forEach((field, f) => {
      const fieldPath = [...path, 'fields', f];
      if (!isRecord(field)) return form.add(fieldPath, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      total += form.text([...fieldPath, 'name'], field['name'], { min: 1, max: LIMITS.fieldName, required: true });
      total += form.text([...fieldPath, 'value'], field['value'], { min: 1, max: LIMITS.fieldValue, required: true });
    });
    const { footer, author, color } = embed;
    if (isRecord(footer)) total += form.text([...path, 'footer', 'text'], footer['text'], { max: LIMITS.footer, required: true });
    if (isRecord(author)) total += form.text([...path, 'author', 'name'], author['name'], { max: LIMITS.author, required: true });
    if (color !== undefined && color !== null && !(Number.isInteger(color) && (color as number) >= 0 && (color as number) <= 0xffffff)) {
      form.add([...path, 'color'], 'NUMBER_TYPE_COERCE', `Value "${String(color)}" is not int.`);
    }
  });
  if (total > LIMITS.embedTotal) form.add(at, 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${LIMITS.embedTotal}`);
}

const DUPLICATE_CUSTOM_ID = { code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' };

/** Classic components: up to 5 action rows of up to 5 buttons, or one select menu; custom ids unique in the message. */
function componentProblems(form: FormErrors, rows: unknown[], at: Path): void {
  const customIds = new Set<string>();
  rows.forEach((row, r) => {
    const rowPath = [...at, r];
    if (!isRecord(row) || row['type'] !== 1) return form.add([...rowPath, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
    const children = form.list([...rowPath, 'components'], row['components'], { min: 1, max: LIMITS.perRow });
    children.forEach((child, c) => {
      const path = [...rowPath, 'components', c];
      if (!isRecord(child)) return form.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      const type = child['type'];
      if (type === 2) {
        form.text([...path, 'label'], child['label'], { max: LIMITS.label });
        if (child['style'] === 5) form.text([...path, 'url'], child['url'], { max: 512, required: true });
        else if (child['style'] !== 6) form.uniqueText([...path, 'custom_id'], child['custom_id'], customIds, DUPLICATE_CUSTOM_ID, { min: 1, max: LIMITS.customId, required: true });
        if (!(typeof child['style'] === 'number' && child['style'] >= 1 && child['style'] <= 6)) form.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
      } else if (typeof type === 'number' && SELECT_TYPES.includes(type)) {
        if (children.length > 1) form.add(path, 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
        form.uniqueText([...path, 'custom_id'], child['custom_id'], customIds, DUPLICATE_CUSTOM_ID, { min: 1, max: LIMITS.customId, required: true });
        form.text([...path, 'placeholder'], child['placeholder'], { max: 150 });
        if (type === 3) {
          form.list([...path, 'options'], child['options'], { min: 1, max: LIMITS.selectOptions }).forEach((option, o) => {
            const optionPath = [...path, 'options', o];
            if (!isRecord(option)) return form.add(optionPath, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
            form.text([...optionPath, 'label'], option['label'], { min: 1, max: 100, required: true });
            form.text([...optionPath, 'value'], option['value'], { min: 1, max: 100, required: true });
            form.text([...optionPath, 'description'], option['description'], { max: 100 });
          });
        }
      } else form.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).');
    });
  });
}

/** What Discord checks in a message body (create or edit), under `at` (`['data']` in interaction callbacks). */
function messageProblems(form: FormErrors, body: Record<string, unknown>, at: Path = []): void {
  form.text([...at, 'content'], body['content'], { max: LIMITS.content });
  embedProblems(form, form.list([...at, 'embeds'], body['embeds'], { max: LIMITS.embeds }), [...at, 'embeds']);
  const flags = typeof body['flags'] === 'number' ? body['flags'] : 0;
  // Components V2 layouts (flag 32768) are not checked by this fake beyond being an array.
  if ((flags & MessageFlags.IsComponentsV2) !== 0) form.list([...at, 'components'], body['components'], { max: 40 });
  else componentProblems(form, form.list([...at, 'components'], body['components'], { max: LIMITS.rows }), [...at, 'components']);
}

function isEmptyMessage(message: { content: string; embeds: unknown[]; components: unknown[]; attachments?: unknown[] }, body: Record<string, unknown>): boolean {
  return message.content === '' && message.embeds.length === 0 && message.components.length === 0 && !message.attachments?.length && !body['sticker_ids'] && !body['poll'];
}

/** Splits a multipart/form-data body (RFC 7578) into its parts; undefined when it is not well formed. */
function parseMultipart(contentType: string, body: string): FormPart[] | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const delimiter = `--${boundary}`;
  if (!body.startsWith(delimiter)) return undefined;
  const parts: FormPart[] = [];
  for (const chunk of body.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (!chunk.startsWith('\r\n') || headerEnd < 0) return undefined;
    const headers = chunk.slice(2, headerEnd);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({ name, content: chunk.slice(headerEnd + 4, chunk.endsWith('\r\n') ? -2 : undefined), ...(filename === undefined ? {} : { filename }), ...(type ? { contentType: type } : {}) });
  }
  return parts;
}

const DUPLICATE_OPTION = { code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', message: 'Option names must be unique' };
const DUPLICATE_COMMAND = { code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' };

function commandName(form: FormErrors, path: Path, name: unknown, seen: Set<string>, duplicate: { code: string; message: string }): void {
  form.uniqueText(path, name, seen, duplicate, { min: 1, max: 32, required: true });
  if (typeof name === 'string' && (!COMMAND_NAME.test(name) || name !== name.toLowerCase())) form.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
}

/** Options: ≤ 25, names valid and unique, descriptions 1–100, required before optional, ≤ 25 choices; sub-commands nest. */
function optionProblems(form: FormErrors, options: unknown, at: Path): void {
  const names = new Set<string>();
  let sawOptional = false;
  form.list(at, options, { max: LIMITS.options }).forEach((option, i) => {
    const path = [...at, i];
    if (!isRecord(option)) return form.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    commandName(form, [...path, 'name'], option['name'], names, DUPLICATE_OPTION);
    form.text([...path, 'description'], option['description'], { min: 1, max: 100, required: true });
    if (option['type'] === 1 || option['type'] === 2) return optionProblems(form, option['options'], [...path, 'options']);
    if (option['required'] === true && sawOptional) form.add([...path, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    if (option['required'] !== true) sawOptional = true;
    form.list([...path, 'choices'], option['choices'], { max: LIMITS.choices }).forEach((choice, c) => {
      form.text([...path, 'choices', c, 'name'], isRecord(choice) ? choice['name'] : undefined, { min: 1, max: 100, required: true });
    });
  });
}

function commandProblems(form: FormErrors, commands: unknown[]): void {
  const names = new Set<string>();
  commands.forEach((command, i) => {
    if (!isRecord(command)) return form.add([i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const chatInput = (command['type'] ?? 1) === 1;
    if (chatInput) {
      commandName(form, [i, 'name'], command['name'], names, DUPLICATE_COMMAND);
      form.text([i, 'description'], command['description'], { min: 1, max: 100, required: true });
      optionProblems(form, command['options'], [i, 'options']);
    } else {
      form.uniqueText([i, 'name'], command['name'], names, DUPLICATE_COMMAND, { min: 1, max: 32, required: true });
      if (command['description']) form.add([i, 'description'], 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', 'Context menu commands cannot have description');
    }
  });
}

/** Per-route buckets (per major parameter) and the global lock, with the headers Discord sends about them. */
class RateLimits {
  private readonly windows = new Map<string, { remaining: number; resetAt: number }>();
  private globalResetAt = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  static bucketOf(route: Route): string {
    return createHash('sha1').update(`${route.method} ${route.template}`).digest('hex').slice(0, 32);
  }

  /** Counts a request: the success headers to send, or the 429 it gets when its bucket (or, for bot routes, the global limit) is spent. */
  take(route: Route, major: string): { headers: Record<string, string> } | { limited: FakeAnswer } {
    const now = Date.now();
    if (route.bot && now < this.globalResetAt) return { limited: this.tooMany((this.globalResetAt - now) / 1000, true) };
    const key = `${RateLimits.bucketOf(route)}:${major}`;
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { remaining: this.limit, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    if (window.remaining <= 0) return { limited: this.tooMany((window.resetAt - now) / 1000, false, route, major) };
    window.remaining--;
    return { headers: this.bucketHeaders(route, window.remaining, window.resetAt) };
  }

  /** A 429 as Discord sends it; it also holds the bucket (or everything) until it passes, so a client that does not wait gets another. */
  tooMany(retryAfterSeconds: number, global: boolean, route?: Route, major = ''): FakeAnswer {
    const retryAfter = Math.max(0, Math.round(retryAfterSeconds * 1000) / 1000);
    const resetAt = Date.now() + retryAfter * 1000;
    let headers: Record<string, string> = { 'retry-after': String(retryAfter) };
    if (global) {
      this.globalResetAt = Math.max(this.globalResetAt, resetAt);
      headers = { ...headers, 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' };
    } else if (route) {
      this.windows.set(`${RateLimits.bucketOf(route)}:${major}`, { remaining: 0, resetAt });
      headers = { ...headers, ...this.bucketHeaders(route, 0, resetAt), 'x-ratelimit-scope': 'user' };
    }
    return { status: 429, body: { message: 'You are being rate limited.', retry_after: retryAfter, global }, headers };
  }

  private bucketHeaders(route: Route, remaining: number, resetAt: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': (Math.max(0, resetAt - Date.now()) / 1000).toFixed(3),
      'x-ratelimit-bucket': RateLimits.bucketOf(route),
    };
  }
}

function serverError(status: 500 | 502 | 503): FakeAnswer {
  // Discord's edge answers a 502 with an HTML page, not JSON.
  if (status === 502) return { status, body: '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } };
  return discordError(status, 0, status === 500 ? '500: Internal Server Error' : '503: Service Unavailable');
}

export class FakeDiscord {
  /** Every request under /api/v10, in the order received (refused ones too). */
  readonly calls: DiscordCall[] = [];
  private readonly allMessages: FakeDiscordMessage[] = [];
  private readonly threadsById = new Map<string, APIThreadChannel>();
  private readonly interactionCalls = new Map<string, FakeInteractionCall[]>();
  /** By interaction token: its messages, `@original` for the initial response. */
  private readonly interactionMessages = new Map<string, Map<string, FakeDiscordMessage>>();
  private readonly acknowledged = new Set<string>();
  private readonly registrations: FakeCommandRegistrations = { guilds: {} };
  private readonly commandIds = new Map<string, string>();
  private readonly failures = new FailureQueue<DiscordFailure>();
  private readonly hangs: { route: string; hang: DiscordHang; remaining: number }[] = [];
  private readonly heldTimers = new Set<NodeJS.Timeout>();
  /** Enforced nonces of the bot's messages: the message and when it was created. */
  private readonly nonces = new Map<string, { message: FakeDiscordMessage; at: number }>();
  private readonly knownChannels: Set<string> | undefined;
  private readonly token: string;
  private readonly applicationId: string;
  private readonly guildId: string;
  private readonly limits: RateLimits;
  private readonly gatewayUrl: (() => string) | undefined;
  private server: HttpFakeServer | undefined;
  private sequence = FIRST_SNOWFLAKE;
  private readonly routes: Route[] = [
    { method: 'GET', template: '/users/@me', bot: true, major: '', handle: () => answer(200, this.botUser()) },
    {
      method: 'GET',
      template: '/gateway/bot',
      bot: true,
      major: '',
      handle: () => answer(200, { url: this.gatewayUrl?.() ?? 'ws://127.0.0.1:1', shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 } }),
    },
    { method: 'POST', template: '/channels/:channel/messages', bot: true, major: 'channel', files: true, handle: (p, body, files) => this.postMessage(p['channel']!, body, files) },
    { method: 'GET', template: '/channels/:channel/messages/:message', bot: true, major: 'channel', handle: (p) => this.getMessage(p['channel']!, p['message']!) },
    { method: 'PATCH', template: '/channels/:channel/messages/:message', bot: true, major: 'channel', handle: (p, body) => this.editMessage(p['channel']!, p['message']!, body) },
    { method: 'POST', template: '/channels/:channel/messages/:message/threads', bot: true, major: 'channel', handle: (p, body) => this.startThread(p['channel']!, p['message']!, body) },
    { method: 'POST', template: '/webhooks/:application/:token', bot: false, major: 'token', handle: (p, body) => this.followUp(p['application']!, p['token']!, body) },
    {
      method: 'PATCH',
      template: '/webhooks/:application/:token/messages/:message',
      bot: false,
      major: 'token',
      handle: (p, body) => this.editInteractionMessage(p['application']!, p['token']!, p['message']!, body),
    },
    { method: 'POST', template: '/interactions/:interaction/:token/callback', bot: false, major: 'token', handle: (p, body) => this.callback(p['interaction']!, p['token']!, body) },
    { method: 'PUT', template: '/applications/:application/commands', bot: true, major: 'application', handle: (p, body) => this.registerCommands(p['application']!, undefined, body) },
    {
      method: 'PUT',
      template: '/applications/:application/guilds/:guild/commands',
      bot: true,
      major: 'guild',
      handle: (p, body) => this.registerCommands(p['application']!, p['guild']!, body),
    },
  ];

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token ?? FAKE_DISCORD_TOKEN;
    this.applicationId = options.applicationId ?? FAKE_DISCORD_APPLICATION_ID;
    this.guildId = options.guildId ?? FAKE_DISCORD_GUILD_ID;
    this.knownChannels = options.channels ? new Set(options.channels) : undefined;
    const rateLimit = options.rateLimit ?? { limit: 50, windowSeconds: 1 };
    this.limits = new RateLimits(rateLimit.limit, rateLimit.windowSeconds * 1000);
    this.gatewayUrl = options.gatewayUrl;
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    fake.server = await HttpFakeServer.listen('fake Discord', (request) => fake.handle(request));
    return fake;
  }

  /** `http://127.0.0.1:PORT/api`: pass it as REST's `api` option (REST appends `/v10`). */
  get apiBase(): string {
    if (!this.server) throw new Error('FakeDiscord is not started');
    return `${this.server.base}/api`;
  }

  /** Calls whose method and path match `routePattern` (`/channels/:id/messages`, or with literal ids). */
  callsTo(method: string, routePattern: string): DiscordCall[] {
    return this.calls.filter((call) => matchesRoute(`${method} ${routePattern}`, call.method, call.path));
  }

  /** The current state of a channel's (or thread's) messages, oldest first. */
  messages(channelId: string): FakeDiscordMessage[] {
    return structuredClone(this.allMessages.filter((message) => message.channel_id === channelId));
  }

  /** Every thread started, oldest first, as Discord returned them. */
  threads(): APIThreadChannel[] {
    return structuredClone([...this.threadsById.values()]);
  }

  /** Everything done with an interaction token: callback, follow-ups, edits, in order. */
  followUps(token: string): FakeInteractionCall[] {
    return structuredClone(this.interactionCalls.get(token) ?? []);
  }

  /** The interaction's original response as it stands (after the callback and any edits of `@original`). */
  original(token: string): FakeDiscordMessage | undefined {
    const message = this.interactionMessages.get(token)?.get('@original');
    return message && structuredClone(message);
  }

  commandRegistrations(): FakeCommandRegistrations {
    return structuredClone(this.registrations);
  }

  /**
   * The next `count` (default 1) requests matching `route` (`'POST /channels/:id/messages'`; literal ids
   * narrow it) fail: 429s as Discord's rate limiter sends them, or an outage's 5xx.
   */
  failNext(route: string, failure: DiscordFailure): this {
    this.failures.add(route, failure);
    return this;
  }

  /**
   * The next `count` (default 1) requests matching `route` (and `when`) take effect, but their answer
   * is lost: held `afterMs`, or until the fake closes.
   */
  hangNext(route: string, hang: DiscordHang = {}): this {
    this.hangs.push({ route, hang, remaining: hang.count ?? 1 });
    return this;
  }

  async close(): Promise<void> {
    for (const timer of this.heldTimers) clearTimeout(timer);
    this.heldTimers.clear();
    await this.server?.close();
  }

  private handle(request: FakeRequest): FakeAnswer | NoAnswer | Promise<FakeAnswer> {
    const fullPath = decodeURIComponent(request.url.pathname);
    const versioned = fullPath.startsWith(`${API_PREFIX}/`);
    const path = versioned ? fullPath.slice(API_PREFIX.length) : fullPath;
    const matched: { route: Route; params: Params }[] = [];
    for (const route of versioned ? this.routes : []) {
      const params = matchPath(route.template, path);
      if (params) matched.push({ route, params });
    }
    const found = matched.find((m) => m.route.method === request.method);
    const call: DiscordCall = { method: request.method, path, route: found?.route.template ?? path, body: undefined, status: 0, at: Date.now() };
    this.calls.push(call);
    const reply = this.answer(request, call, found, matched.length > 0);
    call.status = reply.status;
    const hang = reply.status === 429 || reply.status >= 500 ? undefined : this.takeHang(call);
    if (!hang) return reply;
    call.hung = true;
    if (hang.afterMs === undefined) return { noAnswer: 'hang' };
    // Never resolved when the fake closes first: the request is dropped with the connection.
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.heldTimers.delete(timer);
        resolve(reply);
      }, hang.afterMs);
      this.heldTimers.add(timer);
    });
  }

  private takeHang(call: DiscordCall): DiscordHang | undefined {
    const index = this.hangs.findIndex(({ route, hang }) => matchesRoute(route, call.method, call.path) && (hang.when?.({ path: call.path, body: call.body }) ?? true));
    const entry = this.hangs[index];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.hangs.splice(index, 1);
    return entry.hang;
  }

  private answer(request: FakeRequest, call: DiscordCall, found: { route: Route; params: Params } | undefined, pathKnown: boolean): FakeAnswer {
    let files: FormPart[] = [];
    const contentType = request.headers['content-type'] ?? '';
    if (request.body !== '' && contentType.startsWith('multipart/form-data') && found?.route.files) {
      const parts = parseMultipart(contentType, request.body);
      if (!parts) return discordError(400, 50035, 'Invalid Form Body');
      const payload = parts.find((part) => part.name === 'payload_json');
      try {
        call.body = payload ? JSON.parse(payload.content) : {};
      } catch {
        return ERRORS.invalidJson;
      }
      files = parts.filter((part) => part.filename !== undefined);
      call.files = files.map((part) => ({ field: part.name, filename: part.filename!, contentType: part.contentType ?? 'application/octet-stream', content: part.content }));
    } else if (request.body !== '') {
      if (!contentType.startsWith('application/json')) return discordError(400, 0, 'The fake Discord API reads JSON bodies (and multipart message creates) only');
      try {
        call.body = JSON.parse(request.body);
      } catch {
        return ERRORS.invalidJson;
      }
    }
    const major = found?.params[found.route.major] ?? '';
    const failure = this.failures.take((pattern) => matchesRoute(pattern, call.method, call.path));
    if (failure?.status === 429) return this.limits.tooMany(failure.retryAfterSeconds, failure.global ?? false, found?.route, major);
    if (failure) return serverError(failure.status);
    if (!found) return pathKnown ? ERRORS.methodNotAllowed : ERRORS.notFound;
    if (found.route.bot && request.headers.authorization !== `Bot ${this.token}`) return ERRORS.unauthorized;
    const taken = this.limits.take(found.route, major);
    if ('limited' in taken) return taken.limited;
    const reply = found.route.handle(found.params, call.body, files);
    return { ...reply, headers: { ...taken.headers, ...reply.headers } };
  }

  private nextId(): string {
    return String(this.sequence++);
  }

  private botUser(): APIUser {
    return { id: this.applicationId, username: 'rewind', global_name: 'Rewind', discriminator: '0', avatar: null, bot: true };
  }

  private channelKnown(channel: string): boolean {
    return this.threadsById.has(channel) || !this.knownChannels || this.knownChannels.has(channel);
  }

  private findMessage(channel: string, id: string): FakeDiscordMessage | undefined {
    return this.allMessages.find((message) => message.id === id && message.channel_id === channel);
  }

  private apiMessage(message: FakeDiscordMessage): APIMessage {
    const { updates: _updates, thread: threadId, webhook_id: webhookId, ...fields } = message;
    const thread = threadId === undefined ? undefined : this.threadsById.get(threadId);
    return {
      ...fields,
      type: MessageType.Default,
      flags: message.flags,
      author: this.botUser(),
      attachments: (message.attachments ?? []).map(({ content: _content, ...attachment }) => ({ ...attachment, proxy_url: attachment.url })),
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      ...(webhookId === undefined ? {} : { webhook_id: webhookId, application_id: this.applicationId }),
      ...(thread ? { thread } : {}),
    };
  }

  private blankMessage(channel: string): FakeDiscordMessage {
    return { id: this.nextId(), channel_id: channel, content: '', embeds: [], components: [], flags: 0, timestamp: new Date().toISOString(), edited_timestamp: null, updates: 0 };
  }

  /**
   * The files of a multipart create as attachments: each `files[n]` part must be named by an
   * `attachments` entry with id n in the JSON (Discord refuses the mismatch), at most 10.
   */
  private attachmentsOf(body: unknown, files: FormPart[]): FakeAttachment[] | FakeAnswer {
    if (files.length === 0) return [];
    const form = new FormErrors();
    const listed = form.list(['attachments'], isRecord(body) ? body['attachments'] : undefined, { max: 10 });
    const attachments: FakeAttachment[] = [];
    files.forEach((file, i) => {
      const index = /^files\[(\d+)\]$/.exec(file.name)?.[1];
      const entry = listed.find((a) => isRecord(a) && String(a['id']) === index);
      if (index === undefined || !isRecord(entry)) return form.add(['attachments', i], 'ATTACHMENT_NOT_FOUND', `No attachment entry names ${file.name}.`);
      const id = this.nextId();
      const filename = typeof entry['filename'] === 'string' ? entry['filename'] : file.filename!;
      attachments.push({
        id,
        filename,
        ...(typeof entry['description'] === 'string' ? { description: entry['description'] } : {}),
        content_type: file.contentType ?? 'application/octet-stream',
        size: Buffer.byteLength(file.content, 'utf8'),
        url: `https://cdn.discordapp.com/attachments/fake/${id}/${filename}`,
        content: file.content,
      });
    });
    return form.any ? form.answer() : attachments;
  }

  /** A new message from a create body, or the refusal Discord would answer. */
  private newMessage(channel: string, body: unknown, attachments: FakeAttachment[] = []): FakeDiscordMessage | FakeAnswer {
    if (!isRecord(body)) return ERRORS.emptyMessage;
    const form = new FormErrors();
    messageProblems(form, body);
    if (form.any) return form.answer();
    const message = this.blankMessage(channel);
    if (attachments.length > 0) message.attachments = attachments;
    this.setContent(message, body);
    return isEmptyMessage(message, body) ? ERRORS.emptyMessage : message;
  }

  /** Applies the fields an edit (or create) body sets; `null` clears, absent keeps. */
  private setContent(message: FakeDiscordMessage, body: Record<string, unknown>): void {
    if ('content' in body) message.content = typeof body['content'] === 'string' ? body['content'] : '';
    if ('embeds' in body) message.embeds = Array.isArray(body['embeds']) ? (body['embeds'] as APIEmbed[]) : [];
    if ('components' in body) message.components = Array.isArray(body['components']) ? (body['components'] as APIMessageTopLevelComponent[]) : [];
    if (typeof body['flags'] === 'number') {
      const settable = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2 | MessageFlags.Ephemeral;
      message.flags = (message.flags & MessageFlags.HasThread) | (body['flags'] & settable);
    }
  }

  /** An edit body applied, or the refusal Discord would answer. */
  private edit(message: FakeDiscordMessage, body: unknown): FakeAnswer | undefined {
    if (!isRecord(body)) return ERRORS.emptyMessage;
    const form = new FormErrors();
    messageProblems(form, { flags: message.flags, ...body });
    if (form.any) return form.answer();
    const edited = structuredClone(message);
    this.setContent(edited, body);
    if (isEmptyMessage(edited, body)) return ERRORS.emptyMessage;
    Object.assign(message, edited, { updates: message.updates + 1, edited_timestamp: new Date().toISOString() });
    return undefined;
  }

  /**
   * As Discord: `nonce` is an integer or a string of up to 25 characters; with `enforce_nonce` a create
   * repeating a nonce of the past few minutes answers the earlier message and creates nothing.
   */
  private postMessage(channel: string, body: unknown, files: FormPart[] = []): FakeAnswer {
    if (!this.channelKnown(channel)) return ERRORS.unknownChannel;
    const attached = this.attachmentsOf(body, files);
    if ('status' in attached) return attached;
    const nonce = isRecord(body) ? body['nonce'] : undefined;
    if (nonce !== undefined && nonce !== null && !(Number.isSafeInteger(nonce) || (typeof nonce === 'string' && nonce.length <= 25))) {
      const form = new FormErrors();
      form.add(['nonce'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      return form.answer();
    }
    const enforced = isRecord(body) && body['enforce_nonce'] === true && (typeof nonce === 'string' || typeof nonce === 'number') ? String(nonce) : undefined;
    const earlier = enforced === undefined ? undefined : this.nonces.get(enforced);
    if (earlier && Date.now() - earlier.at < NONCE_WINDOW_MS) return answer(200, this.apiMessage(earlier.message));
    const message = this.newMessage(channel, body, attached);
    if ('status' in message) return message;
    message.flags &= ~MessageFlags.Ephemeral;
    if (typeof nonce === 'string' || typeof nonce === 'number') message.nonce = nonce;
    if (enforced !== undefined) this.nonces.set(enforced, { message, at: Date.now() });
    this.allMessages.push(message);
    const thread = this.threadsById.get(channel);
    if (thread) Object.assign(thread, { last_message_id: message.id, message_count: (thread.message_count ?? 0) + 1, total_message_sent: (thread.total_message_sent ?? 0) + 1 });
    return answer(200, this.apiMessage(message));
  }

  private getMessage(channel: string, id: string): FakeAnswer {
    if (!this.channelKnown(channel)) return ERRORS.unknownChannel;
    const message = this.findMessage(channel, id);
    return message ? answer(200, this.apiMessage(message)) : ERRORS.unknownMessage;
  }

  private editMessage(channel: string, id: string, body: unknown): FakeAnswer {
    if (!this.channelKnown(channel)) return ERRORS.unknownChannel;
    const message = this.findMessage(channel, id);
    if (!message) return ERRORS.unknownMessage;
    return this.edit(message, body) ?? answer(200, this.apiMessage(message));
  }

  /** As Discord: the thread's id is the message's, one thread per message, none from a message inside a thread. */
  private startThread(channel: string, id: string, body: unknown): FakeAnswer {
    if (!this.channelKnown(channel)) return ERRORS.unknownChannel;
    if (this.threadsById.has(channel)) return ERRORS.wrongChannelType;
    const message = this.findMessage(channel, id);
    if (!message) return ERRORS.unknownMessage;
    const fields = isRecord(body) ? body : {};
    const form = new FormErrors();
    form.text(['name'], fields['name'], { min: 1, max: 100, required: true });
    const duration = fields['auto_archive_duration'] ?? 1440;
    if (!THREAD_DURATIONS.includes(duration as number)) form.add(['auto_archive_duration'], 'BASE_TYPE_CHOICES', `Value must be one of {${THREAD_DURATIONS.join(', ')}}.`);
    if (form.any) return form.answer();
    if (message.thread !== undefined) return ERRORS.threadExists;
    const now = new Date().toISOString();
    const thread: APIThreadChannel = {
      id: message.id,
      type: ChannelType.PublicThread,
      guild_id: this.guildId,
      parent_id: channel,
      owner_id: this.applicationId,
      name: fields['name'] as string,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: duration as ThreadAutoArchiveDuration, archive_timestamp: now, locked: false, create_timestamp: now },
    };
    this.threadsById.set(thread.id, thread);
    message.thread = thread.id;
    message.flags |= MessageFlags.HasThread;
    return answer(201, thread);
  }

  private record(token: string, entry: Omit<FakeInteractionCall, 'at' | 'ephemeral'>): void {
    const data = entry.kind === 'callback' ? entry.body['data'] : entry.body;
    const flags = isRecord(data) && typeof data['flags'] === 'number' ? data['flags'] : 0;
    const calls = this.interactionCalls.get(token) ?? [];
    calls.push({ ...entry, ephemeral: (flags & MessageFlags.Ephemeral) !== 0, at: Date.now() });
    this.interactionCalls.set(token, calls);
  }

  private tokenMessages(token: string): Map<string, FakeDiscordMessage> {
    const messages = this.interactionMessages.get(token) ?? new Map<string, FakeDiscordMessage>();
    this.interactionMessages.set(token, messages);
    return messages;
  }

  /**
   * Interaction messages belong to the interaction's channel, which the fake does not know: their
   * `channel_id` is '0' and they are listed by `followUps(token)` / `original(token)`, not `messages()`.
   */
  private followUp(application: string, token: string, body: unknown): FakeAnswer {
    if (application !== this.applicationId) return ERRORS.unknownWebhook;
    const message = this.newMessage('0', body);
    if ('status' in message) return message;
    message.webhook_id = this.applicationId;
    this.tokenMessages(token).set(message.id, message);
    this.record(token, { kind: 'follow-up', body: body as Record<string, unknown>, messageId: message.id });
    return answer(200, this.apiMessage(message));
  }

  /**
   * PATCH …/messages/@original or …/messages/{follow-up id}. With HTTP interactions the initial
   * response went back in Discord's HTTP request and the fake never saw it: the first edit of
   * `@original` creates it (Discord would have it from the deferral).
   */
  private editInteractionMessage(application: string, token: string, id: string, body: unknown): FakeAnswer {
    if (application !== this.applicationId) return ERRORS.unknownWebhook;
    const messages = this.tokenMessages(token);
    const message = messages.get(id) ?? (id === '@original' ? { ...this.blankMessage('0'), webhook_id: this.applicationId } : undefined);
    if (!message) return ERRORS.unknownMessage;
    const refused = this.edit(message, body);
    if (refused) return refused;
    messages.set(id, message);
    this.record(token, { kind: id === '@original' ? 'edit-original' : 'edit-follow-up', body: body as Record<string, unknown>, messageId: message.id });
    return answer(200, this.apiMessage(message));
  }

  /** The initial response (gateway mode): once per interaction; 4 and 5 create `@original`. */
  private callback(interaction: string, token: string, body: unknown): FakeAnswer {
    const fields = isRecord(body) ? body : {};
    const type = fields['type'];
    const data = isRecord(fields['data']) ? fields['data'] : {};
    const form = new FormErrors();
    if (typeof type !== 'number' || !CALLBACK_TYPES.includes(type)) form.add(['type'], 'BASE_TYPE_CHOICES', `Value must be one of {${CALLBACK_TYPES.join(', ')}}.`);
    if (type === 4 || type === 7) messageProblems(form, data, ['data']);
    if (type === 8) form.list(['data', 'choices'], data['choices'], { max: LIMITS.choices });
    if (type === 9) {
      form.text(['data', 'custom_id'], data['custom_id'], { min: 1, max: LIMITS.customId, required: true });
      form.text(['data', 'title'], data['title'], { min: 1, max: 45, required: true });
      form.list(['data', 'components'], data['components'], { min: 1, max: 5 });
    }
    if (form.any) return form.answer();
    if (this.acknowledged.has(interaction)) return ERRORS.alreadyAcknowledged;
    let messageId: string | undefined;
    if (type === 4 || type === 5) {
      const message = type === 4 ? this.newMessage('0', data) : this.blankMessage('0');
      if ('status' in message) return message;
      if (type === 5) message.flags = MessageFlags.Loading | (typeof data['flags'] === 'number' ? data['flags'] & MessageFlags.Ephemeral : 0);
      message.webhook_id = this.applicationId;
      this.tokenMessages(token).set('@original', message);
      messageId = message.id;
    }
    this.acknowledged.add(interaction);
    this.record(token, { kind: 'callback', body: fields, ...(messageId === undefined ? {} : { messageId }) });
    return answer(204);
  }

  /** Bulk overwrite: answers the commands with ids (a command keeps its id across overwrites, as on Discord). */
  private registerCommands(application: string, guild: string | undefined, body: unknown): FakeAnswer {
    if (application !== this.applicationId) return ERRORS.missingAccess;
    const form = new FormErrors();
    if (!Array.isArray(body)) {
      form.add([], 'BASE_TYPE_ARRAY', 'Must be an array.');
      return form.answer();
    }
    const commands = form.list([], body, { max: LIMITS.commands });
    commandProblems(form, commands);
    if (form.any) return form.answer();
    const sent = commands as Record<string, unknown>[];
    if (guild === undefined) this.registrations.global = sent;
    else this.registrations.guilds[guild] = sent;
    const registered = sent.map((command): APIApplicationCommand => {
      const key = `${guild ?? 'global'}:${String(command['type'] ?? 1)}:${String(command['name'])}`;
      const id = this.commandIds.get(key) ?? this.nextId();
      this.commandIds.set(key, id);
      return {
        default_member_permissions: null,
        description: '',
        nsfw: false,
        contexts: null,
        ...(command as Partial<APIApplicationCommand>),
        id,
        application_id: this.applicationId,
        type: (command['type'] as APIApplicationCommand['type'] | undefined) ?? 1,
        name: String(command['name']),
        version: this.nextId(),
        ...(guild === undefined ? {} : { guild_id: guild }),
      };
    });
    return answer(200, registered);
  }
}
