/**
 * Turns a request into a rollback record: validates it, checks who may ask and what policy says,
 * previews from → to from the provider, and creates the record atomically with the
 * one-active-rollback-per-environment lock. Refusals are recorded in the audit stream.
 */
import { isListed } from '../domain/approvers';
import { NotAllowedToRequestError, PolicyRefusedError, ActiveRollbackError, TargetUnavailableError, ValidationError, isRewindError, describeError } from '../domain/errors';
import type { Message } from '../domain/message';
import { initialSteps } from '../domain/plan';
import { DEFAULT_REVIEW_AFTER_MS, isBreakGlass } from '../domain/break-glass-review';
import { DrillRefusedError, drillGate } from '../domain/drills';
import { decide, environmentApprovers, requireProviderApproval } from '../domain/policy';
import type { DeployProvider, ResolvedTarget } from '../domain/ports';
import type { ChangePreview, Release } from '../domain/release';
import { RollbackRequest, type RollbackRequestInput } from '../domain/request';
import type { RollbackRecord } from '../domain/rollback-record';
import type { Severity } from '../domain/severity';
import { approvalRequest } from '../messages/templates/approval-request';
import { drillEvidence } from '../messages/templates/drill-report';
import { previewMessage } from '../messages/templates/preview';
import type { EngineDeps } from './engine-deps';
import { commitEvents } from './course';
import { listMigrations, withMigrations, type DescribedChange } from './migration-listing';
import { resolveTarget } from './resolve-target';

export type RequestResult =
  | { kind: 'created'; record: RollbackRecord }
  | { kind: 'duplicate'; record: RollbackRecord }
  | { kind: 'dry_run'; message: Message };

interface Preview {
  from?: Release;
  to?: Release;
  preview?: ChangePreview;
  previewError?: string;
}

function parseRequest(input: RollbackRequestInput): RollbackRequest {
  const parsed = RollbackRequest.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
    throw new ValidationError(`The rollback request is invalid: ${issues.join('; ')}.`, issues);
  }
  return parsed.data;
}

/** Reads from → to before anyone approves. A hard "no target" refuses; an unreachable provider only warns. */
async function preview(deps: EngineDeps, target: ResolvedTarget, requestedRelease: string | undefined): Promise<Preview> {
  const provider = deps.integrations.provider(target.service, target.environment);
  let resolved: { from: Release; to: Release };
  try {
    resolved = await resolveTarget(provider, target, requestedRelease);
  } catch (error) {
    if (isRewindError(error) && error.code !== 'provider') throw error;
    return { previewError: `Could not read ${provider.type}: ${describeError(error)}` };
  }
  const [described, listed] = await Promise.all([describeChange(provider, resolved), listMigrations(deps, target, resolved.to)]);
  return { ...resolved, ...withMigrations(described, listed, resolved.to) };
}

async function describeChange(provider: DeployProvider, { from, to }: { from: Release; to: Release }): Promise<DescribedChange> {
  try {
    return { preview: await provider.describeChange(from, to) };
  } catch (error) {
    return { previewError: `Could not describe the change: ${describeError(error)}` };
  }
}

function buildRecord(deps: EngineDeps, request: RollbackRequest, target: ResolvedTarget, severity: Severity, seen: Preview, now: number): RollbackRecord {
  const providerReason = seen.preview?.approvalRequired;
  const decision = providerReason ? requireProviderApproval(decide(target.policy, severity), target.policy, providerReason) : decide(target.policy, severity);
  if (decision.decision === 'refuse') throw new PolicyRefusedError(decision.message, severity);
  const awaiting = decision.decision === 'await_approval';
  const rtoMs = target.policy.rtoMs[severity];
  const drill = request.trigger.kind === 'drill';
  // A drill says so first thing in its header and thread, and keeps a reason that says what it is.
  const trigger = drill ? { ...request.trigger, evidence: [...drillEvidence({ severity, rtoMs, provider: target.providerType }), ...request.trigger.evidence] } : request.trigger;
  const reason = request.reason ?? (drill ? `Drill: practising the rollback of ${target.service} (${target.environment})` : undefined);
  // Break-glass: critical, run without approval. Its review is planned now and asked for when it ends.
  const breakGlass = isBreakGlass({ severity, policy: { decision: awaiting ? 'await_approval' : 'run' }, trigger });
  return {
    id: deps.newId(now),
    version: 0,
    auditSeq: 0,
    outboxSeq: 0,
    run: 1,
    service: target.service,
    environment: target.environment,
    state: awaiting ? 'pending_approval' : 'queued',
    severity,
    ...(reason ? { reason } : {}),
    trigger,
    provider: target.providerType,
    requester: request.requester,
    origin: request.origin,
    channels: target.channels,
    ...(request.targetRelease ? { requestedRelease: request.targetRelease } : {}),
    ...(seen.from ? { from: seen.from } : {}),
    ...(seen.to ? { to: seen.to } : {}),
    ...(seen.preview ? { preview: seen.preview } : {}),
    ...(seen.previewError ? { previewError: seen.previewError } : {}),
    policy: awaiting
      ? {
          decision: 'await_approval',
          required: decision.required,
          approvers: decision.approvers,
          timeoutMs: decision.timeoutMs,
          expiresAt: now + decision.timeoutMs,
          selfApproval: target.policy.selfApproval,
        }
      : { decision: 'run', required: 0, approvers: {}, selfApproval: target.policy.selfApproval },
    approvals: [],
    steps: initialSteps(target.planSteps),
    restores: [],
    timings: awaiting ? { requestedAt: now } : { requestedAt: now, queuedAt: now },
    ...(rtoMs !== undefined ? { rtoMs } : {}),
    ...(target.policy.escalation ? { escalation: target.policy.escalation } : {}),
    ...(breakGlass ? { review: { approvers: environmentApprovers(target.policy), afterMs: target.comms.reviewAfterMs ?? DEFAULT_REVIEW_AFTER_MS, notes: [] } } : {}),
  };
}

