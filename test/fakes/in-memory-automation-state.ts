/**
 * AutomationState in memory, as RedisAutomationState keeps it: pauses, locks, platform holds and
 * deploys per service environment (copied in and out, never shared); signal claims with a TTL on
 * the given clock; the monitor's report set by the test.
 */
import type { AutoPause, AutomationState, DeployEvent, EnvironmentLock, HeldPlatform, MonitorReport } from '../../src/domain/automation';

const key = (service: string, environment: string) => `${service}\u0000${environment}`;
const copy = <T>(value: T | undefined): T | undefined => (value === undefined ? undefined : structuredClone(value));

export class InMemoryAutomationState implements AutomationState {
  private readonly pauses = new Map<string, AutoPause>();
  private readonly locks = new Map<string, EnvironmentLock>();
  private readonly holds = new Map<string, HeldPlatform>();
  private readonly deploys = new Map<string, DeployEvent[]>();
  private readonly reports = new Map<string, MonitorReport>();
  private readonly claims = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  private static put<T>(map: Map<string, T>, k: string, value: T | undefined): void {
    if (value === undefined) map.delete(k);
    else map.set(k, structuredClone(value));
  }

  /** What the monitor would have written for `/rollback status`. */
  setMonitorReport(service: string, environment: string, report: MonitorReport): void {
    this.reports.set(key(service, environment), structuredClone(report));
  }

  async monitorReport(service: string, environment: string): Promise<MonitorReport> {
    return copy(this.reports.get(key(service, environment))) ?? { rules: [] };
  }

  async pause(service: string, environment: string): Promise<AutoPause | undefined> {
    return copy(this.pauses.get(key(service, environment)));
  }
  async setPause(service: string, environment: string, pause: AutoPause | undefined): Promise<void> {
    InMemoryAutomationState.put(this.pauses, key(service, environment), pause);
  }
  async lock(service: string, environment: string): Promise<EnvironmentLock | undefined> {
    return copy(this.locks.get(key(service, environment)));
  }
  async setLock(service: string, environment: string, lock: EnvironmentLock | undefined): Promise<void> {
    InMemoryAutomationState.put(this.locks, key(service, environment), lock);
  }
  async platformHold(service: string, environment: string): Promise<HeldPlatform | undefined> {
    return copy(this.holds.get(key(service, environment)));
  }
  async setPlatformHold(service: string, environment: string, held: HeldPlatform | undefined): Promise<void> {
    InMemoryAutomationState.put(this.holds, key(service, environment), held);
  }
  async latestDeploy(service: string, environment: string): Promise<DeployEvent | undefined> {
    return copy(this.deploys.get(key(service, environment))?.[0]);
  }
  async recordDeploy(service: string, environment: string, deploy: DeployEvent): Promise<void> {
    const history = this.deploys.get(key(service, environment)) ?? [];
    history.unshift(structuredClone(deploy));
    this.deploys.set(key(service, environment), history.slice(0, 50));
  }

  async claimSignal(claim: string, ttlMs: number): Promise<boolean> {
    const until = this.claims.get(claim);
    if (until !== undefined && until > this.now()) return false;
    this.claims.set(claim, this.now() + ttlMs);
    return true;
  }
}
