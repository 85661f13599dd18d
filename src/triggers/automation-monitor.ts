/**
 * The built-in triggers: health probes (N consecutive failures) and metric rules (unhealthy for a
 * duration), evaluated by one leader across all worker processes. Probes and rules reuse the
 * verifiers, so "healthy" means the same thing before and after a rollback.
 */
import type { Catalog } from '../config/catalog';
import type { CheckConfig, HealthProbeConfig, MetricRuleConfig } from '../config/catalog-schema';
import { RULE_PRESETS } from '../config/catalog-schema';
import type { AutoSignal } from '../domain/auto-signal';
import type { Clock, Leadership, Verifier } from '../domain/ports';
import type { Logger } from '../observability/logger';
import { ProbeState, RuleState, type MonitorStateStore } from './monitor-state';

const NO_TARGET = { id: '-', version: '-' };
const EVIDENCE_LINES = 10;

export interface MonitorDeps {
  catalog: Catalog;
  /** Builds the check a probe or a rule runs (the same http and prometheus checks as verification). */
  check: (config: CheckConfig) => Verifier;
  clock: Clock;
  state: MonitorStateStore;
  emit: (signal: AutoSignal) => Promise<unknown>;
  election: Leadership;
  logger: Logger;
}

interface Task {
  intervalMs: number;
  tick(): Promise<void>;
}

const utcTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

export interface ResolvedRule {
  name: string;
  query: string;
  side: 'above' | 'below';
  threshold: number;
  forMs: number;
  intervalMs: number;
  severity?: MetricRuleConfig['severity'];
}

export function resolveRule(rule: MetricRuleConfig): ResolvedRule {
  const preset = rule.preset ? RULE_PRESETS[rule.preset] : undefined;
  const side = rule.below !== undefined ? 'below' : 'above';
  return {
    name: rule.name ?? rule.preset ?? rule.query.slice(0, 60),
    query: rule.query,
    side,
    threshold: (side === 'below' ? rule.below : (rule.above ?? preset?.above)) ?? 0,
    forMs: rule.for ?? preset?.for ?? 0,
    intervalMs: rule.interval,
    ...(rule.severity ? { severity: rule.severity } : {}),
  };
}

export class AutomationMonitor {
  private controller: AbortController | undefined;
  private readonly callbacks = { onElected: () => this.run(), onDemoted: () => this.halt() };

  constructor(private readonly deps: MonitorDeps) {}

  /** Starts campaigning for leadership; only the leader probes. */
  start(): Promise<void> {
    return this.deps.election.start(this.callbacks);
  }

  stop(): Promise<void> {
    return this.deps.election.stop(this.callbacks);
  }

  private tasks(): Task[] {
    const tasks: Task[] = [];
    for (const service of this.deps.catalog.services()) {
      for (const environment of this.deps.catalog.environments(service)) {
        const auto = this.deps.catalog.entry(service, environment).config.auto;
        if (!auto) continue;
        if (auto.health) tasks.push(this.healthTask(service, environment, auto.health, auto.severity));
        for (const rule of auto.rules) if (auto.prometheus) tasks.push(this.ruleTask(service, environment, resolveRule(rule), auto.prometheus, auto.severity));
      }
    }
    return tasks;
  }

  private run(): void {
    const controller = new AbortController();
    this.controller = controller;
    for (const task of this.tasks()) void this.loop(task, controller.signal);
  }