/**
 * "Last stable" must never mean a release Rewind itself rolled back from: on blue/green the idle
 * side holds exactly that after a rollback. Naming it with --to is still allowed.
 */
async function refuseKnownBad(deps: EngineDeps, target: ResolvedTarget, to: Release | undefined): Promise<void> {
  if (!to) return;
  const recent = await deps.store.list({ service: target.service, environment: target.environment, state: 'succeeded', limit: 20 });
  // A drill rolls back from a release nothing was wrong with: it marks no release bad.
  const culprit = recent.find((r) => r.trigger.kind !== 'drill' && r.from?.version === to.version);
  if (culprit) {
    throw new TargetUnavailableError(
      `The last stable release Rewind would pick is \`${to.version}\`, but it was rolled back from in \`${culprit.id}\`. ` +
        `Name the release with --to if you really mean it.`,
      { knownBad: to.version, rollbackId: culprit.id },
    );
  }
}

async function create(deps: EngineDeps, request: RollbackRequest, target: ResolvedTarget, idempotencyKey: string | undefined): Promise<RequestResult> {
  const now = deps.clock.now();
  const severity = request.severity ?? target.policy.defaultSeverity;
  const seen = await preview(deps, target, request.targetRelease);
  if (!request.targetRelease) await refuseKnownBad(deps, target, seen.to);
  const record = buildRecord(deps, request, target, severity, seen, now);
  if (request.dryRun) return { kind: 'dry_run', message: previewMessage(record, { dryRun: true }) };

  // The header (with the start, when no approval is needed), the announcement, then the thread.
  const outbox = commitEvents(undefined, record, {
    header: true,
    now,
    posts: [
      { kind: 'thread' as const, message: previewMessage(record) },
      ...(record.state === 'pending_approval' ? [{ kind: 'thread' as const, message: approvalRequest(record) }] : []),
    ],
  });
  const audit = [
    {
      at: now,
      type: 'requested' as const,
      actor: request.requester,
      to: record.state,
      ...(record.reason ? { reason: record.reason } : {}),
      data: { severity, trigger: request.trigger.kind, source: request.trigger.source, from: seen.from?.version, to: seen.to?.version ?? request.targetRelease ?? 'last stable' },
    },
  ];
  const created = await deps.store.create({ record, audit, outbox }, idempotencyKey ? { idempotencyKey } : {});
  if (created.status === 'active') throw new ActiveRollbackError(created.activeId, target.service, target.environment);
  if (created.status === 'duplicate') return duplicate(deps, created.existingId);
  await schedule(deps, created.record);
  deps.logger.info({ rollbackId: record.id, service: record.service, environment: record.environment, state: record.state, severity }, 'rollback requested');
  return { kind: 'created', record: created.record };
}

/** A replayed interaction: answer with the existing rollback and re-arm its timers (idempotent). */
async function duplicate(deps: EngineDeps, id: string): Promise<RequestResult> {
  const record = await deps.store.get(id);
  if (!record) throw new ValidationError(`The rollback \`${id}\` this interaction created is gone.`);
  await schedule(deps, record);
  return { kind: 'duplicate', record };
}

async function schedule(deps: EngineDeps, record: RollbackRecord): Promise<void> {
  if (record.state === 'queued') await deps.scheduler.execute(record.id, record.run);
  if (record.state === 'pending_approval' && record.policy.expiresAt) await deps.scheduler.expireAt(record.id, record.policy.expiresAt);
  await deps.scheduler.deliver(record.id);
}

export async function requestRollback(deps: EngineDeps, input: RollbackRequestInput): Promise<RequestResult> {
  let request: RollbackRequest | undefined;
  try {
    request = parseRequest(input);
    const idempotencyKey = request.origin.interactionId;
    if (idempotencyKey) {
      const existing = await deps.store.findByIdempotencyKey(idempotencyKey);
      if (existing) return duplicate(deps, existing);
    }
    const target = deps.catalog.resolve(request.service, request.environment);
    const byPerson = request.trigger.kind === 'manual' || request.trigger.kind === 'drill';
    if (target.policy.requesters && byPerson && !(await isListed(request.requester, target.policy.requesters, deps.groups))) {
      throw new NotAllowedToRequestError(target.service, target.environment);
    }
    if (request.trigger.kind === 'drill') {
      const gate = drillGate(target.service, target.environment, target.comms);
      if (!gate.allowed) throw new DrillRefusedError(target.service, target.environment, gate.message);
    }
    const active = await deps.store.activeFor(target.service, target.environment);
    if (active) throw new ActiveRollbackError(active, target.service, target.environment);
    return await create(deps, request, target, idempotencyKey);
  } catch (error) {
    if (isRewindError(error)) {
      await deps.store.recordGlobalEvent(
        { at: deps.clock.now(), type: 'request.refused', actor: request?.requester ?? { platform: 'api', id: 'unknown' }, reason: error.userMessage },
        { code: error.code, service: request?.service ?? input.service, environment: request?.environment ?? input.environment, ...(request ? { trigger: request.trigger.kind } : {}) },
      );
    }
    throw error;
  }
}
