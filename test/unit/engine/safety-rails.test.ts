/**
 * The safety rails of automatic rollback: each reason an automatic trigger is held back, in the
 * order an SRE would ask, first as the pure decision and then through handleAutoSignal on
 * in-memory ports, where a held-back trigger becomes a notice in the incident channel.
 */
import type { AutoSignal } from '../../../src/domain/auto-signal';
import type { AutoSettings } from '../../../src/domain/automation';
import { ErrorCode } from '../../../src/domain/errors';
import { evaluateRails, type BlockReason, type RailInputs } from '../../../src/domain/safety-rails';
import { controlEnvironment } from '../../../src/engine/environment-controls';
import { handleAutoSignal } from '../../../src/engine/handle-auto-signal';
import { renderPlainText } from '../../../src/messages/plain-text';
import { inMemoryEngine, MINUTE, PEOPLE, START, targetOf, type EngineWorld } from '../../support/in-memory-engine';

const ENABLED: AutoSettings = { enabled: true, shadow: false, windowMs: 60 * MINUTE, cooldownMs: 30 * MINUTE, maxPerHour: 2, severity: 'critical', lockAfterRollback: true };

/** Every rail open: a firing trigger 10 minutes after the deploy that is live. */
function open(overrides: Partial<RailInputs> = {}): RailInputs {
  return {
    firing: true,
    settings: ENABLED,
    now: START,
    autoRollbacksLastHour: 0,
    latestDeploy: { version: '2.4.1', at: START - 10 * MINUTE, source: 'provider' },
    liveVersion: '2.4.1',
    ...overrides,
  };
}

/** What trips each rail, in the order the rails are checked. */
const TRIPS: [BlockReason, Partial<RailInputs>, RegExp][] = [
  ['disabled', { settings: { ...ENABLED, enabled: false } }, /not configured for this environment/],
  ['paused', { paused: { by: PEOPLE.lead, at: START - MINUTE } }, /paused \(by lead\)\. `\/rollback resume-auto` turns it back on/],
  ['locked', { lock: { reason: 'rolled back by rb_1', since: Date.UTC(2026, 10, 23, 9, 40), by: PEOPLE.lead } }, /locked since 09:40 UTC \(rolled back by rb_1\)/],
  ['active', { activeRollbackId: 'rb_running' }, /already in progress: `rb_running`/],
  ['cooldown', { lastRollbackAt: START - 10 * MINUTE }, /finished 10 min ago; automatic rollbacks wait 30 min/],
  ['cap', { autoRollbacksLastHour: 2 }, /2 automatic rollbacks of this service in the last hour already; the cap is 2/],
  ['no_recent_deploy', { latestDeploy: undefined }, /No deploy is known/],
  ['not_latest_deploy', { liveVersion: '2.4.0' }, /Live is `2.4.0`, not the latest deploy `2.4.1`/],
];

