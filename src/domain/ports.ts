/**
 * What the core needs from the outside world. Adapters implement these; tests pass small fakes.
 * Nothing here names Redis, BullMQ, HTTP, Slack or Discord.
 */
import type { Actor } from './actor';
import type { AutoSettings } from './automation';
import type { AuditEvent, NewAuditEvent } from './audit';
import type { IncidentComms } from './incident-comms';
import type { EnvironmentPolicy } from './policy';
import type { Message } from './message';
import type { NewOutboundEvent, OutboundEvent } from './outbound-event';
import type { PlanSteps } from './plan';
import type { ChangePreview, Migration, PlatformHold, Release } from './release';
import type { RestorePoint } from './restore-point';
import type { ChannelRefs, RollbackRecord } from './rollback-record';
import type { RollbackState } from './rollback-state';
import type { CheckResult } from './verification';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Runs `tick` every `ms` until the returned function stops it. Periodic work takes this instead of
 * `setInterval`, so a test can tick it by hand instead of waiting.
 */
export type Every = (ms: number, tick: () => void) => () => void;

export interface LeaderCallbacks {
  /** Called once when this process becomes leader. */
  onElected(): Promise<void> | void;
  /** Called when leadership is lost (lock gone, store unreachable) or on stop. */
  onDemoted(): Promise<void> | void;
}

/** One leader across replicas for work that must run once (Discord's gateway, the health monitor). */
export interface Leadership {
  readonly isLeader: boolean;
  start(callbacks: LeaderCallbacks): Promise<void>;
  /** Stops campaigning; a leader steps down and lets another take over at once. */
  stop(callbacks: LeaderCallbacks): Promise<void>;
}

/** A service environment as the catalog resolves it: channels, policy and execution settings. */
export interface ResolvedTarget {
  service: string;
  environment: string;
  channels: ChannelRefs;
  policy: EnvironmentPolicy;
  providerType: string;
  waitLive: { timeoutMs: number; intervalMs: number };
  auto: AutoSettings;
  /** The environment's own steps around the provider's rollback. */
  planSteps: PlanSteps;
  /** Paging, mentions, stakeholder channels, break-glass review and drills. */
  comms: IncidentComms;
}

export interface ServiceCatalog {
  services(): string[];
  environments(service: string): string[];
  /** Throws UnknownServiceError / UnknownEnvironmentError with a close-match suggestion. */
  resolve(service: string, environment?: string): ResolvedTarget;
}

export interface LiveState {
  live: boolean;
  /** What the provider reports now, for the thread: `switching`, `2/3 machines`, … */
  detail: string;
  current?: Release;
  /** The platform ended the rollback's deploy in failure: its own words, and where to look. */
  failed?: { reason: string; link?: string };
  /** A line worth its own thread post each time it changes (per-machine progress). */
  progress?: string;
  /** The release now serving the target's content under another name (git's revert commit). */
  serving?: Release;
}

export interface RollbackReceipt {
  /** True when the provider was found already on the target and no call was made. */
  alreadyAtTarget: boolean;
  detail: string;
  /** The platform's id for what the rollback started (a new deploy or release), for liveState. */
  handle?: string;
  /** The platform's page for it. */
  link?: string;
  /** What stays changed until `/rollback unlock`. */
  hold?: PlatformHold;
  /** Facts for the summary: what the rollback did not undo, what it re-ran. */
  notes?: string[];
}

export interface RollbackContext {
  /** The rollback's id: the same on every retry, sent where the platform takes an idempotency key. */
  idempotencyKey: string;
  signal?: AbortSignal;
  /**
   * When the rollback step first started. A retry, or a worker resuming after a crash, looks for
   * what a call since then already started before it calls again.
   */
  startedAt?: number;
  /** The provider's state captured before anything changed (the capture step). */
  captured?: Record<string, unknown>;
  /** Posts a line to the rollback's thread (per-machine progress). */
  progress?: (line: string) => Promise<void>;
  /** Who approved this rollback: an action the preview said needs approval checks it was given. */
  approvedBy?: readonly Actor[];
  /**
   * When an earlier attempt (a worker that died since) was about to call the platform. Set, the call
   * may have been sent: a provider that cannot find it on the platform by id looks for its effect
   * within its grace period and, not finding it, says "outcome unknown" instead of calling again.
   */
  calledAt?: number;
  /** Records durably, right before the call, that the platform is about to be asked. */
  beforeCall?: () => Promise<void>;
}

export interface LiveContext {
  /** The receipt's handle: the deploy or release the rollback started. */
  handle?: string;
  signal?: AbortSignal;
}

