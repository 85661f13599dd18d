/**
 * The console's HTTP surface: the page and its assets, the session (users, channels), live events
 * over Server-Sent Events, and commands, clicks, the root-cause form and review notes — which go through the
 * same validation and `commands` queue as Slack and Discord.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isRewindError } from '../../domain/errors';
import { ButtonAction, type Message } from '../../domain/message';
import { errorReply, infoReply, QUEUE_DOWN } from '../../messages/templates/replies';
import { helpMessage } from '../../messages/templates/help';
import type { HttpRequest, HttpResponse, Route } from '../../inbound/route';
import { buttonClickToOutcome } from '../button-click';
import type { ChatIngressDeps } from '../chat-front';
import { textCommandToOutcome } from '../text-command';
import type { ConsoleHub } from './console-hub';
import { consoleChannels, consoleUsers } from './console-users';

const STATIC = join(__dirname, 'static');
const ASSETS: Readonly<Record<string, string>> = { 'console.js': 'text/javascript; charset=utf-8', 'console.css': 'text/css; charset=utf-8' };
const HEARTBEAT_MS = 15_000;
/** The page has no inline script or style, so nothing but its own files may run: user text can never become code. */
const CSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

const CommandBody = z.object({ user: z.string().min(1), channel: z.string().min(1), text: z.string().max(4000), interactionId: z.string().min(1).max(100).optional() });
const ActionBody = z.object({ user: z.string().min(1), channel: z.string().min(1), action: ButtonAction, value: z.string().min(1).max(2000), interactionId: z.string().min(1).max(100).optional() });
const RootCauseBody = z.object({
  user: z.string().min(1),
  rollbackId: z.string().min(1),
  impact: z.string().max(3000).optional(),
  rootCause: z.string().max(3000).optional(),
  prevention: z.string().max(3000).optional(),
  interactionId: z.string().min(1).max(100).optional(),
});

const ReviewNoteBody = z.object({
  user: z.string().min(1),
  rollbackId: z.string().min(1),
  note: z.string().trim().min(1).max(3000),
  interactionId: z.string().min(1).max(100).optional(),
});

export interface Guide {
  steps: { id: string; title: string; detail: string; action?: { label: string; method: 'POST'; path: string } }[];
}

function json<T>(schema: z.ZodType<T>, request: HttpRequest): T | HttpResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(request.rawBody.toString('utf8') || '{}');
  } catch {
    return { status: 400, body: { ok: false, reply: errorReply('The request body is not JSON.') } };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return { status: 400, body: { ok: false, reply: errorReply(`Invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`) } };
}

const isResponse = (value: unknown): value is HttpResponse => typeof value === 'object' && value !== null && 'status' in value && typeof (value as { status: unknown }).status === 'number';

