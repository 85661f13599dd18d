/**
 * An automatic trigger (probe streak, metric rule, alert) reaches here on a worker. The safety
 * rails decide; a rollback is requested as Rewind itself (so policy still applies: "critical" runs
 * at once, lower severities wait for approval), or the channel is told why not, with the evidence.
 */
import { REWIND_ACTOR } from '../domain/actor';
import { triggerKindOf, type AutoSignal } from '../domain/auto-signal';
import type { DeployEvent } from '../domain/automation';
import { describeError, isRewindError } from '../domain/errors';
import type { Message } from '../domain/message';
import type { ResolvedTarget } from '../domain/ports';
import type { Release } from '../domain/release';
import { evaluateRails, type RailDecision, type RailInputs } from '../domain/safety-rails';
import { autoBlockedNotice, shadowNotice } from '../messages/templates/auto-notices';
import type { EngineDeps } from './engine-deps';
import { requestRollback } from './request-rollback';

const HOUR_MS = 3_600_000;

export type AutoOutcome = { kind: 'started'; rollbackId: string } | { kind: 'ignored'; reason: string } | { kind: 'notified'; reasonCode: string; noticeId: string };

async function liveRelease(deps: EngineDeps, target: ResolvedTarget): Promise<Release | undefined> {
  try {
    return await deps.integrations.provider(target.service, target.environment).currentRelease();
  } catch {
    return undefined;
  }
}

/** The deploy the trouble is tied to: one reported to /hooks/deploy, else what the provider says was deployed. */
function latestDeploy(recorded: DeployEvent | undefined, live: Release | undefined): DeployEvent | undefined {
  const fromProvider = live?.deployedAt ? { version: live.version, at: Date.parse(live.deployedAt), source: 'provider' } : undefined;
  if (!recorded) return fromProvider && Number.isFinite(fromProvider.at) ? fromProvider : undefined;
  return fromProvider && fromProvider.at > recorded.at ? fromProvider : recorded;
}

async function gather(deps: EngineDeps, target: ResolvedTarget, signal: AutoSignal): Promise<RailInputs & { live?: Release | undefined }> {
  const { service, environment } = target;
  const now = deps.clock.now();
  const [paused, lock, active, recent, recorded, live] = await Promise.all([
    deps.automation.pause(service, environment),
    deps.automation.lock(service, environment),
    deps.store.activeFor(service, environment),
    deps.store.list({ service, limit: 50 }),
    deps.automation.latestDeploy(service, environment),
    liveRelease(deps, target),
  ]);
  // Drills are practice: they start no cooldown and count towards no cap.
  const real = recent.filter((r) => r.trigger.kind !== 'drill');
  const finished = real.filter((r) => r.environment === environment && r.timings.finishedAt !== undefined && (r.state === 'succeeded' || r.state === 'failed'));
  return {
    firing: signal.firing,
    settings: target.auto,
    now,
    paused,
    lock,
    activeRollbackId: active,
    lastRollbackAt: finished.length ? Math.max(...finished.map((r) => r.timings.finishedAt!)) : undefined,
    autoRollbacksLastHour: real.filter((r) => (r.trigger.kind === 'auto' || r.trigger.kind === 'alert') && now - r.timings.requestedAt < HOUR_MS).length,
    latestDeploy: latestDeploy(recorded, live),
    liveVersion: live?.version,
    live,
  };
}

async function notify(deps: EngineDeps, target: ResolvedTarget, message: Message, reasonCode: string): Promise<AutoOutcome> {
  const noticeId = await deps.notices.post({ service: target.service, environment: target.environment, channels: target.channels }, message);
  await deps.scheduler.deliver(noticeId);
  return { kind: 'notified', reasonCode, noticeId };
}

export async function handleAutoSignal(deps: EngineDeps, signal: AutoSignal): Promise<AutoOutcome> {
  const target = deps.catalog.resolve(signal.service, signal.environment);
  const inputs = await gather(deps, target, signal);
  const decision: RailDecision = evaluateRails(inputs);
  deps.logger.info({ service: target.service, environment: target.environment, source: signal.source, decision: decision.decision, ...('reasonCode' in decision ? { reasonCode: decision.reasonCode } : {}) }, 'automatic trigger evaluated');

  switch (decision.decision) {
    case 'ignore':
      return { kind: 'ignored', reason: decision.reasonCode };
    case 'blocked':
      return notify(deps, target, autoBlockedNotice(target, signal, decision.message), decision.reasonCode);
    case 'shadow': {
      const stable = await deps.integrations.provider(target.service, target.environment).lastStable().catch(() => undefined);
      return notify(deps, target, shadowNotice(target, signal, { from: inputs.live, to: stable }), 'shadow');
    }
    case 'rollback':
      try {
        const result = await requestRollback(deps, {
          service: target.service,
          environment: target.environment,
          severity: signal.severity ?? target.auto.severity,
          reason: signal.title,
          requester: REWIND_ACTOR,
          origin: { platform: 'rewind', interactionId: `auto-${signal.dedupeKey}` },
          trigger: { kind: triggerKindOf(signal.source), source: signal.source, evidence: [...signal.evidence, ...signal.links].slice(0, 40) },
        });
        if (result.kind === 'dry_run') return { kind: 'ignored', reason: 'dry run' };
        return { kind: 'started', rollbackId: result.record.id };
      } catch (error) {
        if (!isRewindError(error)) throw error;
        return notify(deps, target, autoBlockedNotice(target, signal, describeError(error)), error.code);
      }
  }
}
