/** Read-only answers: status, history and releases, as neutral messages. */
import type { Message } from '../domain/message';
import { ROLLBACK_ID_PATTERN } from '../domain/ids';
import { UnknownRollbackError } from '../domain/errors';
import type { RollbackRecord } from '../domain/rollback-record';
import { isFinished } from '../domain/rollback-state';
import { releasesMessage } from '../messages/templates/releases';
import { statusMessage, statusOverview } from '../messages/templates/status';
import { automationStatus, type AutomationStatusEntry } from '../messages/templates/auto-notices';
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
  const overview = statusOverview(await activeRollbacks(deps), { now });
  const automation = await automationEntries(deps);
  if (automation.length === 0) return overview;
  const auto = automationStatus(automation);
  return { ...overview, sections: [...overview.sections, { heading: auto.title, ...(auto.text ? { text: auto.text } : {}) }] };
}

/** Every environment with automatic rollback: armed, shadow, paused or locked, and what the monitor last saw. */
async function automationEntries(deps: EngineDeps): Promise<AutomationStatusEntry[]> {
  const entries: AutomationStatusEntry[] = [];
  for (const service of deps.catalog.services()) {
    for (const environment of deps.catalog.environments(service)) {
      const target = deps.catalog.resolve(service, environment);
      if (!target.auto.enabled) continue;
      const [paused, lock, report] = await Promise.all([
        deps.automation.pause(service, environment),
        deps.automation.lock(service, environment),
        deps.automation.monitorReport(service, environment),
      ]);
      const monitors = [
        ...(report.health ? [`health probe: ${report.health.failures} failure(s) in a row${report.health.last ? `, last ${report.health.last}` : ''}`] : []),
        ...report.rules.map((r) => `${r.name}: ${r.breachingSince ? `unhealthy since ${new Date(r.breachingSince).toISOString().slice(11, 19)} UTC` : 'healthy'}${r.last ? `, last ${r.last}` : ''}`),
      ];
      entries.push({
        service,
        environment,
        enabled: true,
        shadow: target.auto.shadow,
        ...(paused ? { paused: `by ${paused.by.name ?? paused.by.id}` } : {}),
        ...(lock ? { locked: lock.reason } : {}),
        monitors,
      });
    }
  }
  return entries;
}

export async function releasesOf(deps: EngineDeps, service: string, environment: string | undefined): Promise<Message> {
  const target = deps.catalog.resolve(service, environment);
  const provider = deps.integrations.provider(target.service, target.environment);
  const [current, releases] = await Promise.all([provider.currentRelease(), provider.recentReleases(10)]);
  return releasesMessage(target.service, target.environment, current, releases);
}
