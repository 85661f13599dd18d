/**
 * The decision matrix: for a severity, run at once, wait for N approvals, or refuse with the
 * team's message. Pure functions over the environment's resolved policy.
 */
import { countRefs, mergeRefs, type ApproverRefs } from './approvers';
import { SEVERITIES, type Severity } from './severity';

/** How long a provider-required approval waits when the environment's rules name no timeout. */
const PROVIDER_APPROVAL_TIMEOUT_MS = 15 * 60_000;

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
  | { decision: 'await_approval'; reasonCode: 'approval_required' | 'provider_requires_approval'; required: number; approvers: ApproverRefs; timeoutMs: number }
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

/** Everyone who approves any severity of this environment. */
export function environmentApprovers(policy: EnvironmentPolicy): ApproverRefs {
  return mergeRefs(...SEVERITIES.map((severity) => policy.rules[severity]).map((rule) => (rule.kind === 'approval' ? rule.approvers : undefined)));
}

/**
 * A rollback whose provider says a person must approve it even where policy would run it at once
 * (a force-push, turning Argo CD auto-sync off): one approval from anyone who approves for this
 * environment, within the longest configured timeout. With nobody to ask, it is refused.
 */
export function requireProviderApproval(decision: PolicyDecision, policy: EnvironmentPolicy, reason: string): PolicyDecision {
  if (decision.decision !== 'run') return decision;
  const approvers = environmentApprovers(policy);
  if (countRefs(approvers) === 0) {
    return { decision: 'refuse', reasonCode: 'refused_by_policy', message: `${reason} This environment lists no approvers, so it cannot run: add approvers under \`approvals\` in the catalog.` };
  }
  const timeouts = SEVERITIES.map((severity) => policy.rules[severity]).flatMap((rule) => (rule.kind === 'approval' ? [rule.timeoutMs] : []));
  return { decision: 'await_approval', reasonCode: 'provider_requires_approval', required: 1, approvers, timeoutMs: timeouts.length ? Math.max(...timeouts) : PROVIDER_APPROVAL_TIMEOUT_MS };
}
