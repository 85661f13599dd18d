/** DrillLedger in memory: the newest drill per environment and the reminder claims, like Redis's sorted set and SET NX. */
import type { DrillEntry, DrillLedger } from '../../src/domain/drills';

export class InMemoryDrillLedger implements DrillLedger {
  private readonly drills = new Map<string, DrillEntry[]>();
  /** Every claim that succeeded, as `service/environment/period`. */
  readonly claims: string[] = [];

  async last(service: string, environment: string): Promise<DrillEntry | undefined> {
    return [...(this.drills.get(`${service}/${environment}`) ?? [])].sort((a, b) => b.at - a.at)[0];
  }

  async record(service: string, environment: string, entry: DrillEntry): Promise<void> {
    const key = `${service}/${environment}`;
    const list = (this.drills.get(key) ?? []).filter((e) => e.rollbackId !== entry.rollbackId);
    this.drills.set(key, [...list, entry]);
  }

  async claimReminder(service: string, environment: string, period: string): Promise<boolean> {
    const key = `${service}/${environment}/${period}`;
    if (this.claims.includes(key)) return false;
    this.claims.push(key);
    return true;
  }
}