  private halt(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  private async loop(task: Task, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await task.tick();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'automation monitor check failed');
      }
      await this.deps.clock.sleep(task.intervalMs, signal).catch(() => undefined);
    }
  }

  private healthTask(service: string, environment: string, probe: HealthProbeConfig, severity: AutoSignal['severity']): Task {
    const verifier = this.deps.check({ type: 'http', name: 'health probe', url: probe.url, method: 'GET', expect: probe.expect, repeat: 1, interval: 0, timeout: probe.timeout, initialDelay: 0 });
    return {
      intervalMs: probe.interval,
      tick: async () => {
        const { state: store, clock } = this.deps;
        const result = await verifier.verify({ target: NO_TARGET });
        const now = clock.now();
        const state = await store.read(service, environment, 'health', ProbeState, ProbeState.parse({}));
        const line = `${utcTime(now)} UTC ${result.status === 'pass' ? 'ok' : 'FAILED'}: ${result.measured}`;
        const next: ProbeState =
          result.status === 'pass'
            ? { failures: 0, triggered: false, evidence: [], last: line, lastAt: now }
            : { failures: state.failures + 1, streakStart: state.streakStart ?? now, triggered: state.triggered, evidence: [...state.evidence, line].slice(-EVIDENCE_LINES), last: line, lastAt: now };
        const deciding = result.status !== 'pass' && next.failures >= probe.failures && !next.triggered;
        if (deciding) next.triggered = true;
        await store.write(service, environment, 'health', next);
        if (!deciding) return;
        await this.deps.emit({
          source: 'health-monitor',
          service,
          environment,
          ...(severity ? { severity } : {}),
          firing: true,
          dedupeKey: `health:${service}:${environment}:${next.streakStart}`,
          title: `health probe failed ${next.failures} times in a row`,
          evidence: [`${probe.url} expected ${result.threshold}`, ...next.evidence],
          links: [probe.url],
          at: now,
        });
      },
    };
  }

  private ruleTask(service: string, environment: string, rule: ResolvedRule, prometheus: { url: string; headers?: Record<string, string> | undefined; timeout: number }, severity: AutoSignal['severity']): Task {
    // The check passes while healthy, so its threshold is the healthy side of the rule's.
    const verifier = this.deps.check({
      type: 'prometheus',
      name: rule.name,
      url: prometheus.url,
      query: rule.query,
      ...(rule.side === 'above' ? { below: rule.threshold } : { above: rule.threshold }),
      interval: 0,
      count: 1,
      failureLimit: 0,
      ...(prometheus.headers ? { headers: prometheus.headers } : {}),
      timeout: prometheus.timeout,
      initialDelay: 0,
    });
    const field = `rule:${rule.name}`;
    return {
      intervalMs: rule.intervalMs,
      tick: async () => {
        const { state: store, clock } = this.deps;
        const result = await verifier.verify({ target: NO_TARGET });
        const now = clock.now();
        const state = await store.read(service, environment, field, RuleState, RuleState.parse({}));
        const line = `${utcTime(now)} UTC ${result.measured}`;
        // No data is not health: an inconclusive reading neither starts nor ends a breach.
        const next: RuleState =
          result.status === 'pass'
            ? { triggered: false, last: line, lastAt: now }
            : result.status === 'fail'
              ? { breachingSince: state.breachingSince ?? now, triggered: state.triggered, last: line, lastAt: now }
              : { ...state, last: line, lastAt: now };
        const deciding = result.status === 'fail' && now - next.breachingSince! >= rule.forMs && !next.triggered;
        if (deciding) next.triggered = true;
        await store.write(service, environment, field, next);
        if (!deciding) return;
        const forText = `${Math.round(rule.forMs / 1000)} s`;
        await this.deps.emit({
          source: 'metric-rule',
          service,
          environment,
          ...((rule.severity ?? severity) ? { severity: rule.severity ?? severity } : {}),
          firing: true,
          dedupeKey: `rule:${service}:${environment}:${rule.name}:${next.breachingSince}`,
          title: `${rule.name}: ${rule.side} ${rule.threshold} for ${forText}`,
          evidence: [`query: ${rule.query}`, `measured ${result.measured} (unhealthy ${rule.side} ${rule.threshold}) since ${utcTime(next.breachingSince!)} UTC`],
          links: [prometheus.url],
          at: now,
        });
      },
    };
  }
}