/** A deploy platform. Every method re-reads the provider; none caches across calls. */
export interface DeployProvider {
  readonly type: string;
  currentRelease(signal?: AbortSignal): Promise<Release>;
  recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]>;
  /** The release a rollback goes to when none is named; undefined when there is none. */
  lastStable(signal?: AbortSignal): Promise<Release | undefined>;
  /** Finds a release by version or id among those the provider can roll back to. */
  findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined>;
  describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview>;
  /** A snapshot of the provider's state before acting, kept in the record. */
  captureState(signal?: AbortSignal): Promise<Record<string, unknown>>;
  /**
   * Makes `target` the live release. Implementations re-read the provider first and do nothing when
   * it is already on the target (or a rollback to it since `startedAt` is under way), so a retried
   * call after a crash never takes effect twice. A call whose outcome is unknown is not repeated.
   */
  rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt>;
  /** One look at whether `target` is serving traffic. The engine polls it. */
  liveState(target: Release, context?: LiveContext): Promise<LiveState>;
  /** Undoes a hold the rollback left (auto-deploy back on, production unpinned); says what it did. */
  releaseHold?(hold: PlatformHold, signal?: AbortSignal): Promise<string>;
}

export interface VerifyContext {
  target: Release;
  signal?: AbortSignal;
  /** When the target went live (the wait_live step's end): checks that count events start there. */
  since?: number;
}

export interface Verifier {
  readonly name: string;
  readonly type: string;
  verify(context: VerifyContext): Promise<CheckResult>;
}

/** What a catalog plan step gets to run. */
export interface PlanStepContext {
  rollbackId: string;
  signal: AbortSignal;
  /** Posts a line to the thread while the step runs. */
  progress: (line: string) => Promise<void>;
}

export interface PlanStepOutcome {
  detail: string;
  /** What a backup step kept so the database can be restored on request. */
  restorePoint?: RestorePoint;
}

/** A step the catalog adds around the provider's rollback (a database backup, a migration down). */
export interface PlanStepRunner {
  /** Does the work and says what it did for the thread; throws with a person-readable reason when it fails. */
  run(context: PlanStepContext): Promise<PlanStepOutcome>;
}

/** What approvers read before a restore: what it replaces, and what it leaves alone. */
export interface RestorePreview {
  overwrites: string[];
  warnings: string[];
}

export interface RestoreContext {
  /** Names this restore everywhere it runs (`<rollback id>#<number>`), so a resumed attempt can find what a dead one left running. */
  key: string;
  /** 1 for the first worker to run it, more when it was resumed after a worker died. */
  attempt: number;
  signal: AbortSignal;
  /** Posts a line to the rollback's thread while the restore runs. */
  progress: (line: string) => Promise<void>;
  /**
   * Set when an earlier attempt already asked the platform to restore: a resumed attempt must
   * look at what that request did, never send it again.
   */
  sentAt?: number;
  /** Records, durably and before the call, that the platform is about to be asked. */
  markSent: () => Promise<void>;
}

/** Puts a database back from a restore point (pg_restore of a dump, Supabase PITR). */
export interface DatabaseRestorer {
  preview(point: RestorePoint, signal?: AbortSignal): Promise<RestorePreview>;
  /** Restores and says what it did; throws with a person-readable reason when it fails. */
  restore(point: RestorePoint, context: RestoreContext): Promise<{ detail: string }>;
}

/** Lists the database migrations a rollback to `target` would leave applied. */
export interface MigrationLister {
  readonly source: string;
  readonly upOnly: boolean;
  since(target: Release, signal?: AbortSignal): Promise<Migration[]>;
}

/** Builds the provider and verifiers configured for one service environment. */
export interface IntegrationFactory {
  provider(service: string, environment: string): DeployProvider;
  verifiers(service: string, environment: string): Verifier[];
  /** The runner of plan step `before.N` or `after.N`. */
  planStep(service: string, environment: string, name: string): PlanStepRunner;
  /** Restores from what plan step `name` kept; undefined when that step keeps nothing to restore. */
  restorer(service: string, environment: string, name: string): DatabaseRestorer | undefined;
  /** The catalog's way to list migrations, when it names one. */
  migrations(service: string, environment: string): MigrationLister | undefined;
}

export type CreateResult =
  | { status: 'created'; record: RollbackRecord }
  | { status: 'duplicate'; existingId: string }
  | { status: 'active'; activeId: string };

export interface RecordListQuery {
  service?: string;
  environment?: string;
  state?: RollbackState;
  limit: number;
}

export interface Commit {
  record: RollbackRecord;
  audit: NewAuditEvent[];
  outbox: NewOutboundEvent[];
}

