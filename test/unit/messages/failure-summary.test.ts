import { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { failureSummary } from '../../../src/messages/templates/failure-summary';
import { ACTORS, T0, makeRecord, stepsUpTo, withSteps, without } from '../../support/record-factory';

const field = (message: Message, label: string) => message.fields.find((f) => f.label === label)?.value;

describe('failureSummary', () => {
  const failed = makeRecord({ state: 'failed' });

  it('names the step, what happened, that traffic was switched, the evidence, the next steps and the escalation', () => {
    const message = Message.parse(failureSummary(failed));
    expect(message).toMatchObject({ kind: 'failure', tone: 'danger' });
    expect(message.title).toBe('Rollback failed: checkout-api (production) — stopped at Verify (step 5 of 6)');
    expect(message.text).toContain('health (503 in 9 ms, health = unhealthy)');
    expect(field(message, 'Provider')).toBe('Traffic was switched to 2.4.0 (blue)');
    const text = renderPlainText(message);
    expect(text).toContain('✖ health — measured 503 in 9 ms, health = unhealthy · threshold status 200, health = healthy');
    expect(text).toContain('What to do next');
    expect(text).toContain('• Retry verification once things settle, or escalate.');
    expect(text).toContain('Escalation\n  Page the checkout on-call (PagerDuty: checkout-primary)');
  });

  it('offers Retry verification only after a switch that failed verification', () => {
    expect(failureSummary(failed).buttons.map((b) => b.action)).toEqual(['retry_verification', 'root_cause']);
    const refused = makeRecord({
      state: 'failed',
      steps: withSteps(makeRecord({ state: 'running' }), stepsUpTo('rollback', 'failed')).steps,
      outcome: { code: 'provider', message: 'bluegreen answered 409: a deployment is in progress.', stoppedAt: 'rollback', providerChanged: false, nextSteps: ['Wait for the deployment to finish, then request again.'] },
    });
    const message = failureSummary(refused);
    expect(message.buttons.map((b) => b.action)).toEqual(['root_cause']);
    expect(field(message, 'Provider')).toBe('Nothing was changed on the provider');
    expect(message.title).toContain('stopped at Roll back (step 3 of 6)');
  });

  it('an abort says aborted, where it stopped and whether the provider was touched', () => {
    const aborted = makeRecord({
      state: 'cancelled',
      steps: withSteps(makeRecord({ state: 'running' }), stepsUpTo('wait_live', 'pending')).steps,
      abort: { actor: ACTORS.lead, at: T0 + 2000 },
      outcome: {
        code: 'aborted',
        message: 'Aborted by Lead before wait live.',
        stoppedAt: 'wait_live',
        providerChanged: true,
        nextSteps: ['The provider was already switched to `2.4.0`; verification did not finish. Check the service.'],
      },
    });
    const message = failureSummary(aborted);
    expect(message.title).toBe('Rollback aborted: checkout-api (production) — stopped at Wait until live (step 4 of 6)');
    expect(field(message, 'Provider')).toBe('Traffic was switched to 2.4.0 (blue)');
    expect(message.buttons.map((b) => b.action)).toEqual(['root_cause']);
  });

  it('without escalation configured, says whom to turn to', () => {
    expect(renderPlainText(failureSummary(without(failed, 'escalation')))).toContain('No escalation is configured');
  });
});
