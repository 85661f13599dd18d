/** Slack modals: the forms stay within Slack's modal limits and their submissions parse back into what was entered. */
import type { InputBlock, ModalView } from '@slack/types';
import {
  ModalSubmissionError,
  parseRequestSubmission,
  parseRootCause,
  releaseOptions,
  requestModal,
  rootCauseModal,
  type SubmittedValue,
  type SubmittedView,
} from '../../../../src/chat/slack/modals';
import { ValidationError } from '../../../../src/domain/errors';
import { unknownRelease } from '../../../../src/domain/release';
import { RELEASES } from '../../../support/record-factory';

/** The `view` of shared/fixtures/slack-view-submission.json, copied so the repo tests stand alone. */
const FIXTURE_VIEW = {
  id: 'V0001', type: 'modal', callback_id: 'root_cause', private_metadata: 'rb_01HZX',
  state: { values: {
    impact: { impact_input: { type: 'plain_text_input', value: 'Checkout failed for 12% of users for 9 minutes' } },
    cause: { cause_input: { type: 'plain_text_input', value: 'Null pointer in the new tax calculation' } },
    prevention: { prevention_input: { type: 'plain_text_input', value: 'Contract test for tax service' } } } },
};
const SERVICES = [
  { name: 'checkout-api', environments: ['production', 'staging'] },
  { name: 'search', environments: ['production'] },
];

function inputs(view: ModalView): InputBlock[] {
  return view.blocks.filter((b): b is InputBlock => b.type === 'input');
}

/** Where each input lives: `block_id/action_id`, as Slack keys `state.values`. */
function inputIds(view: ModalView): string[] {
  return inputs(view).map((b) => `${b.block_id}/${'action_id' in b.element ? b.element.action_id : ''}`);
}

/** Slack's modal limits, asserted on a whole view. */
function checkModalLimits(view: ModalView): void {
  expect(view.title.text.length).toBeLessThanOrEqual(24);
  expect((view.submit?.text ?? '').length).toBeLessThanOrEqual(24);
  expect((view.close?.text ?? '').length).toBeLessThanOrEqual(24);
  expect(view.blocks.length).toBeLessThanOrEqual(100);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(3000);
  if (inputs(view).length > 0) expect(view.submit).toBeDefined();
  const ids = view.blocks.map((b) => b.block_id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const block of inputs(view)) {
    expect(block.label.text.length).toBeLessThanOrEqual(2000);
    expect((block.hint?.text ?? '').length).toBeLessThanOrEqual(2000);
    const element = block.element;
    if (element.type === 'static_select' || element.type === 'checkboxes') {
      const options = element.options ?? [];
      expect(options.length).toBeGreaterThan(0);
      expect(options.length).toBeLessThanOrEqual(100);
      for (const option of options) {
        expect(option.text.text.length).toBeLessThanOrEqual(75);
        expect((option.value ?? '').length).toBeLessThanOrEqual(150);
      }
    }
    if (element.type === 'plain_text_input' && element.initial_value !== undefined) {
      expect(element.initial_value.length).toBeLessThanOrEqual(element.max_length ?? 3000);
    }
  }
}

/** A `view_submission` view in Slack's shape: every input present, keyed by block then action, blank ones null. */
function submit(view: ModalView, answers: Record<string, SubmittedValue>): SubmittedView {
  const values: SubmittedView['state']['values'] = {};
  for (const block of inputs(view)) {
    const actionId = 'action_id' in block.element ? block.element.action_id! : '';
    const blank = block.element.type === 'checkboxes' ? { selected_options: [] } : block.element.type === 'plain_text_input' ? { value: null } : { selected_option: null };
    const value: SubmittedValue & { type: string } = { type: block.element.type, ...blank, ...answers[actionId] };
    values[block.block_id!] = { [actionId]: value };
  }
  return { private_metadata: view.private_metadata, state: { values } };
}

