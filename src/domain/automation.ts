/** Automatic rollback's settings, its state (pauses, locks, deploys) and the port that keeps that state. */
import type { Actor } from './actor';
import type { PlatformHold } from './release';
import type { Severity } from './severity';

export interface AutoSettings {
  enabled: boolean;
  shadow: boolean;
  windowMs: number;
  cooldownMs: number;
  maxPerHour: number;
  severity: Severity;
  lockAfterRollback: boolean;
}

export const AUTO_DISABLED: AutoSettings = { enabled: false, shadow: false, windowMs: 3_600_000, cooldownMs: 1_800_000, maxPerHour: 2, severity: 'critical', lockAfterRollback: true };

export interface AutoPause {
  by: Actor;
  at: number;
}

export interface EnvironmentLock {
  reason: string;
  rollbackId?: string | undefined;
  since: number;
  by: Actor;
}

/** A hold a rollback left on the platform, until `/rollback unlock` undoes it. */
export interface HeldPlatform {
  hold: PlatformHold;
  rollbackId: string;
  since: number;
}

export interface DeployEvent {
  version: string;
  at: number;
  by?: string | undefined;
  url?: string | undefined;
  source: string;
}

/** What the monitor last saw for one environment, for `/rollback status`. */
export interface MonitorReport {
  health?: { failures: number; last?: string | undefined } | undefined;
  rules: { name: string; breachingSince?: number | undefined; last?: string | undefined }[];
}

export interface AutomationState {
  /** The monitor's latest observations of a service environment. */
  monitorReport(service: string, environment: string): Promise<MonitorReport>;
  pause(service: string, environment: string): Promise<AutoPause | undefined>;
  setPause(service: string, environment: string, pause: AutoPause | undefined): Promise<void>;
  lock(service: string, environment: string): Promise<EnvironmentLock | undefined>;
  setLock(service: string, environment: string, lock: EnvironmentLock | undefined): Promise<void>;
  platformHold(service: string, environment: string): Promise<HeldPlatform | undefined>;
  setPlatformHold(service: string, environment: string, held: HeldPlatform | undefined): Promise<void>;
  latestDeploy(service: string, environment: string): Promise<DeployEvent | undefined>;
  recordDeploy(service: string, environment: string, deploy: DeployEvent): Promise<void>;
  /** True the first time a key is claimed within `ttlMs`: duplicates of one firing start one rollback. */
  claimSignal(key: string, ttlMs: number): Promise<boolean>;
}
