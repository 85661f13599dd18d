/**
 * Redis key layout. Every key starts with one hash-tag prefix (`{rewind}` by default) so all keys of
 * Rewind live in one Redis Cluster slot and multi-key scripts stay legal.
 */

export function assertHashTagPrefix(prefix: string): void {
  if (!/^\{[^{}]+\}$/.test(prefix)) {
    throw new Error(`the Redis key prefix must be a hash tag such as {rewind} (got "${prefix}") so it works on Redis Cluster`);
  }
}

export class Keys {
  constructor(readonly prefix: string) {
    assertHashTagPrefix(prefix);
  }

  record(id: string): string {
    return `${this.prefix}:rb:${id}`;
  }
  /** All rollbacks by request time. */
  index(): string {
    return `${this.prefix}:rb-index`;
  }
  /** Rollbacks of one service by request time: the history. */
  serviceIndex(service: string): string {
    return `${this.prefix}:rb-service:${service}`;
  }
  active(service: string, environment: string): string {
    return `${this.prefix}:active:${service}:${environment}`;
  }
  idempotency(key: string): string {
    return `${this.prefix}:idem:${key}`;
  }
  audit(id: string): string {
    return `${this.prefix}:audit:${id}`;
  }
  globalAudit(): string {
    return `${this.prefix}:audit`;
  }
  outbox(id: string): string {
    return `${this.prefix}:outbox:${id}`;
  }
  /** Rollbacks with chat events not yet delivered everywhere. */
  outboxPending(): string {
    return `${this.prefix}:outbox-pending`;
  }
  outboxCursor(id: string): string {
    return `${this.prefix}:outbox-cursor:${id}`;
  }
  /** Set while a delivery job for the rollback waits in the queue: later commits need not add another. */
  outboxWaiting(id: string): string {
    return `${this.prefix}:outbox-waiting:${id}`;
  }
  outboxLock(id: string): string {
    return `${this.prefix}:outbox-lock:${id}`;
  }
  outboxPause(id: string, sink: string): string {
    return `${this.prefix}:outbox-pause:${id}:${sink}`;
  }
  /** Where adapters keep the chat message ids of a rollback (header ts, thread id). */
  chatRefs(id: string): string {
    return `${this.prefix}:chat-refs:${id}`;
  }
  autoPause(service: string, environment: string): string {
    return `${this.prefix}:auto-pause:${service}:${environment}`;
  }
  environmentLock(service: string, environment: string): string {
    return `${this.prefix}:env-lock:${service}:${environment}`;
  }
  platformHold(service: string, environment: string): string {
    return `${this.prefix}:platform-hold:${service}:${environment}`;
  }
  latestDeploy(service: string, environment: string): string {
    return `${this.prefix}:deploy:${service}:${environment}`;
  }
  deploys(service: string, environment: string): string {
    return `${this.prefix}:deploys:${service}:${environment}`;
  }
  signalClaim(key: string): string {
    return `${this.prefix}:signal:${key}`;
  }
  /** What the automation monitor last saw for a service environment (probe streak, rule breaches). */
  monitorState(service: string, environment: string): string {
    return `${this.prefix}:monitor:${service}:${environment}`;
  }
  /** An environment's drills that ran, by the time they ended. */
  drills(service: string, environment: string): string {
    return `${this.prefix}:drills:${service}:${environment}`;
  }
  /** Claimed (SET NX) by the one check that posts an environment's drill reminder for an overdue period. */
  drillReminder(service: string, environment: string, period: string): string {
    return `${this.prefix}:drill-reminder:${service}:${environment}:${period}`;
  }
  notice(id: string): string {
    return `${this.prefix}:notice:${id}`;
  }
  /** What the web console shows: every post and edit, in order. */
  consoleEvents(): string {
    return `${this.prefix}:console-events`;
  }
  /** The lock that elects one leader for a singleton duty (Discord gateway, health monitor). */
  leader(duty: string): string {
    return `${this.prefix}:leader:${duty}`;
  }
}
