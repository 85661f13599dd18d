/**
 * The loaded catalog: layers built-in defaults, `defaults`, the service and the environment into one
 * resolved policy per environment, checks what zod alone cannot, and answers lookups with suggestions.
 */
import { countRefs, type ApproverRefs } from '../domain/approvers';
import { AUTO_DISABLED } from '../domain/automation';
import { closestMatch } from '../domain/closest-match';
import type { IncidentComms } from '../domain/incident-comms';
import { UnknownEnvironmentError, UnknownServiceError } from '../domain/errors';
import type { ApprovalRule, EnvironmentPolicy } from '../domain/policy';
import type { ResolvedTarget, ServiceCatalog } from '../domain/ports';
import { SEVERITIES, type Severity } from '../domain/severity';
import { commandName, type PlanStepSpec } from '../domain/plan';
import type { CatalogConfig, EnvironmentConfig, PlanStepConfig, ServiceConfig } from './catalog-schema';
import type { ConfigIssue } from './config-error';

type RuleLayer = { required?: number | undefined; approvers?: ApproverRefs | undefined; timeout?: number | undefined; refuse?: string | undefined };
type Layer = CatalogConfig['defaults'] | ServiceConfig | EnvironmentConfig;

/** The decision matrix of the runbooks, used where the catalog says nothing. */
const BUILT_IN_RULES: Readonly<Record<Severity, RuleLayer>> = {
  critical: { required: 0 },
  high: { required: 1, timeout: 15 * 60_000 },
  medium: { required: 1, timeout: 60 * 60_000 },
  low: { refuse: 'Low severity: fix it in the next release instead of rolling back.' },
};
const BUILT_IN_RTO_MS: Readonly<Partial<Record<Severity, number>>> = { critical: 2 * 60_000, high: 15 * 60_000, medium: 60 * 60_000 };
const BUILT_IN_WAIT_LIVE = { timeoutMs: 5 * 60_000, intervalMs: 2_000 };

export interface EnvironmentEntry {
  target: ResolvedTarget;
  config: EnvironmentConfig;
}

function mergeRule(layers: readonly (RuleLayer | undefined)[]): RuleLayer {
  let rule: RuleLayer = {};
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.refuse !== undefined) rule = { refuse: layer.refuse, approvers: layer.approvers ?? rule.approvers, timeout: layer.timeout ?? rule.timeout };
    else if (layer.required !== undefined)
      rule = { required: layer.required, approvers: layer.approvers ?? rule.approvers, timeout: layer.timeout ?? rule.timeout };
  }
  return rule;
}

function toApprovalRule(rule: RuleLayer): ApprovalRule {
  if (rule.refuse !== undefined) return { kind: 'refuse', message: rule.refuse };
  if (!rule.required) return { kind: 'immediate' };
  return { kind: 'approval', required: rule.required, approvers: rule.approvers ?? {}, timeoutMs: rule.timeout ?? 15 * 60_000 };
}

function hasGroupsOrRoles(refs: ApproverRefs): boolean {
  return [...(refs.slack ?? []), ...(refs.discord ?? []), ...(refs.console ?? [])].some(
    (r) => r.startsWith('role:') || r.startsWith('group:') || /^S[A-Z0-9]+$/.test(r),
  );
}

function checkRule(severity: Severity, rule: ApprovalRule, path: string, issues: ConfigIssue[]): void {
  if (rule.kind !== 'approval') return;
  const listed = countRefs(rule.approvers);
  if (listed === 0) {
    issues.push({
      path,
      message: `${severity} severity needs ${rule.required} approval${rule.required > 1 ? 's' : ''} but no approvers are configured; set approvals.${severity}.approvers (in defaults, the service or the environment) or make it { required: 0 }`,
    });
  } else if (listed < rule.required && !hasGroupsOrRoles(rule.approvers)) {
    issues.push({ path, message: `${severity} severity needs ${rule.required} approvals but only ${listed} approver${listed > 1 ? 's are' : ' is'} listed` });
  }
}

/** How the thread names a catalog step: its `name`, else what it does (never a value from its arguments). */
function defaultStepTitle(step: PlanStepConfig): string {
  switch (step.type) {
    case 'command':
      return `Run ${commandName(step.run)}`;
    case 'postgres-backup':
      return `PostgreSQL backup${step.schemas ? ` (${step.schemas.join(', ')})` : ''}`;
    case 'supabase-pitr':
      return `Supabase restore point (${step.project})`;
  }
}

function planStepSpec(step: PlanStepConfig): PlanStepSpec {
  const title = step.name ?? defaultStepTitle(step);
  return { title, optional: step.optional, kind: step.type };
}

function last<T>(layers: readonly Layer[], pick: (layer: Layer) => T | undefined): T | undefined {
  let value: T | undefined;
  for (const layer of layers) value = pick(layer) ?? value;
  return value;
}