describe('rootCauseModal / parseRootCause', () => {
  it('builds the fixture-shaped form, prefilled and all optional', () => {
    const view = rootCauseModal('rb_01HZX', { impact: 'Checkout down', rootCause: '  Null pointer  ' });
    checkModalLimits(view);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'root_cause', private_metadata: 'rb_01HZX', title: { text: 'Root cause' }, submit: { text: 'Save' } });
    expect(inputIds(view)).toEqual(['impact/impact_input', 'cause/cause_input', 'prevention/prevention_input']);
    for (const block of inputs(view)) {
      expect(block.optional).toBe(true);
      expect(block.element).toMatchObject({ type: 'plain_text_input', multiline: true, max_length: 3000 });
    }
    expect(inputs(view).map((b) => (b.element.type === 'plain_text_input' ? b.element.initial_value : 'x'))).toEqual(['Checkout down', 'Null pointer', undefined]);
  });

  it('cuts an over-long recorded value to what the input accepts', () => {
    const view = rootCauseModal('rb_1', { prevention: 'p'.repeat(5000) });
    checkModalLimits(view);
    expect(inputs(view)[2]!.element).toMatchObject({ initial_value: 'p'.repeat(3000) });
  });

  it('round-trips: what is typed comes back trimmed, blanks absent', () => {
    const view = rootCauseModal('rb_01HZX');
    const submitted = submit(view, { impact_input: { value: ' 12% of checkouts failed ' }, cause_input: { value: 'Tax service null' }, prevention_input: { value: '   ' } });
    expect(parseRootCause(submitted)).toEqual({ rollbackId: 'rb_01HZX', impact: '12% of checkouts failed', rootCause: 'Tax service null' });
  });

  it('parses the recorded Slack fixture', () => {
    expect(parseRootCause(FIXTURE_VIEW)).toEqual({
      rollbackId: 'rb_01HZX',
      impact: 'Checkout failed for 12% of users for 9 minutes',
      rootCause: 'Null pointer in the new tax calculation',
      prevention: 'Contract test for tax service',
    });
  });

  it('a submission without its rollback id is refused with a message a person can act on', () => {
    const submitted = submit(rootCauseModal('rb_1'), { impact_input: { value: 'x' } });
    for (const view of [{ ...submitted, private_metadata: '' }, { state: submitted.state }]) {
      expect(() => parseRootCause(view)).toThrow(ModalSubmissionError);
      try {
        parseRootCause(view);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ModalSubmissionError).userMessage).toMatch(/Add root cause/);
      }
    }
  });
});

describe('requestModal / parseRequestSubmission', () => {
  const view = requestModal({ services: SERVICES, defaultSeverity: 'medium', channelId: 'C0INCIDENT' });

  it('builds the form: ids, labels, defaults, within limits', () => {
    checkModalLimits(view);
    expect(view).toMatchObject({ callback_id: 'rollback_request', title: { text: 'Roll back' }, submit: { text: 'Request' } });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channelId: 'C0INCIDENT' });
    expect(inputIds(view)).toEqual(['service/service_select', 'environment/environment_input', 'release/release_select', 'severity/severity_select', 'reason/reason_input', 'dry_run/dry_run_check']);
    const [service, environment, release, severity, reason, dryRun] = inputs(view);
    expect(service!.optional).toBe(false);
    expect(service!.element).toMatchObject({ type: 'static_select', options: [{ value: 'checkout-api' }, { value: 'search' }] });
    expect(environment).toMatchObject({ optional: true, hint: { text: "blank = the service's first environment" }, element: { type: 'plain_text_input' } });
    expect(release).toMatchObject({ optional: true, hint: { text: 'blank = last stable release' }, element: { type: 'external_select', min_query_length: 0 } });
    expect(severity!.element).toMatchObject({ type: 'static_select', initial_option: { value: 'medium' } });
    expect(severity!.element.type === 'static_select' && severity!.element.options!.map((o) => o.value)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(reason).toMatchObject({ optional: true, element: { type: 'plain_text_input', multiline: true, max_length: 2000 } });
    expect(dryRun).toMatchObject({ optional: true, element: { type: 'checkboxes' } });
  });

  it('round-trips every field', () => {
    const submitted = submit(view, {
      service_select: { selected_option: { value: 'checkout-api' } },
      environment_input: { value: ' staging ' },
      release_select: { selected_option: { value: '2.4.0' } },
      severity_select: { selected_option: { value: 'critical' } },
      reason_input: { value: ' 500s on checkout ' },
      dry_run_check: { selected_options: [{ value: 'dry_run' }] },
    });
    expect(parseRequestSubmission(submitted)).toEqual({
      service: 'checkout-api',
      environment: 'staging',
      targetRelease: '2.4.0',
      severity: 'critical',
      reason: '500s on checkout',
      dryRun: true,
      channelId: 'C0INCIDENT',
    });
  });

  it('leaves out what was left blank', () => {
    const bare = requestModal({ services: SERVICES, defaultSeverity: 'high' });
    const submitted = submit(bare, { service_select: { selected_option: { value: 'search' } }, severity_select: { selected_option: { value: 'high' } } });
    expect(parseRequestSubmission(submitted)).toEqual({ service: 'search', severity: 'high', dryRun: false });
  });

  it('refuses a missing service or an unknown severity, naming the input at fault', () => {
    const noService = submit(view, { severity_select: { selected_option: { value: 'high' } } });
    expect(() => parseRequestSubmission(noService)).toThrow(expect.objectContaining({ fieldErrors: { service: 'Choose a service.' } }));
    const badSeverity = submit(view, { service_select: { selected_option: { value: 'search' } }, severity_select: { selected_option: { value: 'sev1' } } });
    expect(() => parseRequestSubmission(badSeverity)).toThrow(ModalSubmissionError);
    expect(() => parseRequestSubmission(badSeverity)).toThrow(/critical, high, medium, low/);
  });

  it('ignores private_metadata that is not its JSON', () => {
    const submitted = { ...submit(view, { service_select: { selected_option: { value: 'search' } }, severity_select: { selected_option: { value: 'low' } } }), private_metadata: 'rb_x' };
    expect(parseRequestSubmission(submitted)).not.toHaveProperty('channelId');
  });

  it('lists at most 100 services and says the rest exist', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ name: `service-${i}-${'x'.repeat(60)}`.slice(0, 63), environments: ['production'] }));
    const big = requestModal({ services: many, defaultSeverity: 'high' });
    checkModalLimits(big);
    expect(inputs(big)[0]!.hint?.text).toMatch(/first 100 of 150/);
  });

  it('with no services, explains instead of offering an empty select', () => {
    const empty = requestModal({ services: [], defaultSeverity: 'high' });
    checkModalLimits(empty);
    expect(inputs(empty)).toHaveLength(0);
    expect(empty.submit).toBeUndefined();
  });
});