export function consoleRoutes(deps: ChatIngressDeps, hub: ConsoleHub, guide?: Guide): Route[] {
  const users = consoleUsers(deps.catalog);
  const channels = consoleChannels(deps.catalog);
  const known = (user: string) => users.some((u) => u.id === user);
  const actorOf = (user: string) => ({ platform: 'console' as const, id: user, name: user });
  const replyTo = (user: string, channel: string) => ({ platform: 'console', data: { user, channel } });
  const unknownUser = (user: string): HttpResponse => ({ status: 400, body: { ok: false, reply: errorReply(`Unknown console user \`${user}\`. Valid: ${users.map((u) => u.id).join(', ')}.`) } });
  const answer = (reply: Message, status = 200): HttpResponse => ({ status, body: { ok: status < 400, reply } });
  /** Parses the body, checks the user, and names the interaction (replays of one id are one job). */
  const admit = <T extends { user: string; interactionId?: string | undefined }>(schema: z.ZodType<T>, request: HttpRequest): { body: T; interactionId: string } | HttpResponse => {
    const body = json(schema, request);
    if (isResponse(body)) return body;
    if (!known(body.user)) return unknownUser(body.user);
    return { body, interactionId: `console-${body.interactionId ?? randomUUID()}` };
  };
  const queued = async (command: Parameters<ChatIngressDeps['enqueue']>[0], dedupeId: string): Promise<HttpResponse | undefined> => {
    try {
      await deps.enqueue(command, dedupeId);
      return undefined;
    } catch (error) {
      deps.logger.error({ err: error }, 'could not enqueue a console interaction');
      return isRewindError(error) ? answer(errorReply(error.userMessage), 400) : answer(errorReply(QUEUE_DOWN), 503);
    }
  };
  const page = async (): Promise<HttpResponse> => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' }, body: await readFile(join(STATIC, 'index.html')) });
  const firstService = deps.catalog.services()[0];

  return [
    { method: 'GET', path: '/', handler: () => ({ status: 302, headers: { location: '/console/' } }) },
    { method: 'GET', path: '/console', handler: page },
    {
      method: 'GET',
      path: '/console/assets/:file',
      handler: async (request) => {
        const type = ASSETS[request.params['file'] ?? ''];
        if (!type) return { status: 404, body: { error: 'no such asset' } };
        return { status: 200, headers: { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }, body: await readFile(join(STATIC, request.params['file']!)) };
      },
    },
    {
      method: 'GET',
      path: '/console/api/session',
      handler: () => ({
        status: 200,
        body: {
          users,
          channels: channels.map((id) => ({ id, name: id })),
          defaultUser: 'oncall',
          defaultChannel: channels[0] ?? 'incidents',
          placeholder: firstService ? `/rollback ${firstService} ${deps.catalog.environments(firstService)[0] ?? ''} --severity critical` : '/rollback help',
        },
      }),
    },
    { method: 'GET', path: '/console/api/guide', handler: () => (guide ? { status: 200, body: guide } : { status: 404, body: { error: 'no guide' } }) },
    {
      method: 'GET',
      path: '/console/api/events',
      handler: (request) => {
        const user = request.query.get('user') ?? '';
        if (!known(user)) return unknownUser(user);
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' },
          stream: (res) => {
            res.write(': connected\n\n');
            const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
            let unsubscribe: (() => void) | undefined;
            let closed = false;
            res.on('close', () => {
              closed = true;
              clearInterval(heartbeat);
              unsubscribe?.();
            });
            void hub
              .subscribe(user, (event) => res.write(`event: chat\ndata: ${JSON.stringify(event)}\n\n`))
              .then((stop) => (closed ? stop() : (unsubscribe = stop)))
              .catch((error: unknown) => {
                deps.logger.warn({ err: error }, 'console event stream failed');
                res.end();
              });
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/console/api/commands',
      handler: async (request) => {
        const admitted = admit(CommandBody, request);
        if (isResponse(admitted)) return admitted;
        const { body, interactionId } = admitted;
        try {
          const outcome = textCommandToOutcome(body.text, { platform: 'console', actor: actorOf(body.user), reply: replyTo(body.user, body.channel), channelId: body.channel, interactionId }, deps.catalog);
          switch (outcome.kind) {
            case 'help':
            case 'open_form':
              return answer(helpMessage());
            case 'enqueue':
              return (await queued(outcome.command, outcome.dedupeId)) ?? { status: 200, body: { ok: true, ...(outcome.ack ? { reply: infoReply(outcome.ack) } : {}) } };
          }
        } catch (error) {
          if (isRewindError(error)) return answer(errorReply(error.userMessage), 400);
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/console/api/actions',
      handler: async (request) => {
        const admitted = admit(ActionBody, request);
        if (isResponse(admitted)) return admitted;
        const { body, interactionId } = admitted;
        const outcome = buttonClickToOutcome(body.action, body.value, { actor: actorOf(body.user), reply: replyTo(body.user, body.channel), platform: 'console', channelId: body.channel, interactionId });
        if (outcome.kind === 'ignore') return { status: 200, body: { ok: true } };
        if (outcome.kind === 'open_root_cause') {
          const record = await deps.records.get(outcome.rollbackId);
          return { status: 200, body: { ok: true, form: { kind: 'root_cause', rollbackId: outcome.rollbackId, existing: record?.postmortem ?? {} } } };
        }
        if (outcome.kind === 'open_review_note') return { status: 200, body: { ok: true, form: { kind: 'review_note', rollbackId: outcome.rollbackId } } };
        return (await queued(outcome.command, interactionId)) ?? { status: 200, body: { ok: true } };
      },
    },
    {
      method: 'POST',
      path: '/console/api/root-cause',
      handler: async (request) => {
        const admitted = admit(RootCauseBody, request);
        if (isResponse(admitted)) return admitted;
        const { body, interactionId } = admitted;
        const command = {
          type: 'postmortem' as const,
          rollbackId: body.rollbackId,
          actor: actorOf(body.user),
          reply: replyTo(body.user, ''),
          ...(body.impact?.trim() ? { impact: body.impact.trim() } : {}),
          ...(body.rootCause?.trim() ? { rootCause: body.rootCause.trim() } : {}),
          ...(body.prevention?.trim() ? { prevention: body.prevention.trim() } : {}),
        };
        return (await queued(command, interactionId)) ?? { status: 200, body: { ok: true } };
      },
    },
    {
      method: 'POST',
      path: '/console/api/review-note',
      handler: async (request) => {
        const admitted = admit(ReviewNoteBody, request);
        if (isResponse(admitted)) return admitted;
        const { body, interactionId } = admitted;
        const command = { type: 'review_note' as const, rollbackId: body.rollbackId, actor: actorOf(body.user), reply: replyTo(body.user, ''), note: body.note };
        return (await queued(command, interactionId)) ?? { status: 200, body: { ok: true } };
      },
    },
  ];
}
