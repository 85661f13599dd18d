/**
 * A private Prometheus (Debian's `prometheus` package) that scrapes the given targets every 500 ms,
 * for tests that read Rewind's metrics back the way an SRE would: through PromQL over the HTTP API.
 * Outside CI a machine without it skips visibly; in CI (.ci/run installs it) it is an error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';
import { waitFor } from './wait-for';

export function prometheusAvailable(): boolean {
  const found = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env['CI']) throw new Error('prometheus not found: .ci/run installs it with apt-get install -y prometheus');
  if (!found) process.stderr.write('Prometheus tests skipped: no prometheus binary (apt-get install -y prometheus)\n');
  return found;
}

export interface PrometheusServer {
  url: string;
  /** Instant PromQL query; the result vector's samples as label sets and numbers. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: readonly string[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const hosts = targets.map((t) => new URL(t).host);
  writeFileSync(config, `global: { scrape_interval: 500ms, scrape_timeout: 400ms }\nscrape_configs:\n  - job_name: rewind\n    static_configs:\n      - targets: ${JSON.stringify(hosts)}\n`);
  const port = await freePort();
  const child: ChildProcess = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.status,
      (status) => status === 200,
      { what: `prometheus to be ready (stderr: ${stderr.slice(-500)})`, timeoutMs: 30_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`PromQL ${promql} failed: ${body.error}`);
      return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    stop,
  };
}