describe('releaseOptions', () => {
  const releases = Array.from({ length: 150 }, (_, i) => ({ id: `deploy-${i}`, version: `2.${149 - i}.0`, deployedAt: '2026-11-20T14:02:00Z', description: 'd'.repeat(200) }));

  it('excludes the live release and keeps to 100 options of 75 characters', () => {
    const { options } = releaseOptions(releases, releases[0], '');
    expect(options).toHaveLength(100);
    expect(options.map((o) => o.value)).not.toContain('2.149.0');
    expect(options[0]).toMatchObject({ value: '2.148.0', text: { type: 'plain_text', text: expect.stringMatching(/^2\.148\.0 · 2026-11-20 14:02:00 UTC · d+…$/) } });
    for (const option of options) expect(option.text.text.length).toBeLessThanOrEqual(75);
  });

  it('offers a side whose release is unknown by its environment name, as --to takes it', () => {
    const blue = unknownRelease('blue', 'no history entry for blue', 'idle');
    expect(releaseOptions([RELEASES.bad, blue], RELEASES.bad, '').options.map((o) => o.value)).toEqual(['blue']);
  });

  it('filters by what was typed, case-insensitively, on version, id and description', () => {
    expect(releaseOptions([RELEASES.bad, RELEASES.good], RELEASES.bad, '2.4').options.map((o) => o.value)).toEqual(['2.4.0']);
    expect(releaseOptions([RELEASES.bad, RELEASES.good], undefined, 'RETRY').options.map((o) => o.value)).toEqual(['2.4.0']);
    expect(releaseOptions([RELEASES.bad, RELEASES.good], undefined, 'green-').options.map((o) => o.value)).toEqual(['2.4.1']);
    expect(releaseOptions([RELEASES.bad, RELEASES.good], undefined, 'nothing like it').options).toEqual([]);
  });

  it('shows the slot, deploy time and description in the option text', () => {
    expect(releaseOptions([RELEASES.bad, RELEASES.good], RELEASES.bad, '').options).toEqual([
      { text: { type: 'plain_text', text: '2.4.0 (blue) · 2026-11-20 14:02:00 UTC · checkout: retry on card timeouts', emoji: true }, value: '2.4.0' },
    ]);
  });
});
