/**
 * The core API: everything a front end (chat, alert, monitor, HTTP) can ask of Rewind, and the
 * command dispatcher that workers run for queued interactions.
 */
import type { Actor } from '../domain/actor';
import { describeError, isRewindError } from '../domain/errors';
import type { Message } from '../domain/message';
import type { Postmortem, RollbackRecord } from '../domain/rollback-record';
import type { Replier } from '../domain/ports';
import type { RollbackRequestInput } from '../domain/request';
import { errorReply, requestAccepted } from '../messages/templates/replies';
import { helpMessage } from '../messages/templates/help';
import { deliverAnswer, isFileAnswer, type Answer } from './answer';
import type { Command } from './commands';
import { decideApproval, expireApproval } from './decide-approval';
import { abandonRestore, decideRestore, requestRestore, runRestore } from './database-restores';
import { addReviewNote, markReviewed, remindReview } from './break-glass-reviews';
import { checkDrills, type DrillCheck } from './drill-reminders';
import type { EngineDeps } from './engine-deps';
import { RollbackExecutor } from './executor';
import { abortRollback, acceptVerification, cancelRollback, failVerification, recordPostmortem, retryVerification } from './operator-actions';
import { releasesOf, statusOf } from './queries';
import { historyAnswer, postmortemAnswer, reportAnswer } from './records';
import { controlEnvironment } from './environment-controls';
import { handleAutoSignal, type AutoOutcome } from './handle-auto-signal';
import { requestRollback, type RequestResult } from './request-rollback';

/** What became of a command: for metrics and logs; the person who sent it has had their answer. */
export type HandledCommand = { outcome: 'done'; auto?: AutoOutcome } | { outcome: 'refused'; code: string };

export class RollbackService {
  readonly executor: RollbackExecutor;

  constructor(readonly deps: EngineDeps) {
    this.executor = new RollbackExecutor(deps);
  }

  request(input: RollbackRequestInput): Promise<RequestResult> {
    return requestRollback(this.deps, input);
  }
  approve(id: string, actor: Actor): Promise<RollbackRecord> {
    return decideApproval(this.deps, id, actor, 'approve');
  }
  reject(id: string, actor: Actor, reason?: string): Promise<RollbackRecord> {
    return decideApproval(this.deps, id, actor, 'reject', reason);
  }
  expire(id: string): Promise<RollbackRecord> {
    return expireApproval(this.deps, id);
  }
  cancel(id: string, actor: Actor, reason?: string): Promise<RollbackRecord> {
    return cancelRollback(this.deps, id, actor, reason);
  }
  abort(id: string, actor: Actor): Promise<RollbackRecord> {
    return abortRollback(this.deps, id, actor);
  }
  acceptVerification(id: string, actor: Actor): Promise<RollbackRecord> {
    return acceptVerification(this.deps, id, actor);
  }
  retryVerification(id: string, actor: Actor): Promise<RollbackRecord> {
    return retryVerification(this.deps, id, actor);
  }
  failVerification(id: string, actor: Actor): Promise<RollbackRecord> {
    return failVerification(this.deps, id, actor);
  }
  recordPostmortem(id: string, actor: Actor, fields: Pick<Postmortem, 'impact' | 'rootCause' | 'prevention'>): Promise<RollbackRecord> {
    return recordPostmortem(this.deps, id, actor, fields);
  }
  status(target?: string): Promise<Message> {
    return statusOf(this.deps, target);
  }
  /** `/rollback history` without filters or a file format: the same path the command takes. */
  async history(service: string | undefined, limit: number): Promise<Message> {
    const answer = await historyAnswer(this.deps, { ...(service ? { service } : {}), limit });
    if (isFileAnswer(answer)) throw new Error('a history without a format is a message');
    return answer;
  }
  releases(service: string, environment?: string): Promise<Message> {
    return releasesOf(this.deps, service, environment);
  }
  /** Runs (or resumes) an approved database restore; for the worker. */
  runRestore(id: string, restore: number, signal: AbortSignal): Promise<void> {
    return runRestore(this.deps, id, restore, signal);
  }
  abandonRestore(id: string, restore: number, why: string): Promise<void> {
    return abandonRestore(this.deps, id, restore, why);
  }
  get(id: string): Promise<RollbackRecord | undefined> {
    return this.deps.store.get(id);
  }
  /** "Reviewed" on a break-glass rollback's review card. */
  review(id: string, actor: Actor): Promise<RollbackRecord> {
    return markReviewed(this.deps, id, actor);
  }
  reviewNote(id: string, actor: Actor, note: string): Promise<RollbackRecord> {
    return addReviewNote(this.deps, id, actor, note);
  }
  /** The review's one reminder, when due; for its delayed job on the outbox queue. */
  remindReview(id: string): Promise<RollbackRecord> {
    return remindReview(this.deps, id);
  }
  /** Drill reminders for overdue environments, once per period across replicas; for the outbox queue's job scheduler. */
  checkDrills(): Promise<DrillCheck> {
    return checkDrills(this.deps);
  }

