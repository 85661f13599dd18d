/**
 * `npm run demo`: Redis, the demo blue/green service and Rewind with its web console, in one
 * command, on this machine. Ctrl-C stops all of it. The same code paths as production: commands
 * go through the `commands` queue, rollbacks through the engine, chat through the outbox.
 */
import { join } from 'node:path';
import { createRewind } from '../app/create-rewind';
import { loadCatalog } from '../config/load-catalog';
import { createLogger } from '../observability/logger';
import { SecretScrubber } from '../observability/secret-scrubber';
import { QueueSettings } from '../queue/queue-settings';
import { BlueGreenService, parseStatusShape } from './bluegreen-service';
import { startDemoRender } from './demo-render';
import { DEMO_GUIDE, demoRoutes } from './demo-guide';
import { freePort, hasRedisServer, INSTALL_HINT, installRedisServer, portInUse, startLocalRedis, type LocalRedis } from './local-redis';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function redisFor(env: NodeJS.ProcessEnv): Promise<{ url: string; local?: LocalRedis }> {
  if (env['REDIS_URL']) return { url: env['REDIS_URL'] };
  if (!hasRedisServer() && !installRedisServer(say)) throw new Error(`redis-server is not installed and could not be installed here; ${INSTALL_HINT}`);
  const local = await startLocalRedis({ ownGroup: true });
  return { url: local.url, local };
}

async function port(wanted: number): Promise<number> {
  return (await portInUse(wanted)) ? freePort() : wanted;
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const redis = await redisFor(env);
  const service = await BlueGreenService.start({ blue: { version: '2.3.1' }, green: { version: '2.3.0' }, live: 'blue', statusShape: parseStatusShape(env['DEMO_STATUS_SHAPE']), port: await port(Number(env['DEMO_SERVICE_PORT'] ?? 8080)) });
  const render = await startDemoRender({ port: await port(Number(env['DEMO_RENDER_PORT'] ?? 8090)) });
  const scrubber = new SecretScrubber();
  const logger = createLogger({ level: env['LOG_LEVEL'] ?? 'warn', scrubber });
  const loaded = await loadCatalog(env['REWIND_CONFIG'] ?? join(__dirname, '../../manifests/demo.yaml'), { ...env, DEMO_SERVICE_URL: service.url, DEMO_RENDER_URL: render.url });
  const rewind = await createRewind({
    roles: { ingress: true, worker: true },
    loaded,
    redisUrl: redis.url,
    queue: QueueSettings.parse({ prefix: '{rewind-demo}' }),
    logger,
    scrubber,
    http: { port: await port(Number(env['PORT'] ?? 3000)), host: env['HOST'] ?? '127.0.0.1' },
    console: { guide: DEMO_GUIDE },
    routes: demoRoutes(service, render),
  });

  say('');
  say(`  Rewind demo is running at ${rewind.url}/console/`);
  say(`  demo-api (blue/green) at ${service.url} · demo-web (Render-style API) at ${render.url} · Redis at ${redis.url}`);
  say('  Follow the guided steps on the page. Ctrl-C stops everything.');
  say('');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping the demo…');
    await rewind.close();
    await service.close();
    await render.close();
    await redis.local?.stop();
    say('stopped.');
    process.exit(0);
  };
  // Kept installed: a second Ctrl-C (or the signal relayed by tsx/npm) must not kill a shutdown halfway.
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main(process.env).catch((error: unknown) => {
  process.stderr.write(`rewind demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
