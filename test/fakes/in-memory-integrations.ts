/**
 * IntegrationFactory in memory: one scripted deploy provider and a set of scripted verifiers per
 * test. The provider keeps the DeployProvider contract the engine relies on:
 *
 * - `rollbackTo` re-reads the platform first and does nothing when the target is already live;
 * - with `calledAt` set (an earlier attempt may have sent the call) it only looks for the effect:
 *   found, it reports the rollback already in effect; not found, it says the outcome is unknown
 *   instead of calling again;
 * - otherwise it records the call durably (`beforeCall`) and then switches.
 *
 * Failures and hangs are scripted per call, so a test can stop a "worker" mid-call and resume.
 */
import { OutcomeUnknownError } from '../../src/domain/errors';
import type {
  DatabaseRestorer,
  DeployProvider,
  IntegrationFactory,
  LiveContext,
  LiveState,
  MigrationLister,
  PlanStepRunner,
  RollbackContext,
  RollbackReceipt,
  Verifier,
  VerifyContext,
} from '../../src/domain/ports';
import type { ChangePreview, PlatformHold, Release } from '../../src/domain/release';
import type { CheckResult, CheckStatus } from '../../src/domain/verification';

type Hangable = 'rollbackTo' | 'liveState' | 'captureState';

/** What one rollbackTo call was given, without its functions. */
export interface SeenRollbackCall {
  target: string;
  idempotencyKey: string;
  startedAt?: number | undefined;
  calledAt?: number | undefined;
  approvedBy: string[];
}

export class InMemoryDeployProvider implements DeployProvider {
  readonly type = 'fakeplatform';
  /** Newest first. */
  readonly releases: Release[];
  liveId: string;

  /** Every rollbackTo, as asked; `switches` counts those that changed the platform. */
  readonly rollbackCalls: SeenRollbackCall[] = [];
  switches = 0;
  captures = 0;
  liveReads = 0;

  /** Errors the next rollbackTo calls throw after `beforeCall`, one per call. */
  readonly rollbackFailures: Error[] = [];
  /** Errors the next captureState calls throw, one per call. */
  readonly captureFailures: Error[] = [];
  /** After a switch, this many looks still report "switching". */
  pollsUntilLive = 0;
  /** The platform ends the rollback's deploy in failure (reported by liveState). */
  deployFailure?: { reason: string; link?: string };
  /** What the rollback leaves held on the platform (auto-deploy off). */
  hold?: PlatformHold;
  /** Set: every preview says a person must approve (a force-push). */
  approvalRequired?: string;
  /** Set: describeChange throws this. */
  describeFailure?: Error;

  private notLiveLooks = 0;
  private readonly hangs = new Map<Hangable, { reached: () => void; switchFirst: boolean }>();

  constructor(releases: readonly Release[], liveId?: string) {
    if (releases.length === 0) throw new Error('InMemoryDeployProvider needs at least one release');
    this.releases = releases.map((r) => ({ ...r }));
    this.liveId = liveId ?? releases[0]!.id;
  }

  get live(): Release {
    return this.releases.find((r) => r.id === this.liveId)!;
  }

  /** Someone deploys (or switches) on the platform, outside Rewind. */
  deploy(release: Release): void {
    if (!this.releases.some((r) => r.id === release.id)) this.releases.unshift({ ...release });
    this.liveId = release.id;
  }

  /**
   * The next call of `method` never returns, as if the worker making it died. Resolves when the
   * call arrives. For rollbackTo, `switched` says whether the platform acted on it before that.
   */
  hang(method: Hangable, options: { switched?: boolean } = {}): Promise<void> {
    return new Promise((reached) => this.hangs.set(method, { reached, switchFirst: options.switched ?? false }));
  }

  private hung(method: Hangable, beforeHanging?: () => void): Promise<never> | undefined {
    const hang = this.hangs.get(method);
    if (!hang) return undefined;
    this.hangs.delete(method);
    if (hang.switchFirst) beforeHanging?.();
    hang.reached();
    return new Promise<never>(() => {});
  }

  async currentRelease(): Promise<Release> {
    return { ...this.live };
  }

  async recentReleases(limit: number): Promise<Release[]> {
    return this.releases.slice(0, limit).map((r) => ({ ...r }));
  }

  async lastStable(): Promise<Release | undefined> {
    const i = this.releases.findIndex((r) => r.id === this.liveId);
    const older = this.releases[i + 1];
    return older ? { ...older } : undefined;
  }

