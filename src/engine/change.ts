/**
 * Builds one commit: a draft of the record plus the audit events and chat events that describe
 * the change. Transitions are checked by the state machine; the header is rendered last so it
 * shows the record as committed, and the events say what the commit meant for the rollback's
 * course (milestones, the on-call addressed, stakeholder announcements) from the record before and after.
 */
import type { Actor } from '../domain/actor';
import type { AuditType, NewAuditEvent } from '../domain/audit';
import type { Message } from '../domain/message';
import type { NewOutboundEvent } from '../domain/outbound-event';
import type { Commit } from '../domain/ports';
import type { RollbackRecord } from '../domain/rollback-record';
import { assertTransition, type RollbackState } from '../domain/rollback-state';
import { commitEvents } from './course';
import { atRollbackEnd } from './rollback-end';

export class Change {
  readonly record: RollbackRecord;
  private readonly audit: NewAuditEvent[] = [];
  private readonly outbox: NewOutboundEvent[] = [];
  private headerDirty = false;

  constructor(
    private readonly before: RollbackRecord,
    readonly now: number,
  ) {
    this.record = structuredClone(before);
  }

  transition(to: RollbackState, actor: Actor, reason?: string): this {
    const from = this.record.state;
    assertTransition(from, to);
    this.record.state = to;
    this.audit.push({ at: this.now, type: 'transition', actor, from, to, ...(reason ? { reason } : {}) });
    this.headerDirty = true;
    return this;
  }

  note(type: AuditType, actor: Actor, extra: Partial<Pick<NewAuditEvent, 'reason' | 'data'>> = {}): this {
    this.audit.push({ at: this.now, type, actor, ...extra });
    return this;
  }

  post(message: Message, options: { supersedes?: string; broadcast?: boolean } = {}): this {
    this.outbox.push({ kind: 'thread', message, ...options });
    return this;
  }

  /**
   * Posts just before the commit's broadcast summary (or at the end when it has none), so a thread
   * still ends with its summary when the rollback's end brings more to say.
   */
  postBeforeSummary(message: Message, options: { supersedes?: string } = {}): this {
    const at = this.outbox.findIndex((event) => event.broadcast === true);
    const event: NewOutboundEvent = { kind: 'thread', message, ...options };
    if (at < 0) this.outbox.push(event);
    else this.outbox.splice(at, 0, event);
    return this;
  }

  /** Re-render the header at build time. */
  refreshHeader(): this {
    this.headerDirty = true;
    return this;
  }

  build(): Commit {
    // A rollback's end asks for its break-glass review and posts a drill's report, in this same commit.
    atRollbackEnd(this.before, this);
    // The header goes first so a new thread always has its parent message.
    const outbox = commitEvents(this.before, this.record, { header: this.headerDirty, now: this.now, posts: this.outbox });
    return { record: this.record, audit: this.audit, outbox };
  }
}