/** Each setting whole from the most specific layer that sets it (an environment's `paging` replaces the defaults'). */
function resolveComms(layers: readonly Layer[]): IncidentComms {
  const paging = last(layers, (l) => l.paging);
  const mention = last(layers, (l) => l.mention);
  const announce = last(layers, (l) => l.announce);
  const review = last(layers, (l) => l.review);
  const drills = last(layers, (l) => l.drills);
  return {
    paging: {
      ...(paging?.pagerduty ? { pagerduty: { routingKey: paging.pagerduty.routingKey, apiUrl: paging.pagerduty.apiUrl } } : {}),
      ...(paging?.opsgenie ? { opsgenie: { apiKey: paging.opsgenie.apiKey, apiUrl: paging.opsgenie.apiUrl } } : {}),
    },
    mention: { ...(mention?.slack ? { slack: mention.slack } : {}), ...(mention?.discord ? { discord: mention.discord } : {}) },
    announce: { slack: announce?.slack ?? [], discord: announce?.discord ?? [] },
    ...(review ? { reviewAfterMs: review.after } : {}),
    ...(drills ? { drills: { everyMs: drills.every, allowProduction: drills.allowProduction } } : {}),
  };
}

function resolveEnvironment(service: string, environment: string, layers: readonly Layer[], config: EnvironmentConfig, issues: ConfigIssue[]): ResolvedTarget {
  const path = `services.${service}.environments.${environment}`;
  const rules = {} as Record<Severity, ApprovalRule>;
  const rtoMs: Partial<Record<Severity, number>> = { ...BUILT_IN_RTO_MS };
  for (const severity of SEVERITIES) {
    rules[severity] = toApprovalRule(mergeRule([BUILT_IN_RULES[severity], ...layers.map((l) => l.approvals?.[severity])]));
    checkRule(severity, rules[severity], path, issues);
    const rto = last(layers, (l) => l.rto?.[severity]);
    if (rto !== undefined) rtoMs[severity] = rto;
  }
  const waitLive = last(layers, (l) => l.waitLive);
  const policy: EnvironmentPolicy = {
    defaultSeverity: last(layers, (l) => l.severity) ?? 'high',
    rules,
    selfApproval: last(layers, (l) => l.selfApproval) ?? false,
    requesters: last(layers, (l) => l.requesters),
    rtoMs,
    escalation: last(layers, (l) => l.escalation),
  };
  if (rules[policy.defaultSeverity].kind === 'refuse') {
    issues.push({ path, message: `the default severity "${policy.defaultSeverity}" is refused by its approval rule, so a plain /rollback could never run` });
  }
  return {
    service,
    environment,
    channels: { slack: config.channels.slack ?? [], discord: config.channels.discord ?? [], console: config.channels.console ?? [] },
    policy,
    providerType: config.provider.type,
    waitLive: waitLive ? { timeoutMs: waitLive.timeout, intervalMs: waitLive.interval } : BUILT_IN_WAIT_LIVE,
    planSteps: { before: config.steps.before.map(planStepSpec), after: config.steps.after.map(planStepSpec) },
    comms: resolveComms(layers),
    auto: config.auto
      ? {
          enabled: true,
          shadow: config.auto.shadow,
          windowMs: config.auto.window,
          cooldownMs: config.auto.cooldown,
          maxPerHour: config.auto.maxPerHour,
          severity: config.auto.severity,
          lockAfterRollback: config.auto.lockAfterRollback,
        }
      : AUTO_DISABLED,
  };
}

export class Catalog implements ServiceCatalog {
  private constructor(private readonly entries: ReadonlyMap<string, ReadonlyMap<string, EnvironmentEntry>>) {}

  /** Resolves every environment; returns the issues zod could not see (empty when usable). */
  static build(config: CatalogConfig): { catalog: Catalog; issues: ConfigIssue[] } {
    const issues: ConfigIssue[] = [];
    const entries = new Map<string, Map<string, EnvironmentEntry>>();
    for (const [service, serviceConfig] of Object.entries(config.services)) {
      const envs = new Map<string, EnvironmentEntry>();
      for (const [environment, envConfig] of Object.entries(serviceConfig.environments)) {
        const target = resolveEnvironment(service, environment, [config.defaults, serviceConfig, envConfig], envConfig, issues);
        envs.set(environment, { target, config: envConfig });
      }
      entries.set(service, envs);
    }
    return { catalog: new Catalog(entries), issues };
  }

  services(): string[] {
    return [...this.entries.keys()];
  }

  environments(service: string): string[] {
    return [...(this.entries.get(service)?.keys() ?? [])];
  }

  resolve(service: string, environment?: string): ResolvedTarget {
    return this.entry(service, environment).target;
  }

  entry(service: string, environment?: string): EnvironmentEntry {
    const envs = this.entries.get(service);
    if (!envs) throw new UnknownServiceError(service, this.services(), closestMatch(service, this.services()));
    const name = environment ?? envs.keys().next().value;
    const entry = name === undefined ? undefined : envs.get(name);
    if (!entry) {
      const known = [...envs.keys()];
      throw new UnknownEnvironmentError(service, environment ?? '', known, closestMatch(environment ?? '', known));
    }
    return entry;
  }

  countEnvironments(): number {
    let n = 0;
    for (const envs of this.entries.values()) n += envs.size;
    return n;
  }
}
