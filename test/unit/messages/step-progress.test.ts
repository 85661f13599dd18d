import { Message } from '../../../src/domain/message';
import { stepProgress } from '../../../src/messages/templates/step-progress';
import { makeRecord, stepsUpTo, withSteps } from '../../support/record-factory';

describe('stepProgress', () => {
  it('a running step says which of six it is and when it started', () => {
    const message = Message.parse(stepProgress(makeRecord({ state: 'running' }), 'rollback'));
    expect(message).toMatchObject({ kind: 'progress', tone: 'progress', title: 'Roll back started (step 3 of 6)' });
    expect(message.text).toBe('Started 2026-11-23 09:45:12 UTC');
  });

  it('a finished step gives its duration and detail', () => {
    const record = makeRecord({ state: 'running' });
    record.steps[1]!.detail = 'live: green 2.4.1';
    const message = stepProgress(record, 'capture');
    expect(message).toMatchObject({ tone: 'success', title: 'Capture current state done (step 2 of 6)' });
    expect(message.text).toBe('Succeeded in 300 ms · live: green 2.4.1');
  });

  it('a failed step says so with its detail', () => {
    const record = withSteps(makeRecord({ state: 'running' }), stepsUpTo('wait_live', 'failed'));
    record.steps[3]!.detail = 'blue did not report 2.4.0 within 2 min';
    const message = stepProgress(record, 'wait_live');
    expect(message.tone).toBe('danger');
    expect(message.title).toBe('Wait until live failed (step 4 of 6)');
    expect(message.text).toBe('Failed after 3 s · blue did not report 2.4.0 within 2 min');
  });

  it('a skipped step is marked skipped', () => {
    const record = withSteps(makeRecord({ state: 'running' }), { capture: 'skipped' });
    expect(stepProgress(record, 'capture').title).toBe('Capture current state skipped (step 2 of 6)');
  });

  it('a resumed step shows its attempt', () => {
    const record = makeRecord({ state: 'running' });
    record.steps[2]!.attempts = 2;
    expect(stepProgress(record, 'rollback').text).toContain('(attempt 2)');
  });
});
