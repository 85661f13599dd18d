/**
 * Process startup: read the environment and the catalog, build Rewind for a role, and stop
 * cleanly on SIGTERM/SIGINT (workers drain; unfinished jobs resume elsewhere).
 */
import { createRewind, type Rewind, type RewindRoles } from './app/create-rewind';
import { chatModes, settingsFromEnv } from './app/settings';
import { ConfigError } from './config/config-error';
import { loadCatalog } from './config/load-catalog';
import { createLogger } from './observability/logger';
import { SecretScrubber, secretsFromEnv } from './observability/secret-scrubber';

export const ROLES: Readonly<Record<'start' | 'ingress' | 'worker', RewindRoles>> = {
  start: { ingress: true, worker: true },
  ingress: { ingress: true, worker: false },
  worker: { ingress: false, worker: true },
};

export async function runFromEnvironment(role: keyof typeof ROLES, env: NodeJS.ProcessEnv = process.env): Promise<Rewind> {
  const scrubber = new SecretScrubber(secretsFromEnv(env));
  const all = settingsFromEnv(env);
  const settings = all.process;
  const logger = createLogger({ level: settings.LOG_LEVEL, scrubber });
  let loaded;
  try {
    loaded = await loadCatalog(settings.REWIND_CONFIG, env);
  } catch (error) {
    if (error instanceof ConfigError) logger.fatal({ issues: error.issues }, `the catalog ${error.source} is invalid`);
    throw error;
  }
  scrubber.add(loaded.secrets);
  const rewind = await createRewind({
    roles: ROLES[role],
    loaded,
    redisUrl: settings.REDIS_URL,
    redisCluster: settings.REDIS_CLUSTER,
    queue: all.queue,
    logger,
    scrubber,
    http: { port: settings.PORT, host: settings.HOST },
    apiToken: settings.REWIND_API_TOKEN,
    slack: all.slack,
    discord: all.discord,
    console: all.console ? {} : undefined,
  });
  logger.info(
    { role, url: rewind.url, ...chatModes(all), services: loaded.catalog.services().length, environments: loaded.catalog.countEnvironments() },
    `rewind ${role} ready`,
  );

  if (all.console && !['127.0.0.1', 'localhost', '::1'].includes(settings.HOST)) {
    logger.warn({ host: settings.HOST }, 'the web console has no login and lets anyone act as anyone: keep it to demos, behind a trusted network');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    rewind
      .close()
      .then(() => {
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
        setTimeout(() => process.exit(0), 100).unref();
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      });
  };
  // Kept installed: a repeated signal must not kill a drain halfway (stop() ignores repeats).
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return rewind;
}