/** Durable records. Commits are atomic: record, audit events and chat events land together or not at all. */
export interface RollbackStore {
  /** Creates the record unless the service+environment has an active rollback or the key was seen. */
  create(commit: Commit, options: { idempotencyKey?: string }): Promise<CreateResult>;
  get(id: string): Promise<RollbackRecord | undefined>;
  /** The rollback an interaction already created, if any. */
  findByIdempotencyKey(key: string): Promise<string | undefined>;
  /** Compare-and-set on `expectedVersion`; throws ConflictError when someone else committed first. */
  commit(expectedVersion: number, commit: Commit): Promise<RollbackRecord>;
  activeFor(service: string, environment: string): Promise<string | undefined>;
  list(query: RecordListQuery): Promise<RollbackRecord[]>;
  auditTrail(id: string): Promise<AuditEvent[]>;
  outboxEvents(id: string): Promise<OutboundEvent[]>;
  /** Events outside any rollback: refusals that never became one, automation switched on or off. */
  recordGlobalEvent(event: NewAuditEvent, context: Record<string, unknown>): Promise<void>;
  /** The newest audit events of every rollback and outside them, newest first. */
  recentAudit(limit: number): Promise<AuditEvent[]>;
}

/** Durable timers and work hand-off. */
export interface Scheduler {
  /** Starts (or resumes) execution of a rollback; idempotent per run number. */
  execute(rollbackId: string, run: number): Promise<void>;
  expireAt(rollbackId: string, atMs: number): Promise<void>;
  cancelExpiry(rollbackId: string, atMs: number): Promise<void>;
  /** Asks the worker running this rollback to stop between steps. */
  requestAbort(rollbackId: string): Promise<void>;
  /** Ensures pending chat events of a rollback get delivered. */
  deliver(rollbackId: string): Promise<void>;
  /** Runs (or resumes) an approved database restore on a worker; idempotent per restore. */
  restore(rollbackId: string, restore: number): Promise<void>;
  /** Fires the break-glass review's one reminder check at `atMs`; idempotent per rollback and time. */
  remindReview(rollbackId: string, atMs: number): Promise<void>;
}

/** Where an interaction's answer goes: adapter-specific data (response_url, interaction token). */
export interface ReplyTarget {
  platform: string;
  data: Record<string, unknown>;
}

/** Answers the person who asked, privately where the platform allows (ephemeral). */
export interface Replier {
  reply(target: ReplyTarget, message: Message): Promise<void>;
}

export interface RequesterContext {
  actor: Actor;
  replyTo?: ReplyTarget;
}

/** Where a run of chat events belongs: a rollback, or a one-message notice (e.g. "automatic rollback not started"). */
export type Conversation = Pick<RollbackRecord, 'id' | 'service' | 'environment' | 'channels'>;

/** Notices: chat messages about a service environment that are not part of a rollback, delivered through the same outbox. */
export interface Notices {
  /** Stores the notice and its message; returns its id for Scheduler.deliver. */
  post(where: Omit<Conversation, 'id'>, message: Message): Promise<string>;
  get(id: string): Promise<Conversation | undefined>;
}

/**
 * A chat destination for a rollback's events (Slack, Discord, console, log). `deliver` may be
 * called again for an event after a crash, so it should be idempotent per `event.seq` where the
 * platform allows.
 */
export interface ChatSink {
  readonly name: string;
  /**
   * Delivering an event again is harmless (it finds what it posted and edits or skips it), so the
   * outbox may record progress once per batch instead of once per event.
   */
  readonly replaySafe?: boolean;
  /** Whether this sink has anywhere to post for this rollback (e.g. a Slack channel is configured). */
  handles(conversation: Conversation): boolean;
  deliver(event: OutboundEvent, conversation: Conversation): Promise<void>;
}

/** Per-sink delivery progress of a rollback's outbox, with a lock so one drainer runs at a time. */
export interface OutboxLog {
  /** Events after the sink's cursor, oldest first, each with its log position. */
  pending(rollbackId: string, sink: string, limit: number): Promise<{ position: string; event: OutboundEvent }[]>;
  advance(rollbackId: string, sink: string, position: string): Promise<void>;
  tryLock(rollbackId: string, ttlMs: number): Promise<string | undefined>;
  unlock(rollbackId: string, token: string): Promise<void>;
  /** Drops the rollback from the pending set when every listed sink has caught up. */
  settle(rollbackId: string, sinks: readonly string[]): Promise<boolean>;
  pendingRollbacks(limit: number): Promise<string[]>;
  /** Holds a sink back for a rollback (a platform's Retry-After), across every drainer. */
  pauseSink(rollbackId: string, sink: string, ms: number): Promise<void>;
  /** Milliseconds the sink is still held back, 0 when it may deliver. */
  sinkPause(rollbackId: string, sink: string): Promise<number>;
  /**
   * Marks a delivery as waiting to be run; false when one already waits, since it will deliver
   * every event committed before it starts. The mark lapses after `ttlMs` if its delivery is lost.
   */
  markDeliveryWaiting(rollbackId: string, ttlMs: number): Promise<boolean>;
  /** A drainer is starting: events committed from now on need a delivery of their own. */
  clearDeliveryWaiting(rollbackId: string): Promise<void>;
}
