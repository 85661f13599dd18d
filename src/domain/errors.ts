/**
 * Typed errors of the core. Each carries a stable `code` for programs and a `userMessage` that is
 * safe to show in chat: it says what was wrong and, where it can, what is valid instead.
 */

export const ErrorCode = {
  Validation: 'validation',
  UnknownService: 'unknown_service',
  UnknownEnvironment: 'unknown_environment',
  UnknownRollback: 'unknown_rollback',
  PolicyRefused: 'policy_refused',
  NotAllowedToRequest: 'not_allowed_to_request',
  ActiveRollback: 'active_rollback',
  NotAnApprover: 'not_an_approver',
  SelfApproval: 'self_approval',
  AlreadyApproved: 'already_approved',
  AlreadyDecided: 'already_decided',
  IllegalTransition: 'illegal_transition',
  TooLate: 'too_late',
  Conflict: 'conflict',
  Provider: 'provider',
  OutcomeUnknown: 'outcome_unknown',
  TargetUnavailable: 'target_unavailable',
  NothingToRollBack: 'nothing_to_roll_back',
  RestoreRefused: 'restore_refused',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class RewindError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly userMessage: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(userMessage);
    this.name = new.target.name;
  }
}

export class ValidationError extends RewindError {
  constructor(userMessage: string, readonly issues: string[] = []) {
    super(ErrorCode.Validation, userMessage, { issues });
  }
}

export class UnknownServiceError extends RewindError {
  constructor(readonly service: string, readonly known: string[], readonly suggestion?: string) {
    super(
      ErrorCode.UnknownService,
      `Unknown service \`${service}\`.` +
        (suggestion ? ` Did you mean \`${suggestion}\`?` : '') +
        ` Known services: ${known.map((s) => `\`${s}\``).join(', ') || 'none configured'}.`,
      { service, suggestion },
    );
  }
}

export class UnknownEnvironmentError extends RewindError {
  constructor(readonly service: string, readonly environment: string, readonly known: string[], readonly suggestion?: string) {
    super(
      ErrorCode.UnknownEnvironment,
      `\`${service}\` has no environment \`${environment}\`.` +
        (suggestion ? ` Did you mean \`${suggestion}\`?` : '') +
        ` Valid: ${known.map((s) => `\`${s}\``).join(', ')}.`,
      { service, environment, suggestion },
    );
  }
}

export class UnknownRollbackError extends RewindError {
  constructor(readonly rollbackId: string) {
    super(ErrorCode.UnknownRollback, `No rollback with id \`${rollbackId}\`.`, { rollbackId });
  }
}

export class PolicyRefusedError extends RewindError {
  constructor(message: string, severity: string) {
    super(ErrorCode.PolicyRefused, message, { severity });
  }
}

export class NotAllowedToRequestError extends RewindError {
  constructor(service: string, environment: string) {
    super(
      ErrorCode.NotAllowedToRequest,
      `You are not on the list of people who may request rollbacks of ${service} in ${environment}. Ask an on-call engineer or an approver.`,
      { service, environment },
    );
  }
}

export class ActiveRollbackError extends RewindError {
  constructor(readonly activeId: string, service: string, environment: string) {
    super(
      ErrorCode.ActiveRollback,
      `A rollback of ${service} in ${environment} is already in progress: \`${activeId}\`. ` +
        `Follow it with \`/rollback status ${activeId}\`, or cancel it first.`,
      { activeId, service, environment },
    );
  }
}

export class NotAnApproverError extends RewindError {
  constructor(rollbackId: string, approvers: string[]) {
    super(
      ErrorCode.NotAnApprover,
      `You are not an approver for this rollback. Approvers: ${approvers.join(', ') || 'none configured'}.`,
      { rollbackId },
    );
  }
}

export class SelfApprovalError extends RewindError {
  constructor(rollbackId: string) {
    super(ErrorCode.SelfApproval, 'You requested this rollback, so you cannot approve it. Another approver must.', { rollbackId });
  }
}

export class AlreadyApprovedError extends RewindError {
  constructor(rollbackId: string) {
    super(ErrorCode.AlreadyApproved, 'You have already approved this rollback; it needs another approver.', { rollbackId });
  }
}

export class AlreadyDecidedError extends RewindError {
  constructor(rollbackId: string, readonly state: string, readonly decidedBy?: string) {
    super(
      ErrorCode.AlreadyDecided,
      `Already decided${decidedBy ? ` by ${decidedBy}` : ''}: this rollback is ${state.replace('_', ' ')}. Nothing changed.`,
      { rollbackId, state, decidedBy },
    );
  }
}

export class TooLateError extends RewindError {
  constructor(rollbackId: string, what: string, state: string) {
    super(ErrorCode.TooLate, `Too late to ${what}: this rollback is ${state.replace('_', ' ')}. Nothing changed.`, { rollbackId, state });
  }
}

export class ConflictError extends RewindError {
  constructor(rollbackId: string) {
    super(ErrorCode.Conflict, 'The rollback changed while this was being applied; try again.', { rollbackId });
  }
}

/** A provider call failed; `retryable` says whether trying again could help. */
export class ProviderError extends RewindError {
  constructor(userMessage: string, readonly retryable: boolean, details: Record<string, unknown> = {}) {
    super(ErrorCode.Provider, userMessage, details);
  }
}

/**
 * A call that changes the platform got no answer (timeout, reset after sending) and the platform,
 * read again for a while, shows no sign of it. It is not repeated: it may still land.
 */
export class OutcomeUnknownError extends RewindError {
  constructor(userMessage: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.OutcomeUnknown, userMessage, details);
  }
}

export class TargetUnavailableError extends RewindError {
  constructor(userMessage: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.TargetUnavailable, userMessage, details);
  }
}

export function isRewindError(error: unknown): error is RewindError {
  return error instanceof RewindError;
}

/** A short, log-safe description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof RewindError) return error.userMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A delivery or call that should be tried again later, e.g. after a 429's Retry-After. */
export class RetryLaterError extends Error {
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
    this.name = 'RetryLaterError';
  }
}
