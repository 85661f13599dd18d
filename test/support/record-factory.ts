/**
 * Realistic rollback records in any state for tests: `makeRecord({ state })` gives a record whose steps,
 * timings, decisions and verification agree with that state; overrides win. Every record is parsed by
 * the `RollbackRecord` schema, so an impossible override fails where it is written.
 */
import type { Actor } from '../../src/domain/actor';
import { BUILTIN_STEPS as STEP_NAMES, type BuiltinStep as StepName, type StepRecord, type StepStatus } from '../../src/domain/plan';
import type { Release } from '../../src/domain/release';
import { RollbackRecord, type PolicySnapshot, type VerificationRecord } from '../../src/domain/rollback-record';
import type { RollbackState } from '../../src/domain/rollback-state';
import { overallStatus, type CheckResult } from '../../src/domain/verification';

/** 2026-11-23 09:45:12 UTC: every record is requested then unless told otherwise. */
export const T0 = Date.UTC(2026, 10, 23, 9, 45, 12);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export const ACTORS = {
  steve: { platform: 'slack', id: 'U0STEVE', name: 'steve' },
  lead: { platform: 'slack', id: 'U0LEAD', name: 'Lead' },
  ann: { platform: 'discord', id: '501', name: 'Ann' },
  rewind: { platform: 'rewind', id: 'rewind', name: 'Rewind' },
} as const satisfies Record<string, Actor>;

export const RELEASES = {
  bad: { id: 'green-2.4.1', version: '2.4.1', slot: 'green', deployedAt: '2026-11-23T09:30:00Z', description: 'checkout: new pricing engine' },
  good: { id: 'blue-2.4.0', version: '2.4.0', slot: 'blue', deployedAt: '2026-11-20T14:02:00Z', description: 'checkout: retry on card timeouts' },
} as const satisfies Record<string, Release>;

/** Offsets from `startedAt` of each step's start and end in the standard (38 s, critical) run. */
const STEP_TIMELINE: Readonly<Record<StepName, readonly [number, number]>> = {
  precheck: [0, 300],
  capture: [300, 600],
  rollback: [600, 2_600],
  wait_live: [2_600, 5_600],
  verify: [5_600, 35_600],
  summarize: [35_600, 37_800],
};
const START_DELAY = 200;

export const APPROVAL_POLICY: PolicySnapshot = {
  decision: 'await_approval',
  required: 1,
  approvers: { slack: ['U0LEAD', 'S0SRE'], discord: ['501', 'role:111'] },
  timeoutMs: 15 * MINUTE,
  expiresAt: T0 + 15 * MINUTE,
  selfApproval: false,
};
export const IMMEDIATE_POLICY: PolicySnapshot = { decision: 'run', required: 0, approvers: {}, selfApproval: false };

export function checkResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    name: 'health',
    type: 'http',
    status: 'pass',
    measured: '200 in 12 ms, health = healthy',
    threshold: 'status 200, health = healthy',
    durationMs: 40,
    samples: [],
    ...overrides,
  };
}

/** The three checks of the demo catalog, all passing. */
export function standardChecks(): CheckResult[] {
  return [
    checkResult(),
    checkResult({ name: 'live version', type: 'version', measured: '2.4.0', threshold: '= 2.4.0' }),
    checkResult({ name: 'error rate', type: 'prometheus', measured: 'error ratio 0.002 (6 samples)', threshold: '< 0.01 for 2 min', durationMs: 29_000 }),
  ];
}

/** A verification over these results, timed inside the standard verify step; inconclusive waits for a person. */
export function verificationOf(results: CheckResult[], overrides: Partial<VerificationRecord> = {}, startedAt = T0 + START_DELAY + 5_800): VerificationRecord {
  const status = overallStatus(results);
  return { status, results, startedAt, finishedAt: startedAt + 29_800, awaitingDecision: status === 'inconclusive', ...overrides };
}

/** Sets step statuses, with timings from the standard run relative to the record's `startedAt`. */
export function withSteps(record: RollbackRecord, statuses: Partial<Record<StepName, StepStatus>>): RollbackRecord {
  const base = record.timings.startedAt ?? record.timings.requestedAt + START_DELAY;
  const steps = record.steps.map((step): StepRecord => {
    const name = step.name as StepName;
    const status = statuses[name];
    if (!status) return step;
    const [start, end] = STEP_TIMELINE[name];
    const { startedAt: _s, finishedAt: _f, ...rest } = step;
    if (status === 'pending' || status === 'skipped') return { ...rest, status, attempts: 0 };
    const started = { ...rest, status, startedAt: base + start, attempts: Math.max(1, step.attempts) };
    return status === 'running' ? started : { ...started, finishedAt: base + end };
  });
  return { ...record, steps };
}

/** Steps before `name` succeeded, `name` has `status`, the rest pending. */
export function stepsUpTo(name: StepName, status: StepStatus): Partial<Record<StepName, StepStatus>> {
  const index = STEP_NAMES.indexOf(name);
  return Object.fromEntries(STEP_NAMES.map((step, i) => [step, i < index ? 'succeeded' : i === index ? status : 'pending']));
}