  async findRelease(ref: string): Promise<Release | undefined> {
    const found = this.releases.find((r) => r.version === ref || r.id === ref);
    return found ? { ...found } : undefined;
  }

  async describeChange(from: Release, to: Release): Promise<ChangePreview> {
    if (this.describeFailure) throw this.describeFailure;
    return {
      commits: [`${from.version} → ${to.version}: revert`],
      config: [],
      migrations: [],
      notes: [],
      ...(this.approvalRequired ? { approvalRequired: this.approvalRequired } : {}),
    };
  }

  async captureState(): Promise<Record<string, unknown>> {
    const hanging = this.hung('captureState');
    if (hanging) return hanging;
    this.captures++;
    const failure = this.captureFailures.shift();
    if (failure) throw failure;
    return { live: this.liveId };
  }

  private switchTo(target: Release): void {
    this.liveId = target.id;
    this.switches++;
    this.notLiveLooks = this.pollsUntilLive;
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    this.rollbackCalls.push({
      target: target.version,
      idempotencyKey: context.idempotencyKey,
      startedAt: context.startedAt,
      calledAt: context.calledAt,
      approvedBy: (context.approvedBy ?? []).map((a) => a.id),
    });
    const receipt = (detail: string, alreadyAtTarget: boolean): RollbackReceipt => ({
      alreadyAtTarget,
      detail,
      handle: `deploy-${target.version}`,
      ...(this.hold ? { hold: this.hold } : {}),
    });
    if (this.liveId === target.id) return receipt(`${target.version} is already live`, true);
    if (context.calledAt !== undefined) {
      throw new OutcomeUnknownError(`An earlier attempt asked ${this.type} to roll back to \`${target.version}\` and no sign of it shows; not asking again.`);
    }
    await context.beforeCall?.();
    const hanging = this.hung('rollbackTo', () => this.switchTo(target));
    if (hanging) return hanging;
    const failure = this.rollbackFailures.shift();
    if (failure) throw failure;
    this.switchTo(target);
    return receipt(`switched to ${target.version}`, false);
  }

  async liveState(target: Release, _context?: LiveContext): Promise<LiveState> {
    const hanging = this.hung('liveState');
    if (hanging) return hanging;
    this.liveReads++;
    const current = { ...this.live };
    if (this.deployFailure) return { live: false, detail: 'deploy failed', current, failed: this.deployFailure };
    if (this.notLiveLooks > 0) {
      this.notLiveLooks--;
      return { live: false, detail: 'switching', current };
    }
    const live = this.liveId === target.id;
    return { live, detail: live ? `${target.version} serving` : `${current.version} serving`, current };
  }

  releaseHoldCalls: PlatformHold[] = [];
  releaseHoldFailure?: Error;

  async releaseHold(hold: PlatformHold): Promise<string> {
    this.releaseHoldCalls.push(hold);
    if (this.releaseHoldFailure) throw this.releaseHoldFailure;
    return hold.undo;
  }
}

/** A check whose results are scripted: each run takes the next status; the last one repeats. */
export class InMemoryVerifier implements Verifier {
  readonly type = 'fakecheck';
  runs = 0;
  private readonly statuses: CheckStatus[];

  constructor(
    readonly name: string,
    ...statuses: CheckStatus[]
  ) {
    this.statuses = statuses.length > 0 ? statuses : ['pass'];
  }

  async verify(_context: VerifyContext): Promise<CheckResult> {
    const status = this.statuses[Math.min(this.runs, this.statuses.length - 1)]!;
    this.runs++;
    const measured = status === 'pass' ? 'healthy' : status === 'fail' ? '503 errors' : 'no data';
    return { name: this.name, type: this.type, status, measured, threshold: 'healthy', durationMs: 0, samples: [] };
  }
}

export class InMemoryIntegrations implements IntegrationFactory {
  readonly planSteps = new Map<string, PlanStepRunner>();

  constructor(
    readonly deployProvider: InMemoryDeployProvider,
    public checks: Verifier[] = [],
  ) {}

  provider(): DeployProvider {
    return this.deployProvider;
  }

  verifiers(): Verifier[] {
    return this.checks;
  }

  planStep(_service: string, _environment: string, name: string): PlanStepRunner {
    const runner = this.planSteps.get(name);
    if (!runner) throw new Error(`no plan step ${name} in this test`);
    return runner;
  }

  restorer(): DatabaseRestorer | undefined {
    return undefined;
  }

  migrations(): MigrationLister | undefined {
    return undefined;
  }
}
