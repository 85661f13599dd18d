/**
 * Who may do what (issue 13's RBAC matrix): each command a chat button or slash command sends ×
 * the rollback's requester, an approver, another user, and an impostor (an approver's user id on
 * another platform, as another workspace or guild would send it). Allowed actions take effect;
 * refused ones change nothing, tell the person why, and leave an audit event.
 */
import type { Actor } from '../../../src/domain/actor';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { Command } from '../../../src/engine/commands';
import { renderPlainText } from '../../../src/messages/plain-text';
import { LEAD, ONCALL, STRANGER, useBluegreenRewind } from '../../support/harness';

const IMPOSTOR: Actor = { platform: 'discord', id: LEAD.id, name: 'lead' };
const WHO = { requester: ONCALL, approver: LEAD, other: STRANGER, impostor: IMPOSTOR } as const;
type Who = keyof typeof WHO;

interface Row {
  command: 'approve' | 'reject' | 'cancel' | 'postmortem' | 'unlock' | 'pause_auto' | 'resume_auto';
  /** The state the rollback is in when the command comes. */
  on: 'pending_approval' | 'succeeded' | 'none';
  allowed: readonly Who[];
}

const MATRIX: readonly Row[] = [
  { command: 'approve', on: 'pending_approval', allowed: ['approver'] },
  { command: 'reject', on: 'pending_approval', allowed: ['approver'] },
  { command: 'cancel', on: 'pending_approval', allowed: ['requester', 'approver'] },
  { command: 'postmortem', on: 'succeeded', allowed: ['requester', 'approver'] },
  { command: 'unlock', on: 'none', allowed: ['approver'] },
  { command: 'pause_auto', on: 'none', allowed: ['approver'] },
  { command: 'resume_auto', on: 'none', allowed: ['approver'] },
];

const CASES = MATRIX.flatMap((row) => (Object.keys(WHO) as Who[]).map((who) => [row.command, who, row.allowed.includes(who) ? 'allowed' : 'refused', row] as const));

describe('RBAC matrix', () => {
  const fixture = useBluegreenRewind();
  const refusals = { total: 0 };

  afterAll(() => console.info(`RBAC matrix: ${CASES.length} cases, ${refusals.total} refusals, each answered and audited`));

  async function rollbackIn(state: Row['on']): Promise<RollbackRecord | undefined> {
    if (state === 'none') return undefined;
    const severity = state === 'pending_approval' ? 'high' : 'critical';
    const result = await fixture.h.rewind.service.request({ service: 'checkout-api', severity, reason: 'rbac', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    return state === 'succeeded' ? fixture.h.waitForState(result.record.id, 'succeeded') : result.record;
  }

  function commandFor(row: Row, actor: Actor, record: RollbackRecord | undefined): Command {
    const reply = { platform: 'test', data: { who: actor.id } };
    switch (row.command) {
      case 'unlock':
      case 'pause_auto':
      case 'resume_auto':
        return Command.parse({ type: row.command, actor, reply, service: 'checkout-api', environment: 'production' });
      case 'postmortem':
        return Command.parse({ type: 'postmortem', rollbackId: record!.id, actor, reply, rootCause: 'a pricing bug' });
      default:
        return Command.parse({ type: row.command, rollbackId: record!.id, actor, reply });
    }
  }

  it.each(CASES)('%s by the %s: %s', async (_command, who, verdict, row) => {
    const actor = WHO[who];
    const before = await rollbackIn(row.on);
    const auditBefore = before ? (await fixture.h.rewind.store.auditTrail(before.id)).length : 0;
    await fixture.h.rewind.service.handle(commandFor(row, actor, before), fixture.h.replier);
    const said = fixture.h.replier.replies.filter((r) => r.target.data['who'] === actor.id).map((r) => renderPlainText(r.message)).join('\n');
    const after = before ? await fixture.h.rewind.store.get(before.id) : undefined;

    if (verdict === 'refused') {
      refusals.total++;
      expect(said).toMatch(/Only|not an approver|cannot approve|may /);
      if (before && after) {
        // Nothing changed but the audit trail, which records the refusal.
        expect({ state: after.state, approvals: after.approvals, postmortem: after.postmortem }).toEqual({ state: before.state, approvals: before.approvals, postmortem: before.postmortem });
        const audit = await fixture.h.rewind.store.auditTrail(before.id);
        expect(audit.slice(auditBefore).map((e) => [e.type, e.actor.id, e.actor.platform])).toContainEqual([expect.stringMatching(/refused$/), actor.id, actor.platform]);
      }
      return;
    }
    expect(said).not.toMatch(/Only|not an approver|cannot approve/);
    if (row.command === 'approve') expect(after!.approvals.map((a) => a.actor)).toEqual([actor]);
    if (row.command === 'reject') expect(after!.state).toBe('rejected');
    if (row.command === 'cancel') expect(after!.state).toBe('cancelled');
    if (row.command === 'postmortem') expect(after!.postmortem).toMatchObject({ rootCause: 'a pricing bug', by: actor });
  });
});
