/** Read-only answers: status, history and releases, as neutral messages. */
import type { Message } from '../domain/message';
import { ROLLBACK_ID_PATTERN } from '../domain/ids';
import { UnknownRollbackError } from '../domain/errors';
import type { RollbackRecord } from '../domain/rollback-record';
import { isFinished } from '../domain/rollback-state';
import { historyMessage } from '../messages/templates/history';
import { releasesMessage } from '../messages/templates/releases';
import { statusMessage, statusOverview } from '../messages/templates/status';
import type { EngineDeps } from './engine-deps';

const SCAN = 200;

async function activeRollbacks(deps: EngineDeps, service?: string): Promise<RollbackRecord[]> {
  const recent = await deps.store.list({ ...(service ? { service } : {}), limit: SCAN });
  return recent.filter((r) => !isFinished(r.state));
}

/** `status` with a rollback id, a service name, or nothing (everything in progress). */
export async function statusOf(deps: EngineDeps, target: string | undefined): Promise<Message> {
  const now = deps.clock.now();
  if (target && ROLLBACK_ID_PATTERN.test(target)) {
    const record = await deps.store.get(target);
    if (!record) throw new UnknownRollbackError(target);
    return statusMessage(record, { now });
  }
  if (target) {
    deps.catalog.resolve(target); // unknown service → error with a suggestion
    const [latest] = await activeRollbacks(deps, target);
    const shown = latest ?? (await deps.store.list({ service: target, limit: 1 }))[0];
    return shown ? statusMessage(shown, { now }) : statusOverview([], { now });
  }
  return statusOverview(await activeRollbacks(deps), { now });
}

export async function historyOf(deps: EngineDeps, service: string | undefined, limit: number): Promise<Message> {
  if (service) deps.catalog.resolve(service);
  const records = await deps.store.list({ ...(service ? { service } : {}), limit });
  return historyMessage(records, { ...(service ? { service } : {}), limit });
}

export async function releasesOf(deps: EngineDeps, service: string, environment: string | undefined): Promise<Message> {
  const target = deps.catalog.resolve(service, environment);
  const provider = deps.integrations.provider(target.service, target.environment);
  const [current, releases] = await Promise.all([provider.currentRelease(), provider.recentReleases(10)]);
  return releasesMessage(target.service, target.environment, current, releases);
}
