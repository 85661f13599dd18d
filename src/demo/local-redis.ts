/**
 * A private redis-server for the demo and the tests: on a free loopback port, data in a temporary
 * folder. Where redis-server is missing it is installed when the machine allows (root with
 * apt-get); otherwise the error says exactly what to install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const INSTALL_HINT = 'install Redis: apt-get install -y redis-server (Debian/Ubuntu), brew install redis (macOS), or set REDIS_URL to an existing Redis';

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Installs redis-server with apt-get when running as root on a Debian-like machine; false otherwise. */
export function installRedisServer(log: (line: string) => void): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  log('redis-server is not installed; installing it with apt-get…');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) : update;
  return install.status === 0 && hasRedisServer();
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Whether something already listens on the port (so the demo can pick another). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * `ownGroup`: run redis-server in its own process group, so a Ctrl-C meant for the demo does not
 * stop Redis before the processes that still need it have shut down (the demo stops it last).
 */
export async function startLocalRedis(options: { appendOnly?: boolean; port?: number; dir?: string; ownGroup?: boolean } = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rewind-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction', '--appendonly', options.appendOnly ? 'yes' : 'no'];
  if (options.appendOnly) args.push('--appendfsync', 'always');
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: options.ownGroup ?? false });
  // Whatever happens to this process, its Redis does not outlive it.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const failed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`could not start redis-server (${e.message}); ${INSTALL_HINT}`, { cause: e }))));
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForPing(port), failed]);
  return {
    url,
    port,
    dir,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One raw RESP PING, so the probe leaves no client library state behind. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
