import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { approvalRequest } from '../../../src/messages/templates/approval-request';
import { APPROVAL_POLICY, makeRecord } from '../../support/record-factory';

describe('approvalRequest', () => {
  it('says how many approvals, who may give them per platform, and when it expires', () => {
    const message = Message.parse(approvalRequest(makeRecord({ policy: { ...APPROVAL_POLICY, required: 2 } })));
    expect(message.kind).toBe('approval');
    expect(message.title).toBe('Approval needed: 2 more approvals to roll back checkout-api (production)');
    const text = renderPlainText(message);
    expect(text).toContain('Slack: user `U0LEAD`, user group `S0SRE`');
    expect(text).toContain('Discord: user `501`, role `111`');
    expect(text).toContain('Expires: 2026-11-23 10:00:12 UTC (after 15 min)');
    expect(text).toMatch(/Requester may approve: No/);
    expect(message.buttons).toEqual([]);
  });

  it('says when the requester may approve their own request', () => {
    const text = renderPlainText(approvalRequest(makeRecord({ policy: { ...APPROVAL_POLICY, selfApproval: true } })));
    expect(text).toMatch(/Requester may approve: Yes/);
  });

  it('warns when nobody is configured to approve', () => {
    expect(renderPlainText(approvalRequest(makeRecord({ policy: { ...APPROVAL_POLICY, approvers: {} } })))).toContain('No approvers are configured');
  });
});