/** A record with these optional properties removed (`exactOptionalPropertyTypes` forbids setting them to undefined). */
export function without<K extends keyof RollbackRecord>(record: RollbackRecord, ...keys: K[]): RollbackRecord {
  const copy: Partial<RollbackRecord> = { ...record };
  for (const key of keys) delete copy[key];
  return RollbackRecord.parse(copy);
}

const finished = (at: number) => ({ requestedAt: T0, queuedAt: T0, startedAt: T0 + START_DELAY, finishedAt: at });
const RUN_END = T0 + START_DELAY + STEP_TIMELINE.summarize[1];

/** What each state implies, on top of the base record. */
function stateDefaults(state: RollbackState): { record: Partial<RollbackRecord>; steps: Partial<Record<StepName, StepStatus>> } {
  const ran = { severity: 'critical' as const, policy: IMMEDIATE_POLICY, rtoMs: 2 * MINUTE };
  switch (state) {
    case 'pending_approval':
      return { record: {}, steps: {} };
    case 'queued':
      return { record: { ...ran, timings: { requestedAt: T0, queuedAt: T0 } }, steps: {} };
    case 'running':
      return { record: { ...ran, timings: { requestedAt: T0, queuedAt: T0, startedAt: T0 + START_DELAY } }, steps: stepsUpTo('rollback', 'running') };
    case 'verifying':
      return { record: { ...ran, timings: { requestedAt: T0, queuedAt: T0, startedAt: T0 + START_DELAY } }, steps: stepsUpTo('verify', 'running') };
    case 'succeeded':
      return {
        record: { ...ran, verification: verificationOf(standardChecks()), timings: { ...finished(RUN_END), verifiedAt: T0 + START_DELAY + 35_600 } },
        steps: stepsUpTo('summarize', 'succeeded'),
      };
    case 'failed': {
      const results = [checkResult({ status: 'fail', measured: '503 in 9 ms, health = unhealthy' }), ...standardChecks().slice(1)];
      const end = T0 + START_DELAY + STEP_TIMELINE.verify[1];
      return {
        record: {
          ...ran,
          verification: verificationOf(results),
          outcome: {
            code: 'verification_failed',
            message: '1 of 3 checks failed after switching to `2.4.0`: health (503 in 9 ms, health = unhealthy).',
            stoppedAt: 'verify',
            providerChanged: true,
            nextSteps: [
              'Traffic is on `2.4.0`, yet checks fail: the cause may not be the release (a dependency, data, configuration).',
              'Retry verification once things settle, or escalate.',
            ],
          },
          escalation: 'Page the checkout on-call (PagerDuty: checkout-primary)',
          timings: { ...finished(end), verifiedAt: end },
        },
        steps: stepsUpTo('verify', 'failed'),
      };
    }
    case 'rejected':
      return {
        record: { rejection: { actor: ACTORS.lead, at: T0 + 2 * MINUTE, reason: 'fix forward instead: patch is ready' }, timings: { requestedAt: T0, finishedAt: T0 + 2 * MINUTE } },
        steps: {},
      };
    case 'expired':
      return { record: { timings: { requestedAt: T0, finishedAt: T0 + 15 * MINUTE } }, steps: {} };
    case 'cancelled':
      return {
        record: { ...ran, cancellation: { actor: ACTORS.steve, at: T0 + 5 * SECOND, reason: 'false alarm' }, timings: { requestedAt: T0, queuedAt: T0, finishedAt: T0 + 5 * SECOND } },
        steps: {},
      };
  }
}

/**
 * A valid record: by default a high-severity manual request from steve on Slack for
 * checkout-api/production, 2.4.1 (green) → 2.4.0 (blue), waiting for one approval.
 */
export function makeRecord(overrides: Partial<RollbackRecord> = {}): RollbackRecord {
  const state = overrides.state ?? 'pending_approval';
  const preset = stateDefaults(state);
  const base: RollbackRecord = {
    id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7',
    version: 1,
    auditSeq: 1,
    outboxSeq: 3,
    run: 1,
    service: 'checkout-api',
    environment: 'production',
    state,
    severity: 'high',
    reason: 'checkout 500s since 2.4.1',
    trigger: { kind: 'manual', source: 'slack', evidence: [] },
    requester: ACTORS.steve,
    origin: { platform: 'slack', channelId: 'C0INCIDENT', interactionId: 'i-1' },
    channels: { slack: ['C0INCIDENT'], discord: ['222'], console: [] },
    from: RELEASES.bad,
    to: RELEASES.good,
    preview: { commits: ['a1b2c3d pricing: new engine', 'd4e5f6a pricing: cache quotes'], config: ['PRICING_ENGINE=v2'], migrations: [], notes: [] },
    policy: APPROVAL_POLICY,
    approvals: [],
    steps: STEP_NAMES.map((name) => ({ name, status: 'pending', attempts: 0 })),
    timings: { requestedAt: T0 },
    restores: [],
    rtoMs: 15 * MINUTE,
    ...preset.record,
  };
  const stepped = withSteps({ ...base, ...overrides, steps: base.steps }, preset.steps);
  return RollbackRecord.parse(overrides.steps ? { ...stepped, steps: overrides.steps } : stepped);
}
