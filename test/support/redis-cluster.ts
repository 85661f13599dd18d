/**
 * A private Redis Cluster for the tests: six `redis-server --cluster-enabled yes` on free loopback
 * ports in a temporary folder, joined by `redis-cli --cluster create … --cluster-replicas 1` (three
 * masters, each with a replica). Node timeout 1 s, so a killed master's replica takes over quickly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';

export interface ClusterNode {
  port: number;
  process: ChildProcess;
}

export interface RedisClusterUnderTest {
  /** A seed node's URL, as REDIS_URL would be set. */
  url: string;
  nodes: ClusterNode[];
  /** `redis-cli` against one node, the answer as text. */
  cli(port: number, ...args: string[]): string;
  /** The port of the master serving `key`'s slot now. */
  masterOf(key: string): number;
  /** Whether every live node reports `cluster_state:ok`. */
  healthy(): boolean;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 1_000;

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`redis-cli -p ${port} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startRedisCluster(): Promise<RedisClusterUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const nodes: ClusterNode[] = ports.map((port) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--appendonly', 'no', '--save', '', '--repl-diskless-sync', 'no', '--maxmemory-policy', 'noeviction', '--logfile', join(nodeDir, 'redis.log')],
      { stdio: 'ignore' },
    );
    const stopOnExit = () => child.kill('SIGKILL');
    process.once('exit', stopOnExit);
    child.once('exit', () => process.off('exit', stopOnExit));
    return { port, process: child };
  });
  const alive = (node: ClusterNode) => node.process.exitCode === null && node.process.signalCode === null;
  await waitUntil(() => nodes.every((n) => spawnSync('redis-cli', ['-p', String(n.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG'), 'all nodes answering PING');
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8' });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);

  const healthy = () => nodes.filter(alive).every((n) => /cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(n.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout));
  await waitUntil(healthy, 'cluster_state:ok on every node');
  // Replicas attach a moment after the slots are assigned; a failover test needs them in place.
  await waitUntil(() => (cli(ports[0]!, 'cluster', 'nodes').match(/\bslave\b/g) ?? []).length === 3, 'three replicas attached');
  // A replica that has not synced yet cannot be promoted: wait until each one's link to its master is up.
  const replicas = () => nodes.filter((n) => /role:slave/.test(cli(n.port, 'info', 'replication')));
  await waitUntil(() => replicas().length === 3 && replicas().every((n) => /master_link_status:up/.test(cli(n.port, 'info', 'replication'))), 'every replica in sync');

  const live = () => nodes.find(alive)!.port;
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    nodes,
    cli,
    healthy,
    masterOf(key: string): number {
      const slot = Number(cli(live(), 'cluster', 'keyslot', key));
      for (const line of cli(live(), 'cluster', 'nodes').split('\n')) {
        const fields = line.split(' ');
        if (!fields[2]?.includes('master') || fields[2].includes('fail')) continue;
        for (const range of fields.slice(8)) {
          const [from, to] = range.split('-').map(Number) as [number, number | undefined];
          if (slot >= from && slot <= (to ?? from)) return Number(fields[1]!.split(':')[1]!.split('@')[0]);
        }
      }
      throw new Error(`no master serves slot ${slot} of ${key}`);
    },
    async stop() {
      for (const node of nodes) if (alive(node)) node.process.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
