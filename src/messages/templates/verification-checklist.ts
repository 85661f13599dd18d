/**
 * The verification checklist: one line per check with what was measured against what was required.
 * Inconclusive is its own outcome, never a pass; while it waits for a person the post carries the choices.
 */
import type { Message, Tone } from '../../domain/message';
import type { RollbackRecord, VerificationRecord } from '../../domain/rollback-record';
import type { VerificationStatus } from '../../domain/verification';
import { serviceLabel, who } from '../formatting';
import { verificationSection } from './blocks';
import { verificationDecisionButtons } from './buttons';
import { compose } from './compose';

const TONES: Readonly<Record<VerificationStatus, Tone>> = { pass: 'success', fail: 'danger', inconclusive: 'warning', unverified: 'warning' };

/** `Verification passed (3/3)`, `Verification failed: 1 of 3 checks`, … */
export function verificationTitle(verification: VerificationRecord): string {
  const results = verification.results;
  const total = results.length;
  switch (verification.status) {
    case 'pass':
      return `Verification passed (${total}/${total})`;
    case 'fail':
      return `Verification failed: ${results.filter((r) => r.status === 'fail').length} of ${total} checks`;
    case 'inconclusive':
      return verification.acceptedBy
        ? `Verification inconclusive — accepted by ${who(verification.acceptedBy.actor)}`
        : `Verification inconclusive — accept, retry or mark failed`;
    case 'unverified':
      return 'No verification configured: Rewind cannot confirm recovery';
  }
}

export function verificationChecklist(record: RollbackRecord): Message {
  const verification = record.verification;
  if (!verification) {
    return compose({ kind: 'verification', tone: 'progress', title: 'Verification has not run yet', footer: [`Rollback ${record.id}`] });
  }
  const title = verificationTitle(verification);
  const unverified = verification.status === 'unverified';
  return compose({
    kind: 'verification',
    tone: TONES[verification.status],
    title,
    text: unverified
      ? `Traffic is on ${record.to?.version ?? 'the target'}, but no checks are configured. Watch the service yourself, and add checks under \`verify:\` in the catalog.`
      : verification.awaitingDecision
        ? 'Some checks could not measure anything (no data, NaN, monitoring unreachable). That is not a pass: accept the result, retry the checks, or mark the rollback failed.'
        : undefined,
    sections: unverified ? [] : [verificationSection(verification, 'Checks')],
    buttons: verification.awaitingDecision ? verificationDecisionButtons(record) : [],
    footer: [`Rollback ${record.id}`],
    fallback: `${serviceLabel(record)}: ${title}`,
  });
}