  /**
   * Runs one queued command and answers the person who sent it. Expected refusals become a
   * private reply; anything else is rethrown so the queue retries it.
   */
  async handle(command: Command, replier: Replier): Promise<HandledCommand> {
    const reply = async (message: Message) => {
      if ('reply' in command && command.reply) await replier.reply(command.reply, message);
    };
    try {
      if (command.type === 'auto_trigger') return { outcome: 'done', auto: await handleAutoSignal(this.deps, command.signal) };
      const answer = await this.dispatch(command);
      if (answer && 'reply' in command && command.reply) await deliverAnswer(answer, replier, command.reply, this.deps.logger);
      return { outcome: 'done' };
    } catch (error) {
      if (!isRewindError(error)) throw error;
      this.deps.logger.info({ command: command.type, code: error.code }, `refused: ${describeError(error)}`);
      await reply(errorReply(error.userMessage));
      return { outcome: 'refused', code: error.code };
    }
  }

  private async dispatch(command: Exclude<Command, { type: 'auto_trigger' }>): Promise<Answer | undefined> {
    switch (command.type) {
      case 'request': {
        const result = await this.request(command.request);
        return result.kind === 'dry_run' ? result.message : requestAccepted(result.record);
      }
      case 'approve':
        await this.approve(command.rollbackId, command.actor);
        return undefined;
      case 'reject':
        await this.reject(command.rollbackId, command.actor, command.reason);
        return undefined;
      case 'cancel':
        await this.cancel(command.rollbackId, command.actor, command.reason);
        return undefined;
      case 'abort':
        await this.abort(command.rollbackId, command.actor);
        return undefined;
      case 'accept_verification':
        await this.acceptVerification(command.rollbackId, command.actor);
        return undefined;
      case 'retry_verification':
        await this.retryVerification(command.rollbackId, command.actor);
        return undefined;
      case 'fail_verification':
        await this.failVerification(command.rollbackId, command.actor);
        return undefined;
      case 'postmortem':
        await this.recordPostmortem(command.rollbackId, command.actor, {
          ...(command.impact ? { impact: command.impact } : {}),
          ...(command.rootCause ? { rootCause: command.rootCause } : {}),
          ...(command.prevention ? { prevention: command.prevention } : {}),
        });
        return undefined;
      case 'expire':
        await this.expire(command.rollbackId);
        return undefined;
      case 'restore':
        await requestRestore(this.deps, command.rollbackId, command.actor, command.step);
        return undefined;
      case 'approve_restore':
      case 'reject_restore':
        await decideRestore(this.deps, command.rollbackId, command.restore, command.actor, command.type === 'approve_restore' ? 'approve' : 'reject');
        return undefined;
      case 'status':
        return this.status(command.target);
      case 'history':
        return historyAnswer(this.deps, command);
      case 'postmortem_draft':
        return postmortemAnswer(this.deps, command.rollbackId);
      case 'report':
        return reportAnswer(this.deps, command);
      case 'releases':
        return this.releases(command.service, command.environment);
      case 'help':
        return helpMessage();
      case 'unlock':
      case 'pause_auto':
      case 'resume_auto':
        return controlEnvironment(this.deps, command.type, command.actor, command.service, command.environment);
      case 'review':
        await this.review(command.rollbackId, command.actor);
        return undefined;
      case 'review_note':
        await this.reviewNote(command.rollbackId, command.actor, command.note);
        return undefined;
    }
  }
}
