/**
 * A local stand-in for Discord's gateway (API v10, JSON encoding, no compression), enough for a bot
 * that only takes interactions: HELLO with a heartbeat interval, IDENTIFY → READY (with a session id
 * and a resume URL), heartbeats ACKed, RESUME → RESUMED, and dispatches of INTERACTION_CREATE.
 * Connections can be dropped the way Discord drops them, so resuming can be tested.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const OP = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, reconnect: 7, invalidSession: 9, hello: 10, heartbeatAck: 11 } as const;

export interface GatewayLogEntry {
  op: number;
  d: unknown;
}

interface Session {
  id: string;
  socket: WebSocket;
  seq: number;
}

export class FakeDiscordGateway {
  /** Every payload a client sent, oldest first. */
  readonly received: GatewayLogEntry[] = [];
  private session: Session | undefined;
  private sessions = 0;
  private connections = 0;

  private constructor(
    private readonly server: WebSocketServer,
    private readonly options: { token: string; applicationId: string; heartbeatIntervalMs: number },
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: { token: string; applicationId: string; heartbeatIntervalMs?: number }): Promise<FakeDiscordGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new FakeDiscordGateway(server, { heartbeatIntervalMs: 1_000, ...options });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How many sockets have connected, and how many are open now. */
  get connectionCounts(): { total: number; open: number } {
    return { total: this.connections, open: this.server.clients.size };
  }

  /** Payloads the clients sent with this opcode. */
  sent(op: keyof typeof OP): GatewayLogEntry[] {
    return this.received.filter((entry) => entry.op === OP[op]);
  }

  /** Sends an event to the identified session, with the next sequence number. */
  dispatch(type: string, data: unknown): void {
    const session = this.session;
    if (!session) throw new Error('no identified session to dispatch to');
    session.seq += 1;
    session.socket.send(JSON.stringify({ op: OP.dispatch, t: type, s: session.seq, d: data }));
  }

  /** Closes the session's socket with a resumable code, as Discord does when it moves a connection. */
  drop(): void {
    this.session?.socket.close(4000, 'Unknown error');
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    this.connections += 1;
    socket.send(JSON.stringify({ op: OP.hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } }));
    socket.on('message', (raw) => this.receive(socket, String(raw)));
  }

  private receive(socket: WebSocket, raw: string): void {
    let payload: { op: number; d: unknown };
    try {
      payload = JSON.parse(raw) as { op: number; d: unknown };
    } catch {
      socket.close(4002, 'Decode error');
      return;
    }
    this.received.push({ op: payload.op, d: payload.d });
    switch (payload.op) {
      case OP.heartbeat:
        socket.send(JSON.stringify({ op: OP.heartbeatAck }));
        return;
      case OP.identify:
        return this.identify(socket, payload.d as { token?: string });
      case OP.resume:
        return this.resume(socket, payload.d as { token?: string; session_id?: string; seq?: number });
      default:
        return;
    }
  }

  private identify(socket: WebSocket, data: { token?: string }): void {
    if (data.token !== this.options.token && data.token !== `Bot ${this.options.token}`) {
      socket.close(4004, 'Authentication failed.');
      return;
    }
    this.sessions += 1;
    this.session = { id: `fake-session-${this.sessions}`, socket, seq: 0 };
    this.dispatch('READY', {
      v: 10,
      user: { id: this.options.applicationId, username: 'rewind', discriminator: '0', global_name: null, avatar: null, bot: true },
      guilds: [],
      session_id: this.session.id,
      resume_gateway_url: this.url,
      application: { id: this.options.applicationId, flags: 0 },
    });
  }

  private resume(socket: WebSocket, data: { token?: string; session_id?: string; seq?: number }): void {
    if (!this.session || data.session_id !== this.session.id) {
      socket.send(JSON.stringify({ op: OP.invalidSession, d: false }));
      return;
    }
    this.session.socket = socket;
    this.dispatch('RESUMED', {});
  }
}
