/**
 * The engine on in-memory ports, for unit tests: no Redis, no queue, no HTTP, no timers. Time moves
 * only through the ManualClock, work runs only when the test drains the scheduler, and the deploy
 * platform and checks are scripted fakes. Everything a person would notice (state, outcome, audit
 * trail, chat events) is read back from the in-memory store.
 */
import type { Actor } from '../../src/domain/actor';
import { NO_GROUPS, type ApproverRefs, type GroupDirectory } from '../../src/domain/approvers';
import type { AuditEvent } from '../../src/domain/audit';
import { AUTO_DISABLED, type AutoSettings } from '../../src/domain/automation';
import { NO_COMMS } from '../../src/domain/incident-comms';
import type { OutboundEvent } from '../../src/domain/outbound-event';
import { NO_PLAN_STEPS, type PlanSteps } from '../../src/domain/plan';
import type { ApprovalRule, EnvironmentPolicy } from '../../src/domain/policy';
import type { ResolvedTarget } from '../../src/domain/ports';
import type { Release } from '../../src/domain/release';
import type { RollbackRequestInput } from '../../src/domain/request';
import type { RollbackRecord } from '../../src/domain/rollback-record';
import type { Severity } from '../../src/domain/severity';
import { expireApproval } from '../../src/engine/decide-approval';
import type { EngineDeps, EngineLogger } from '../../src/engine/engine-deps';
import { RollbackExecutor } from '../../src/engine/executor';
import { requestRollback } from '../../src/engine/request-rollback';
import { renderPlainText } from '../../src/messages/plain-text';
import { InMemoryAutomationState } from '../fakes/in-memory-automation-state';
import { InMemoryCatalog } from '../fakes/in-memory-catalog';
import { ManualClock } from '../fakes/in-memory-clock';
import { InMemoryDeployProvider, InMemoryIntegrations, InMemoryVerifier } from '../fakes/in-memory-integrations';
import { InMemoryDrillLedger } from '../fakes/in-memory-drill-ledger';
import { InMemoryNotices } from '../fakes/in-memory-notices';
import { InMemoryRollbackStore } from '../fakes/in-memory-rollback-store';
import { InMemoryScheduler } from '../fakes/in-memory-scheduler';

/** 2026-11-23 09:45:12 UTC. */
export const START = Date.UTC(2026, 10, 23, 9, 45, 12);
export const MINUTE = 60_000;

export const PEOPLE = {
  oncall: { platform: 'slack', id: 'U0ONCALL', name: 'oncall' },
  lead: { platform: 'slack', id: 'U0LEAD', name: 'lead' },
  lead2: { platform: 'slack', id: 'U0LEAD2', name: 'lead2' },
  stranger: { platform: 'slack', id: 'U0STRANGER', name: 'stranger' },
  discordMod: { platform: 'discord', id: '777', name: 'mod', roles: ['role-sre'] },
} as const satisfies Record<string, Actor>;

/** 2.4.1 live on green; 2.4.0 on blue is the last stable; 2.3.9 before it. */
export const RELEASES: readonly Release[] = [
  { id: 'green-2.4.1', version: '2.4.1', slot: 'green', deployedAt: '2026-11-23T09:30:00Z' },
  { id: 'blue-2.4.0', version: '2.4.0', slot: 'blue', deployedAt: '2026-11-20T14:02:00Z' },
  { id: 'green-2.3.9', version: '2.3.9', slot: 'green', deployedAt: '2026-11-12T10:00:00Z' },
];

const approval = (required: number, approvers: ApproverRefs, timeoutMs = 15 * MINUTE): ApprovalRule => ({ kind: 'approval', required, approvers, timeoutMs });

/** The runbooks' decision matrix, as the integration harness's catalog has it. */
export const STANDARD_RULES: Readonly<Record<Severity, ApprovalRule>> = {
  critical: { kind: 'immediate' },
  high: approval(1, { slack: ['U0LEAD', 'U0LEAD2'] }),
  medium: approval(1, { slack: ['U0LEAD'] }, 60 * MINUTE),
  low: { kind: 'refuse', message: 'Low severity: fix it in the next release.' },
};

export function policyOf(overrides: Partial<EnvironmentPolicy> = {}): EnvironmentPolicy {
  return { defaultSeverity: 'high', rules: STANDARD_RULES, selfApproval: false, rtoMs: { critical: 2 * MINUTE, high: 15 * MINUTE }, ...overrides };
}

