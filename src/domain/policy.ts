/**
 * The decision matrix: for a severity, run at once, wait for N approvals, or refuse with the
 * team's message. Pure functions over the environment's resolved policy.
 */
import type { ApproverRefs } from './approvers';
import type { Severity } from './severity';

export type ApprovalRule =
  | { kind: 'immediate' }
  | { kind: 'approval'; required: number; approvers: ApproverRefs; timeoutMs: number }
  | { kind: 'refuse'; message: string };

export interface EnvironmentPolicy {
  defaultSeverity: Severity;
  rules: Readonly<Record<Severity, ApprovalRule>>;
  selfApproval: boolean;
  /** Who may request a rollback; absent means anyone in the incident channel. */
  requesters?: ApproverRefs | undefined;
  /** Recovery-time objective per severity, in ms. */
  rtoMs: Readonly<Partial<Record<Severity, number>>>;
  /** Who to call when a rollback fails, shown in the failure summary. */
  escalation?: string | undefined;
}

export type PolicyDecision =
  | { decision: 'run'; reasonCode: 'immediate' }
  | { decision: 'await_approval'; reasonCode: 'approval_required'; required: number; approvers: ApproverRefs; timeoutMs: number }
  | { decision: 'refuse'; reasonCode: 'refused_by_policy'; message: string };

export function decide(policy: EnvironmentPolicy, severity: Severity): PolicyDecision {
  const rule = policy.rules[severity];
  switch (rule.kind) {
    case 'immediate':
      return { decision: 'run', reasonCode: 'immediate' };
    case 'approval':
      return {
        decision: 'await_approval',
        reasonCode: 'approval_required',
        required: rule.required,
        approvers: rule.approvers,
        timeoutMs: rule.timeoutMs,
      };
    case 'refuse':
      return { decision: 'refuse', reasonCode: 'refused_by_policy', message: rule.message };
  }
}
