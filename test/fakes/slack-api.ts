/**
 * A local stand-in for Slack's Web API and for `response_url`, on a real HTTP server: it answers the
 * way Slack documents (HTTP 200 with `{ ok, … }`, 429 with `Retry-After`) and keeps the channel state.
 *
 * File uploads follow Slack's current flow (files.upload is retired), as its method pages describe:
 * `files.getUploadURLExternal` (filename, length in bytes) answers `upload_url` and `file_id`; the
 * bytes are POSTed to `upload_url` (raw or multipart; 200 when received); `files.completeUploadExternal`
 * (`files: [{id, title}]`, optional `channel_id`, `thread_ts` of a parent message — never a reply's —
 * and `initial_comment`) shares them and answers `files: [{id, name, title, permalink, …}]`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** The arguments as sent, with JSON-string fields (`blocks`, `view`, …) decoded and `token` left out. */
  args: Record<string, unknown>;
  at: number;
  /** The HTTP status the fake answered. */
  status: number;
  /** Slack's error code when the answer was `ok: false`. */
  error?: string;
  /** The call was applied but its answer held back (see `hangNext`). */
  hung?: true;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  reply_broadcast?: boolean;
  /** Ids of the files this message shares (files.completeUploadExternal). */
  files?: string[];
  user: string;
  bot_id: string;
  /** How many times chat.update changed it. */
  updates: number;
}

/** A file shared through the upload flow. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  /** The bytes received at the upload URL, as UTF-8. */
  content: string;
  /** Where it was shared; unset while it is only uploaded (private to the uploader). */
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
  permalink: string;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
}

export interface FakeView extends Record<string, unknown> {
  id: string;
  hash: string;
  /** `views.open` or `views.push`. */
  opened_via: string;
  updates: number;
}

/** What was posted to one response_url: Slack accepts `{response_type, text, blocks, replace_original, delete_original}`. */
export interface FakeResponse extends Record<string, unknown> {
  at: number;
}

export type FakeFailure =
  | { status: 429; retryAfterSeconds: number; count?: number }
  | { status: 500 | 503; count?: number }
  /** Slack's refusal of the call itself: HTTP 200 with `ok: false` and this error code. */
  | { status: 200; error: string; count?: number };

/**
 * A call that Slack carries out but whose answer is lost: the effect is applied, then the answer is
 * held for `afterMs` (the client has given up by then) or, without it, until the fake closes.
 */
export interface FakeHang {
  afterMs?: number;
  /** How many matching calls hang (default 1). */
  count?: number;
  /** Only calls whose (decoded) arguments match; all calls to the method by default. */
  when?: (args: Record<string, unknown>) => boolean;
}

export interface FakeSlackOptions {
  token?: string;
  /** When given, chat methods answer `channel_not_found` for any other channel. */
  channels?: string[];
  /**
   * `fixed` (default): message ts count up from 1700000000.000100, predictable in assertions.
   * `wall`: ts follow the wall clock as Slack's do, so `oldest`/`latest` filters given in real time work.
   */
  ts?: 'fixed' | 'wall';
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
type Handler = (args: Record<string, unknown>) => Answer;

export const FAKE_SLACK_TOKEN = 'xoxb-fake-slack-token';
export const FAKE_BOT = { team_id: 'T0001', user_id: 'U0BOT', bot_id: 'B0BOT', user: 'rewind', team: 'Rewind Test' } as const;

/** Fields that @slack/web-api JSON-encodes inside a form body. */
const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata', 'files'];
const BOOLEAN_FIELDS = ['reply_broadcast', 'unfurl_links', 'unfurl_media', 'mrkdwn', 'as_user', 'link_names', 'replace_original', 'delete_original', 'include_disabled', 'include_all_metadata', 'inclusive'];
/** Slack's documented limits (see shared FACTS.md); the fake refuses what Slack would refuse. */
const LIMITS = { messageBlocks: 50, viewBlocks: 100, text: 40_000, section: 3_000, fields: 10, field: 2_000, header: 150, actions: 25, context: 10, buttonText: 75, buttonValue: 2_000, url: 3_000, id: 255 };
const RESPONSE_URL_USES = 5;

const ok = (body: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: true, ...body } });
const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: false, error, ...extra } });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Form bodies carry everything as strings; bring them to the shapes a JSON body would have. */
function normalizeArgs(raw: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'token') continue;
    if (typeof value === 'string' && JSON_FIELDS.includes(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        args[key] = value;
      }
    } else if (typeof value === 'string' && BOOLEAN_FIELDS.includes(key)) {
      args[key] = value === 'true' || value === '1';
    } else args[key] = value;
  }
  return args;
}