describe('evaluateRails', () => {
  it('rolls back when every rail is open', () => {
    expect(evaluateRails(open())).toEqual({ decision: 'rollback' });
  });

  it('ignores a resolved alert, whatever else holds', () => {
    expect(evaluateRails(open({ firing: false, settings: { ...ENABLED, enabled: false }, activeRollbackId: 'rb_1' }))).toEqual({ decision: 'ignore', reasonCode: 'resolved' });
  });

  it.each(TRIPS)('%s blocks, saying why', (reasonCode, trip, message) => {
    const decision = evaluateRails(open(trip));
    expect(decision).toMatchObject({ decision: 'blocked', reasonCode });
    expect(decision.decision === 'blocked' && decision.message).toMatch(message);
  });

  it.each(TRIPS.map(([reason], i) => [reason, i] as const))('%s is reported ahead of every rail checked after it', (reasonCode, i) => {
    const all = Object.assign({}, ...TRIPS.slice(i).map(([, trip]) => trip)) as Partial<RailInputs>;
    expect(evaluateRails(open(all))).toMatchObject({ decision: 'blocked', reasonCode });
  });

  it('a deploy outside the window is no recent deploy, at the boundary too', () => {
    expect(evaluateRails(open({ latestDeploy: { version: '2.4.1', at: START - 60 * MINUTE, source: 'hook' } }))).toEqual({ decision: 'rollback' });
    const late = evaluateRails(open({ latestDeploy: { version: '2.4.1', at: START - 60 * MINUTE - 1, source: 'hook' } }));
    expect(late).toMatchObject({ decision: 'blocked', reasonCode: 'no_recent_deploy' });
    expect(late.decision === 'blocked' && late.message).toMatch(/outside the 60 min window after a deploy/);
  });

  it('the cooldown ends exactly when it says', () => {
    expect(evaluateRails(open({ lastRollbackAt: START - 30 * MINUTE + 1 }))).toMatchObject({ reasonCode: 'cooldown' });
    expect(evaluateRails(open({ lastRollbackAt: START - 30 * MINUTE }))).toEqual({ decision: 'rollback' });
  });

  it('below the hourly cap rolls back; no live version known does not block', () => {
    expect(evaluateRails(open({ autoRollbacksLastHour: 1, liveVersion: undefined }))).toEqual({ decision: 'rollback' });
  });

  it('shadow mode only says what it would have done, once every rail is open', () => {
    expect(evaluateRails(open({ settings: { ...ENABLED, shadow: true } }))).toEqual({ decision: 'shadow' });
    expect(evaluateRails(open({ settings: { ...ENABLED, shadow: true }, autoRollbacksLastHour: 5 }))).toMatchObject({ decision: 'blocked', reasonCode: 'cap' });
  });
});

