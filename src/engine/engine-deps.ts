/** What the engine is built from: ports only, so it runs the same under tests and in production. */
import type { GroupDirectory } from '../domain/approvers';
import type { AutomationState } from '../domain/automation';
import type { DrillLedger } from '../domain/drills';
import type { Clock, IntegrationFactory, Notices, RollbackStore, Scheduler, ServiceCatalog } from '../domain/ports';

export interface EngineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EngineDeps {
  store: RollbackStore;
  catalog: ServiceCatalog;
  integrations: IntegrationFactory;
  scheduler: Scheduler;
  clock: Clock;
  groups: GroupDirectory;
  newId: (nowMs: number) => string;
  logger: EngineLogger;
  automation: AutomationState;
  notices: Notices;
  /** Each environment's latest drill, and the claims that keep drill reminders to one per period. */
  drills: DrillLedger;
}