/** The problems Slack would list for these blocks, in its `[json-pointer:…]` style; empty when valid. */
function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  if (!Array.isArray(blocks)) return ['blocks must be an array [json-pointer:/blocks]'];
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`no more than ${maxBlocks} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `/blocks/${index}`;
    const tooLong = (value: unknown, max: number, path: string) => {
      if (typeof value === 'string' && value.length > max) problems.push(`must be less than ${max + 1} characters [json-pointer:${at}${path}]`);
    };
    if (!isRecord(block) || typeof block['type'] !== 'string') return void problems.push(`missing required field: type [json-pointer:${at}]`);
    const blockId = block['block_id'];
    if (typeof blockId === 'string') {
      tooLong(blockId, LIMITS.id, '/block_id');
      if (blockIds.has(blockId)) problems.push(`duplicate block_id [json-pointer:${at}/block_id]`);
      blockIds.add(blockId);
    }
    const textOf = (value: unknown) => (isRecord(value) ? value['text'] : undefined);
    const elements = Array.isArray(block['elements']) ? block['elements'] : [];
    const actionIds = new Set<string>();
    const element = (item: unknown, path: string) => {
      if (!isRecord(item)) return;
      const actionId = item['action_id'];
      if (typeof actionId === 'string') {
        tooLong(actionId, LIMITS.id, `${path}/action_id`);
        if (actionIds.has(actionId)) problems.push(`duplicate action_id [json-pointer:${at}${path}/action_id]`);
        actionIds.add(actionId);
      }
      if (item['type'] !== 'button') return;
      tooLong(textOf(item['text']), LIMITS.buttonText, `${path}/text/text`);
      tooLong(item['value'], LIMITS.buttonValue, `${path}/value`);
      tooLong(item['url'], LIMITS.url, `${path}/url`);
    };
    switch (block['type']) {
      case 'header':
        tooLong(textOf(block['text']), LIMITS.header, '/text/text');
        break;
      case 'section': {
        tooLong(textOf(block['text']), LIMITS.section, '/text/text');
        const fields = Array.isArray(block['fields']) ? block['fields'] : [];
        if (fields.length > LIMITS.fields) problems.push(`no more than ${LIMITS.fields} items allowed [json-pointer:${at}/fields]`);
        fields.forEach((field, i) => tooLong(textOf(field), LIMITS.field, `/fields/${i}/text`));
        if (!block['text'] && fields.length === 0) problems.push(`must provide either text or fields [json-pointer:${at}]`);
        element(block['accessory'], '/accessory');
        break;
      }
      case 'actions':
        if (elements.length > LIMITS.actions) problems.push(`no more than ${LIMITS.actions} items allowed [json-pointer:${at}/elements]`);
        elements.forEach((item, i) => element(item, `/elements/${i}`));
        break;
      case 'context':
        if (elements.length > LIMITS.context) problems.push(`no more than ${LIMITS.context} items allowed [json-pointer:${at}/elements]`);
        break;
    }
  });
  return problems;
}

function invalidBlocks(problems: string[], error = 'invalid_blocks'): Answer {
  return fail(error, { errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class FakeSlack {
  /** Every Web API call, in the order received (failed ones too). */
  readonly calls: SlackCall[] = [];
  private readonly channelMessages = new Map<string, FakeMessage[]>();
  private readonly ephemeralMessages: FakeEphemeral[] = [];
  private readonly openViews = new Map<string, FakeView>();
  private readonly usedTriggers = new Set<string>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly users = new Map<string, { name: string; real_name: string }>();
  private readonly responsesByKey = new Map<string, FakeResponse[]>();
  private readonly failures = new Map<string, { failure: FakeFailure; remaining: number }[]>();
  private readonly hangs = new Map<string, { hang: FakeHang; remaining: number }[]>();
  /** Uploads by file id: what files.getUploadURLExternal announced, and what arrived at its URL. */
  private readonly uploads = new Map<string, { filename: string; length: number; content?: string; file?: FakeFile }>();
  /** Answers being held back; each resolves false when the fake closes. */
  private readonly held = new Set<(answered: boolean) => void>();
  private readonly knownChannels: Set<string> | undefined;
  private sequence = 0;
  /** The last ts handed out, in microseconds (wall-clock mode). */
  private lastMicros = 0;
  private socketMode: { appToken: string; url: string } | undefined;
  private readonly handlers: Readonly<Record<string, Handler>> = {
    'auth.test': () => ok({ url: 'https://rewind-test.slack.com/', ...FAKE_BOT }),
    'chat.postMessage': (args) => this.postMessage(args),
    'chat.update': (args) => this.update(args),
    'chat.postEphemeral': (args) => this.postEphemeral(args),
    'chat.getPermalink': (args) => {
      const channel = str(args['channel']);
      const ts = str(args['message_ts']);
      if (!channel || !ts || !this.find(channel, ts)) return fail('message_not_found');
      return ok({ channel, permalink: `https://rewind-test.slack.com/archives/${channel}/p${ts.replace('.', '')}` });
    },
    'conversations.history': (args) => this.history(args),
    'files.getUploadURLExternal': (args) => this.uploadUrl(args),
    'files.completeUploadExternal': (args) => this.completeUpload(args),
    'conversations.replies': (args) => this.replies(args),
    'views.open': (args) => this.openView(args, 'views.open'),
    'views.push': (args) => this.openView(args, 'views.push'),
    'views.update': (args) => this.updateView(args),
    'usergroups.users.list': (args) => {
      const users = this.usergroups.get(str(args['usergroup']) ?? '');
      return users ? ok({ users: [...users] }) : fail('no_such_subteam');
    },
    'users.info': (args) => {
      const id = str(args['user']);
      if (!id || !/^[UW][A-Z0-9]+$/.test(id)) return fail('user_not_found');
      const known = this.users.get(id) ?? { name: id.toLowerCase(), real_name: `User ${id}` };
      return ok({ user: { id, team_id: FAKE_BOT.team_id, ...known, profile: { real_name: known.real_name, display_name: known.name } } });
    },
  };

  private constructor(
    private readonly server: Server,
    private readonly base: string,
    private readonly token: string,
    channels: string[] | undefined,
    private readonly tsMode: 'fixed' | 'wall',
  ) {
    this.knownChannels = channels ? new Set(channels) : undefined;
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fake = new FakeSlack(server, base, options.token ?? FAKE_SLACK_TOKEN, options.channels, options.ts ?? 'fixed');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake Slack failed: ${String(error)}`);
      });
    });
    return fake;
  }

  /** The Web API base, ending in `/api/`: pass it as `slackApiUrl` or `SLACK_API_URL`. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response_url that records what is posted to it under `key`. */
  responseUrl(key: string): string {
    return `${this.base}/respond/${encodeURIComponent(key)}`;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** The current state of every message in a channel, top-level and replies, oldest first. */
  messages(channel: string): FakeMessage[] {
    return structuredClone(this.channelMessages.get(channel) ?? []);
  }

  /** The replies under the message `ts`, oldest first (the parent itself not included). */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.messages(channel).filter((message) => message.thread_ts === ts);
  }

  /** Files shared in a channel (or every file uploaded, shared or not, without one), oldest first. */
  files(channel?: string): FakeFile[] {
    const all = [...this.uploads.values()].flatMap((upload) => (upload.file ? [upload.file] : []));
    return structuredClone(all.filter((file) => channel === undefined || file.channel === channel));
  }

  ephemerals(channel?: string): FakeEphemeral[] {
    return structuredClone(this.ephemeralMessages.filter((message) => channel === undefined || message.channel === channel));
  }

  views(): FakeView[] {
    return structuredClone([...this.openViews.values()]);
  }

  responses(key: string): FakeResponse[] {
    return structuredClone(this.responsesByKey.get(key) ?? []);
  }

  setUsergroup(id: string, members: string[]): this {
    this.usergroups.set(id, [...members]);
    return this;
  }

  setUser(id: string, profile: { name: string; real_name: string }): this {
    this.users.set(id, profile);
    return this;
  }

  /** The next `count` (default 1) calls to `method` fail: at the HTTP level, as Slack's rate limiter or an outage would, or refused with an error code. */
  failNext(method: string, failure: FakeFailure): this {
    const queue = this.failures.get(method) ?? [];
    queue.push({ failure, remaining: failure.count ?? 1 });
    this.failures.set(method, queue);
    return this;
  }

  /** The next `count` (default 1) calls to `method` (matching `when`) take effect, but their answer is lost. */
  hangNext(method: string, hang: FakeHang = {}): this {
    const queue = this.hangs.get(method) ?? [];
    queue.push({ hang, remaining: hang.count ?? 1 });
    this.hangs.set(method, queue);
    return this;
  }

  async close(): Promise<void> {
    for (const release of this.held) release(false);
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const body = await readBody(req);
    const send = ({ status, body: payload, headers }: Answer) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && url.pathname.startsWith('/respond/')) return send(this.respond(decodeURIComponent(url.pathname.slice('/respond/'.length)), body));
    if (req.method === 'POST' && url.pathname.startsWith('/upload/')) {
      const answer = this.receiveUpload(decodeURIComponent(url.pathname.slice('/upload/'.length)), body);
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(answer.text);
      return;
    }
    if (req.method !== 'POST' || !url.pathname.startsWith('/api/')) return send({ status: 404, body: { ok: false, error: 'not_found' } });

    const method = url.pathname.slice('/api/'.length);
    const raw = this.parseArgs(req.headers['content-type'] ?? '', body);
    const call: SlackCall = { method, args: normalizeArgs(raw), at: Date.now(), status: 200 };
    this.calls.push(call);
    const failure = this.programmedFailure(method);
    const hang = failure ? undefined : this.programmedHang(method, call.args);
    const answer = failure ?? this.answer(method, req.headers.authorization ?? str(raw['token']), call.args);
    call.status = answer.status;
    if (answer.body['ok'] === false && typeof answer.body['error'] === 'string') call.error = answer.body['error'];
    if (hang) {
      call.hung = true;
      if (!(await this.hold(hang.afterMs)) || req.socket.destroyed) return;
    }
    send(answer);
  }

  private programmedHang(method: string, args: Record<string, unknown>): FakeHang | undefined {
    const queue = this.hangs.get(method) ?? [];
    const index = queue.findIndex((entry) => entry.hang.when?.(args) ?? true);
    const entry = queue[index];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) queue.splice(index, 1);
    return entry.hang;
  }

  /** Resolves true after `ms`, or false when the fake closes first (never otherwise, without `ms`). */
  private hold(ms: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const release = (answered: boolean) => {
        this.held.delete(release);
        clearTimeout(timer);
        resolve(answered);
      };
      const timer = ms === undefined ? undefined : setTimeout(() => release(true), ms);
      this.held.add(release);
    });
  }

  private parseArgs(contentType: string, body: string): Record<string, unknown> {
    if (contentType.startsWith('application/json')) {
      try {
        const parsed: unknown = JSON.parse(body || '{}');
        return isRecord(parsed) ? parsed : {};
      } catch {
        return {};
      }
    }
    return Object.fromEntries(new URLSearchParams(body));
  }

  /** Socket Mode: `apps.connections.open`, called with the app-level token, answers this WebSocket URL. */
  enableSocketMode(appToken: string, url: string): this {
    this.socketMode = { appToken, url };
    return this;
  }

  /** The token may come as `Authorization: Bearer …` or, as Slack still allows, a `token` field. */
  private answer(method: string, credential: string | undefined, args: Record<string, unknown>): Answer {
    const token = credential?.replace(/^Bearer\s+/i, '');
    if (!token) return fail('not_authed');
    if (method === 'apps.connections.open') {
      if (!this.socketMode) return fail('not_allowed_token_type');
      return token === this.socketMode.appToken ? ok({ url: this.socketMode.url }) : fail('invalid_auth');
    }
    if (token !== this.token) return fail('invalid_auth');
    const handler = this.handlers[method];
    return handler ? handler(args) : fail('unknown_method');
  }

  private programmedFailure(method: string): Answer | undefined {
    const queue = this.failures.get(method);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    if (--next.remaining <= 0) queue.shift();
    const { failure } = next;
    if (failure.status === 429) {
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(failure.retryAfterSeconds) } };
    }
    if (failure.status === 200) return fail(failure.error);
    return { status: failure.status, body: { ok: false, error: failure.status === 503 ? 'service_unavailable' : 'internal_error' } };
  }

  /** Unique and increasing, in Slack's `seconds.micros` shape: 1700000000.000100, 1700000000.000200, … (or from the wall clock). */
  private nextTs(): string {
    if (this.tsMode === 'wall') {
      this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
      return `${Math.floor(this.lastMicros / 1_000_000)}.${String(this.lastMicros % 1_000_000).padStart(6, '0')}`;
    }
    const micros = ++this.sequence * 100;
    return `${1_700_000_000 + Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private channelProblem(args: Record<string, unknown>): Answer | undefined {
    const channel = str(args['channel']);
    if (!channel || (this.knownChannels && !this.knownChannels.has(channel))) return fail('channel_not_found');
    return undefined;
  }

  /** Slack needs text, blocks or attachments, and refuses blocks past its limits. */
  private contentProblem(args: Record<string, unknown>): Answer | undefined {
    const { text, blocks, attachments } = args;
    if (blocks !== undefined) {
      const problems = blockProblems(blocks, LIMITS.messageBlocks);
      if (!Array.isArray(blocks)) return invalidBlocks(problems, 'invalid_blocks_format');
      if (problems.length > 0) return invalidBlocks(problems);
    }
    if (!str(text) && !(Array.isArray(blocks) && blocks.length > 0) && !(Array.isArray(attachments) && attachments.length > 0)) return fail('no_text');
    if (typeof text === 'string' && text.length > LIMITS.text) return fail('msg_too_long');
    return undefined;
  }

  private find(channel: string, ts: string): FakeMessage | undefined {
    return this.channelMessages.get(channel)?.find((message) => message.ts === ts);
  }

  private postMessage(args: Record<string, unknown>): Answer {
    const problem = this.channelProblem(args) ?? this.contentProblem(args);
    if (problem) return problem;
    const channel = str(args['channel'])!;
    const threadTs = str(args['thread_ts']);
    // Stricter than Slack, on purpose: `thread_ts` must be a top-level message's ts, never a reply's.
    const parent = threadTs === undefined ? undefined : this.find(channel, threadTs);
    if (threadTs !== undefined && (!parent || parent.thread_ts !== undefined)) return fail('thread_not_found');
    const message: FakeMessage = { channel, ts: this.nextTs(), user: FAKE_BOT.user_id, bot_id: FAKE_BOT.bot_id, updates: 0 };
    this.setContent(message, args);
    if (threadTs !== undefined) message.thread_ts = threadTs;
    if (args['reply_broadcast'] === true) message.reply_broadcast = true;
    if (args['metadata'] !== undefined) message.metadata = args['metadata'];
    const messages = this.channelMessages.get(channel) ?? [];
    messages.push(message);
    this.channelMessages.set(channel, messages);
    return ok({ channel, ts: message.ts, message: this.asSlackMessage(message) });
  }

  private update(args: Record<string, unknown>): Answer {
    const problem = this.channelProblem(args);
    if (problem) return problem;
    const channel = str(args['channel'])!;
    const message = this.find(channel, str(args['ts']) ?? '');
    if (!message) return fail('message_not_found');
    const content = this.contentProblem(args);
    if (content) return content;
    // As Slack does: an update with text but no blocks removes the blocks.
    if (args['blocks'] === undefined) delete message.blocks;
    this.setContent(message, args);
    message.updates++;
    return ok({ channel, ts: message.ts, text: message.text ?? '', message: this.asSlackMessage(message) });
  }

  private postEphemeral(args: Record<string, unknown>): Answer {
    const problem = this.channelProblem(args);
    if (problem) return problem;
    const user = str(args['user']);
    if (!user) return fail('user_not_found');
    const content = this.contentProblem(args);
    if (content) return content;
    const ephemeral: FakeEphemeral = { channel: str(args['channel'])!, user, message_ts: this.nextTs() };
    const threadTs = str(args['thread_ts']);
    if (threadTs !== undefined) ephemeral.thread_ts = threadTs;
    this.setContent(ephemeral, args);
    this.ephemeralMessages.push(ephemeral);
    return ok({ message_ts: ephemeral.message_ts });
  }

  private setContent(target: { text?: string; blocks?: unknown[]; attachments?: unknown[] }, args: Record<string, unknown>): void {
    const text = str(args['text']);
    if (text !== undefined) target.text = text;
    if (Array.isArray(args['blocks'])) target.blocks = args['blocks'];
    if (Array.isArray(args['attachments'])) target.attachments = args['attachments'];
  }

  private asSlackMessage(message: FakeMessage): Record<string, unknown> {
    const { channel: _channel, updates: _updates, ...fields } = message;
    return { type: 'message', app_id: 'A0REWIND', ...fields, text: message.text ?? '' };
  }

  /**
   * conversations.history: top-level messages and broadcast replies, newest first, `oldest`/`latest`
   * exclusive unless `inclusive`, `limit` (default 100) per page with a cursor. Metadata only with
   * `include_all_metadata` (stricter than Slack may be, so Rewind must ask for it).
   */
  private history(args: Record<string, unknown>): Answer {
    const problem = this.channelProblem(args);
    if (problem) return problem;
    const inChannel = this.channelMessages.get(str(args['channel'])!) ?? [];
    const listed = inChannel.filter((message) => message.thread_ts === undefined || message.reply_broadcast).reverse();
    return this.page(this.inRange(listed, args), args, 100);
  }

  /** conversations.replies: the parent first, then its replies oldest first; otherwise as history (`limit` default 1000). */
  private replies(args: Record<string, unknown>): Answer {
    const problem = this.channelProblem(args);
    if (problem) return problem;
    const channel = str(args['channel'])!;
    const ts = str(args['ts']);
    if (!ts) return fail('invalid_arguments');
    const parent = this.find(channel, ts);
    if (!parent) return fail('thread_not_found');
    const root = parent.thread_ts ?? parent.ts;
    const thread = (this.channelMessages.get(channel) ?? []).filter((message) => message.ts === root || message.thread_ts === root);
    return this.page(this.inRange(thread, args), args, 1000);
  }

  private inRange(messages: FakeMessage[], args: Record<string, unknown>): FakeMessage[] {
    const oldest = Number(str(args['oldest']) ?? '0');
    const latest = Number(str(args['latest']) ?? 'Infinity');
    const inclusive = args['inclusive'] === true;
    return messages.filter((message) => {
      const ts = Number(message.ts);
      return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
    });
  }

  /** One page of messages; the cursor is opaque to clients (here: the offset, base64). */
  private page(messages: FakeMessage[], args: Record<string, unknown>, defaultLimit: number): Answer {
    const limit = Math.min(Math.max(Number(str(args['limit']) ?? defaultLimit) || defaultLimit, 1), 999);
    const cursor = str(args['cursor']);
    const offset = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
    if (!Number.isInteger(offset) || offset < 0) return fail('invalid_cursor');
    const slice = messages.slice(offset, offset + limit).map((message) => {
      const shown = this.asSlackMessage(message);
      if (args['include_all_metadata'] !== true) delete shown['metadata'];
      if (message.thread_ts !== undefined && message.reply_broadcast) shown['subtype'] = 'thread_broadcast';
      return shown;
    });
    const more = offset + limit < messages.length;
    return ok({ messages: slice, has_more: more, response_metadata: { next_cursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' } });
  }

  /** A trigger_id works once, as in Slack (where it also expires after 3 s). */
  private openView(args: Record<string, unknown>, via: 'views.open' | 'views.push'): Answer {
    const trigger = str(args['trigger_id']);
    if (!trigger) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    if (this.usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
    const problem = this.viewProblem(args['view']);
    if (problem) return problem;
    this.usedTriggers.add(trigger);
    const id = `V${String(++this.sequence).padStart(10, '0')}`;
    const view: FakeView = {
      ...(args['view'] as Record<string, unknown>),
      id,
      team_id: FAKE_BOT.team_id,
      app_id: 'A0REWIND',
      bot_id: FAKE_BOT.bot_id,
      state: { values: {} },
      hash: `${this.nextTs()}.fake`,
      root_view_id: id,
      opened_via: via,
      updates: 0,
    };
    this.openViews.set(id, view);
    return ok({ view: this.asSlackView(view) });
  }

  private updateView(args: Record<string, unknown>): Answer {
    const viewId = str(args['view_id']);
    const externalId = str(args['external_id']);
    const view = viewId ? this.openViews.get(viewId) : [...this.openViews.values()].find((v) => externalId !== undefined && v['external_id'] === externalId);
    if (!view) return fail('not_found');
    const hash = str(args['hash']);
    if (hash !== undefined && hash !== view.hash) return fail('hash_conflict');
    const problem = this.viewProblem(args['view']);
    if (problem) return problem;
    const updated: FakeView = { ...view, ...(args['view'] as Record<string, unknown>), id: view.id, hash: `${this.nextTs()}.fake`, updates: view.updates + 1 };
    this.openViews.set(view.id, updated);
    return ok({ view: this.asSlackView(updated) });
  }

  private viewProblem(view: unknown): Answer | undefined {
    if (!isRecord(view) || typeof view['type'] !== 'string') {
      return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    }
    const problems = blockProblems(view['blocks'] ?? [], LIMITS.viewBlocks);
    return problems.length > 0 ? invalidBlocks(problems, 'invalid_arguments') : undefined;
  }

  private asSlackView(view: FakeView): Record<string, unknown> {
    const { opened_via: _via, updates: _updates, ...fields } = view;
    return fields;
  }

  /** Step 1 of an upload: Slack needs the name and the exact size in bytes before it hands out a URL. */
  private uploadUrl(args: Record<string, unknown>): Answer {
    const filename = str(args['filename']);
    const length = Number(str(args['length']));
    if (!filename || !Number.isInteger(length) || length < 1) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] filename and a positive length are required'] } });
    const id = `F${String(++this.sequence).padStart(10, '0')}`;
    this.uploads.set(id, { filename, length });
    return ok({ upload_url: `${this.base}/upload/${id}`, file_id: id });
  }

  /** Step 2: the bytes, once, of the announced size (a raw body, as Rewind sends them). */
  private receiveUpload(id: string, body: string): { status: number; text: string } {
    const upload = this.uploads.get(id);
    if (!upload || upload.content !== undefined) return { status: 404, text: 'no such upload' };
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes !== upload.length) return { status: 400, text: `expected ${upload.length} bytes, got ${bytes}` };
    upload.content = body;
    return { status: 200, text: `OK - ${bytes}` };
  }

  /** Step 3: shares uploaded files in a channel (a thread with `thread_ts`) with a message that carries them. */
  private completeUpload(args: Record<string, unknown>): Answer {
    const files = args['files'];
    if (!Array.isArray(files) || files.length === 0 || !files.every((f) => isRecord(f) && typeof f['id'] === 'string')) return fail('invalid_arguments');
    const uploads = (files as Record<string, unknown>[]).map((f) => ({ entry: f, upload: this.uploads.get(f['id'] as string) }));
    if (uploads.some(({ upload }) => !upload || upload.content === undefined || upload.file)) return fail('file_not_found');
    const channel = str(args['channel_id']);
    const threadTs = str(args['thread_ts']);
    if (threadTs !== undefined && channel === undefined) return fail('invalid_arguments');
    if (channel !== undefined) {
      const problem = this.channelProblem({ channel });
      if (problem) return problem;
      const parent = threadTs === undefined ? undefined : this.find(channel, threadTs);
      if (threadTs !== undefined && (!parent || parent.thread_ts !== undefined)) return fail('thread_not_found');
    }
    const comment = str(args['initial_comment']);
    const shared = uploads.map(({ entry, upload }) => {
      const id = entry['id'] as string;
      const file: FakeFile = {
        id,
        name: upload!.filename,
        title: str(entry['title']) ?? upload!.filename,
        content: upload!.content!,
        permalink: `https://rewind-test.slack.com/files/${FAKE_BOT.user_id}/${id}/${upload!.filename}`,
        ...(channel ? { channel } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(comment ? { initial_comment: comment } : {}),
      };
      upload!.file = file;
      return file;
    });
    if (channel !== undefined) {
      const message: FakeMessage = { channel, ts: this.nextTs(), user: FAKE_BOT.user_id, bot_id: FAKE_BOT.bot_id, updates: 0, files: shared.map((f) => f.id), ...(comment ? { text: comment } : {}) };
      if (threadTs !== undefined) message.thread_ts = threadTs;
      const messages = this.channelMessages.get(channel) ?? [];
      messages.push(message);
      this.channelMessages.set(channel, messages);
    }
    return ok({ files: shared.map(({ id, name, title, permalink }) => ({ id, name, title, permalink })) });
  }

  /** Slack's response_url takes JSON and at most five posts. */
  private respond(key: string, body: string): Answer {
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    }
    if (!isRecord(payload)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const responses = this.responsesByKey.get(key) ?? [];
    if (responses.length >= RESPONSE_URL_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    responses.push({ ...payload, at: Date.now() });
    this.responsesByKey.set(key, responses);
    return ok();
  }
}