export function targetOf(overrides: Partial<ResolvedTarget> & { policy?: EnvironmentPolicy; auto?: AutoSettings; planSteps?: PlanSteps } = {}): ResolvedTarget {
  return {
    service: 'checkout-api',
    environment: 'production',
    channels: { slack: ['C0INCIDENT'], discord: [], console: [] },
    policy: policyOf(),
    providerType: 'fakeplatform',
    waitLive: { timeoutMs: 20_000, intervalMs: 1_000 },
    auto: AUTO_DISABLED,
    planSteps: NO_PLAN_STEPS,
    comms: NO_COMMS,
    ...overrides,
  };
}

const SILENT: EngineLogger = { info() {}, warn() {}, error() {} };

export interface EngineWorld {
  deps: EngineDeps;
  store: InMemoryRollbackStore;
  scheduler: InMemoryScheduler;
  clock: ManualClock;
  automation: InMemoryAutomationState;
  notices: InMemoryNotices;
  drills: InMemoryDrillLedger;
  catalog: InMemoryCatalog;
  integrations: InMemoryIntegrations;
  provider: InMemoryDeployProvider;
  executor: RollbackExecutor;
  /** Requests a rollback of checkout-api/production (overrides win) and returns the new record. */
  request(input?: Partial<RollbackRequestInput>): Promise<RollbackRecord>;
  /** Runs every waiting execution to its end. */
  runQueued(): Promise<number>;
  get(id: string): Promise<RollbackRecord>;
  trail(id: string): Promise<AuditEvent[]>;
  events(id: string): Promise<OutboundEvent[]>;
  /** Every chat event (header, announcements, thread) as plain text, in order. */
  said(id: string): Promise<string[]>;
  /** The titles of the thread posts, in order. */
  thread(id: string): Promise<string[]>;
}

export function inMemoryEngine(
  options: {
    target?: ResolvedTarget;
    releases?: readonly Release[];
    checks?: InMemoryVerifier[];
    clock?: ManualClock;
    groups?: GroupDirectory;
  } = {},
): EngineWorld {
  const clock = options.clock ?? new ManualClock(START);
  const store = new InMemoryRollbackStore(() => clock.now());
  const scheduler = new InMemoryScheduler();
  const automation = new InMemoryAutomationState(() => clock.now());
  const notices = new InMemoryNotices();
  const drills = new InMemoryDrillLedger();
  const catalog = new InMemoryCatalog([options.target ?? targetOf()]);
  const provider = new InMemoryDeployProvider(options.releases ?? RELEASES);
  const integrations = new InMemoryIntegrations(provider, options.checks ?? [new InMemoryVerifier('health')]);
  let ids = 0;
  const deps: EngineDeps = {
    store,
    catalog,
    integrations,
    scheduler,
    clock,
    groups: options.groups ?? NO_GROUPS,
    newId: () => `rb_test_${String(++ids).padStart(3, '0')}`,
    logger: SILENT,
    automation,
    notices,
    drills,
  };
  const executor = new RollbackExecutor(deps);
  scheduler.attach({ execute: (id, run, signal) => executor.run(id, run, signal), expire: (id) => expireApproval(deps, id) });

  const get = async (id: string) => {
    const record = await store.get(id);
    if (!record) throw new Error(`no rollback ${id}`);
    return record;
  };
  return {
    deps,
    store,
    scheduler,
    clock,
    automation,
    notices,
    drills,
    catalog,
    integrations,
    provider,
    executor,
    async request(input = {}) {
      const result = await requestRollback(deps, {
        service: 'checkout-api',
        environment: 'production',
        reason: 'checkout 500s since 2.4.1',
        requester: PEOPLE.oncall,
        origin: { platform: 'slack', channelId: 'C0INCIDENT' },
        ...input,
      });
      if (result.kind !== 'created') throw new Error(`expected a new rollback, got ${result.kind}`);
      return result.record;
    },
    runQueued: () => scheduler.drain(),
    get,
    trail: (id) => store.auditTrail(id),
    events: (id) => store.outboxEvents(id),
    async said(id) {
      return (await store.outboxEvents(id)).map((e) => renderPlainText(e.message));
    },
    async thread(id) {
      return (await store.outboxEvents(id)).filter((e) => e.kind === 'thread').map((e) => e.message.title);
    },
  };
}

/** `type` of each audit event, with the step or state it concerns: `step.started:precheck`, `transition:queued`. */
export function auditLine(event: AuditEvent): string {
  if (event.type === 'transition') return `transition:${event.to}`;
  const step = event.data?.['step'];
  return typeof step === 'string' ? `${event.type}:${step}` : event.type;
}