describe('handleAutoSignal on in-memory ports', () => {
  let serial = 0;
  function signal(overrides: Partial<AutoSignal> = {}): AutoSignal {
    serial++;
    return {
      source: 'health-monitor',
      service: 'checkout-api',
      environment: 'production',
      firing: true,
      dedupeKey: `probe-${serial}`,
      title: '5 failed health probes',
      evidence: ['GET /health → 503'],
      links: [],
      at: START,
      ...overrides,
    };
  }

  function autoWorld(auto: AutoSettings = ENABLED): EngineWorld {
    return inMemoryEngine({ target: targetOf({ auto }) });
  }

  /** The notice's text as the channel would read it. */
  function noticeText(w: EngineWorld, id: string): string {
    const notice = w.notices.posted.find((n) => n.id === id)!;
    expect(notice.where).toMatchObject({ service: 'checkout-api', environment: 'production', channels: { slack: ['C0INCIDENT'] } });
    expect(w.scheduler.deliveries).toContain(id);
    return renderPlainText(notice.message);
  }

  it('with every rail open, requests a rollback as Rewind, tied to the trigger, at the configured severity', async () => {
    const w = autoWorld();
    const outcome = await handleAutoSignal(w.deps, signal({ dedupeKey: 'probe-x' }));
    expect(outcome.kind).toBe('started');
    const record = await w.get(outcome.kind === 'started' ? outcome.rollbackId : '');
    expect(record).toMatchObject({
      state: 'queued',
      severity: 'critical',
      requester: { platform: 'rewind' },
      reason: '5 failed health probes',
      trigger: { kind: 'auto', source: 'health-monitor', evidence: ['GET /health → 503'] },
      origin: { platform: 'rewind', interactionId: 'auto-probe-x' },
    });
    expect(w.notices.posted).toEqual([]);
  });

  it('an alert at a lower severity still goes through policy: it waits for approval', async () => {
    const w = autoWorld({ ...ENABLED, severity: 'high' });
    const outcome = await handleAutoSignal(w.deps, signal({ source: 'alertmanager' }));
    const record = await w.get(outcome.kind === 'started' ? outcome.rollbackId : '');
    expect(record).toMatchObject({ state: 'pending_approval', trigger: { kind: 'alert' } });
  });

  it('ignores a resolved signal and posts nothing', async () => {
    const w = autoWorld();
    expect(await handleAutoSignal(w.deps, signal({ firing: false }))).toEqual({ kind: 'ignored', reason: 'resolved' });
    expect(w.notices.posted).toEqual([]);
  });

  it('without automation configured, tells the channel it only alerts', async () => {
    const w = inMemoryEngine();
    const outcome = await handleAutoSignal(w.deps, signal());
    expect(outcome).toMatchObject({ kind: 'notified', reasonCode: 'disabled' });
    const text = noticeText(w, outcome.kind === 'notified' ? outcome.noticeId : '');
    expect(text).toMatch(/^Automatic rollback not started: checkout-api \(production\)/);
    expect(text).toContain('GET /health → 503');
    expect(await w.store.list({ limit: 5 })).toEqual([]);
  });

  it('in shadow mode, says what it would have rolled back, from and to', async () => {
    const w = autoWorld({ ...ENABLED, shadow: true });
    const outcome = await handleAutoSignal(w.deps, signal());
    expect(outcome).toMatchObject({ kind: 'notified', reasonCode: 'shadow' });
    expect(noticeText(w, outcome.kind === 'notified' ? outcome.noticeId : '')).toContain('It would have rolled back from `2.4.1` to `2.4.0`');
    expect(await w.store.list({ limit: 5 })).toEqual([]);
  });

  it('after an automatic rollback: locked until unlocked, then the cooldown, then no recent deploy', async () => {
    const w = autoWorld();
    const first = await handleAutoSignal(w.deps, signal());
    expect(first.kind).toBe('started');
    expect(await handleAutoSignal(w.deps, signal())).toMatchObject({ kind: 'notified', reasonCode: 'active' });
    await w.runQueued();

    expect(await handleAutoSignal(w.deps, signal())).toMatchObject({ kind: 'notified', reasonCode: 'locked' });

    await expect(controlEnvironment(w.deps, 'unlock', PEOPLE.stranger, 'checkout-api', 'production')).rejects.toMatchObject({ code: ErrorCode.NotAnApprover, userMessage: 'Only approvers of checkout-api (production) may unlock it.' });
    expect(await w.automation.lock('checkout-api', 'production')).toBeDefined();
    await controlEnvironment(w.deps, 'unlock', PEOPLE.lead, 'checkout-api', 'production');
    expect(await handleAutoSignal(w.deps, signal())).toMatchObject({ kind: 'notified', reasonCode: 'cooldown' });

    w.clock.advance(31 * MINUTE);
    // Live is now 2.4.0, deployed days ago: nothing recent to tie the trouble to.
    expect(await handleAutoSignal(w.deps, signal())).toMatchObject({ kind: 'notified', reasonCode: 'no_recent_deploy' });
  });

  it('paused by an approver holds every trigger back until resumed', async () => {
    const w = autoWorld();
    await controlEnvironment(w.deps, 'pause_auto', PEOPLE.lead, 'checkout-api', 'production');
    expect(await handleAutoSignal(w.deps, signal())).toMatchObject({ kind: 'notified', reasonCode: 'paused' });
    await controlEnvironment(w.deps, 'resume_auto', PEOPLE.lead, 'checkout-api', 'production');
    expect((await handleAutoSignal(w.deps, signal())).kind).toBe('started');
    const changes = (await w.store.recentAudit(50)).filter((e) => e.type === 'automation.changed').map((e) => e.data?.['control']);
    expect(changes).toEqual(['resume_auto', 'pause_auto']);
  });

  it('caps automatic rollbacks per service per hour, by the clock', async () => {
    const w = autoWorld({ ...ENABLED, maxPerHour: 1, lockAfterRollback: false, cooldownMs: 0 });
    expect((await handleAutoSignal(w.deps, signal())).kind).toBe('started');
    await w.runQueued();
    // Someone deploys 2.4.1 again; it breaks again within the hour.
    w.provider.deploy(w.provider.releases.find((r) => r.version === '2.4.1')!);
    await w.automation.recordDeploy('checkout-api', 'production', { version: '2.4.1', at: w.clock.now(), source: 'hook' });
    w.clock.advance(MINUTE);
    expect(await handleAutoSignal(w.deps, signal())).toMatchObject({ kind: 'notified', reasonCode: 'cap' });
  });
});
