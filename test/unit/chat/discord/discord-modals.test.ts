/** Discord root-cause modal: the form stays within Discord's modal limits and its MODAL_SUBMIT data parses back into what was typed. */
import type { APIModalInteractionResponse, APIModalSubmission, APITextInputComponent } from 'discord-api-types/v10';
import { DiscordModalError, parseRootCauseSubmission, rootCauseModal, type ModalSubmitData } from '../../../../src/chat/discord/discord-modals';
import { parseCustomId } from '../../../../src/chat/discord/embed-renderer';
import { ValidationError } from '../../../../src/domain/errors';
import type { Postmortem } from '../../../../src/domain/rollback-record';
import { ACTORS, T0 } from '../../../support/record-factory';

const ID = 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7';

/** The text inputs of a modal built from action rows, in order. */
function inputsOf(modal: APIModalInteractionResponse): APITextInputComponent[] {
  return modal.data.components.flatMap((row) => (row.type === 1 ? row.components.filter((c): c is APITextInputComponent => c.type === 4) : []));
}

/** Discord's modal limits (discord.com/developers/docs/components/reference), asserted on a whole response. */
function checkModalLimits(modal: APIModalInteractionResponse): void {
  expect(modal.type).toBe(9);
  expect(modal.data.custom_id.length).toBeGreaterThan(0);
  expect(modal.data.custom_id.length).toBeLessThanOrEqual(100);
  expect(modal.data.title.length).toBeGreaterThan(0);
  expect(modal.data.title.length).toBeLessThanOrEqual(45);
  expect(modal.data.components.length).toBeGreaterThan(0);
  expect(modal.data.components.length).toBeLessThanOrEqual(5);
  for (const row of modal.data.components) {
    expect(row.type).toBe(1);
    if (row.type === 1) expect(row.components).toHaveLength(1);
  }
  const inputs = inputsOf(modal);
  expect(inputs).toHaveLength(modal.data.components.length);
  for (const input of inputs) {
    expect(input.custom_id.length).toBeLessThanOrEqual(100);
    expect((input.label ?? '').length).toBeGreaterThan(0);
    expect((input.label ?? '').length).toBeLessThanOrEqual(45);
    expect((input.placeholder ?? '').length).toBeLessThanOrEqual(100);
    expect(input.max_length).toBeGreaterThanOrEqual(1);
    expect(input.max_length).toBeLessThanOrEqual(4000);
    if (input.value !== undefined) expect(input.value.length).toBeLessThanOrEqual(input.max_length!);
  }
  const ids = inputs.map((i) => i.custom_id);
  expect(new Set(ids).size).toBe(ids.length);
}

/** MODAL_SUBMIT `data` as Discord sends it: the modal's custom_id, one action row per input, each with type, custom_id and value ('' when left empty). */
function submit(modal: APIModalInteractionResponse, answers: Record<string, string>): APIModalSubmission {
  return {
    custom_id: modal.data.custom_id,
    components: inputsOf(modal).map((input) => ({ type: 1, components: [{ type: 4, custom_id: input.custom_id, value: answers[input.custom_id] ?? '' }] })),
  };
}

describe('rootCauseModal', () => {
  it('builds a type 9 response with three optional paragraph inputs: impact, cause, prevention', () => {
    const modal = rootCauseModal(ID);
    checkModalLimits(modal);
    expect(modal.data.custom_id).toBe(`rewind:root_cause_form:${ID}`);
    expect(modal.data.title).toBe('Root cause');
    expect(inputsOf(modal)).toEqual([
      expect.objectContaining({ type: 4, custom_id: 'impact', style: 2, label: 'Customer impact', required: false, max_length: 3000 }),
      expect.objectContaining({ type: 4, custom_id: 'cause', style: 2, label: 'Root cause', required: false, max_length: 3000 }),
      expect.objectContaining({ type: 4, custom_id: 'prevention', style: 2, label: 'Prevention', required: false, max_length: 3000 }),
    ]);
    for (const input of inputsOf(modal)) expect(input).not.toHaveProperty('value');
  });

  it('prefills from a stored postmortem, trimmed, blanks left empty', () => {
    const stored: Postmortem = { impact: 'Checkout down', rootCause: '  Null pointer  ', prevention: '   ', by: ACTORS.lead, at: T0 };
    const modal = rootCauseModal(ID, stored);
    checkModalLimits(modal);
    expect(inputsOf(modal).map((i) => i.value)).toEqual(['Checkout down', 'Null pointer', undefined]);
  });

  it('cuts an over-long recorded value to what the input accepts, never splitting an emoji', () => {
    const plain = rootCauseModal(ID, { prevention: 'p'.repeat(5000) });
    checkModalLimits(plain);
    expect(inputsOf(plain)[2]!.value).toBe('p'.repeat(3000));
    const emoji = rootCauseModal(ID, { impact: `${'x'.repeat(2999)}🚨🚨` });
    checkModalLimits(emoji);
    expect(inputsOf(emoji)[0]!.value).toBe('x'.repeat(2999));
  });

  it('its custom_id is not a button id, so a button handler never mistakes the form for a click', () => {
    expect(parseCustomId(rootCauseModal(ID).data.custom_id)).toBeUndefined();
  });

  it('refuses a rollback id that would not fit the custom_id, rather than cut it', () => {
    expect(() => rootCauseModal(`rb_${'x'.repeat(80)}`)).toThrow(DiscordModalError);
    expect(() => rootCauseModal('')).toThrow(DiscordModalError);
  });
});

describe('parseRootCauseSubmission', () => {
  it('round-trips: what is typed comes back trimmed, blanks absent', () => {
    const modal = rootCauseModal(ID);
    const data = submit(modal, { impact: ' 12% of checkouts failed for 9 minutes ', cause: 'Tax service null\nin the new engine', prevention: '   ' });
    expect(parseRootCauseSubmission(data)).toEqual({ rollbackId: ID, impact: '12% of checkouts failed for 9 minutes', rootCause: 'Tax service null\nin the new engine' });
  });

  it('round-trips every field, prefilled values submitted unchanged', () => {
    const modal = rootCauseModal(ID, { impact: 'I', rootCause: 'C', prevention: 'P' });
    const answers = Object.fromEntries(inputsOf(modal).map((i) => [i.custom_id, i.value ?? '']));
    expect(parseRootCauseSubmission(submit(modal, answers))).toEqual({ rollbackId: ID, impact: 'I', rootCause: 'C', prevention: 'P' });
  });

  it('with nothing typed, only the rollback id comes back', () => {
    expect(parseRootCauseSubmission(submit(rootCauseModal(ID), {}))).toEqual({ rollbackId: ID });
  });

  it("also reads Discord's label layout and ignores inputs it does not know", () => {
    const data: APIModalSubmission = {
      custom_id: `rewind:root_cause_form:${ID}`,
      components: [
        { type: 18, component: { type: 4, custom_id: 'cause', value: 'Bad config' } },
        { type: 18, component: { type: 3, custom_id: 'cause_kind', values: ['config'] } },
        { type: 1, components: [{ type: 4, custom_id: 'other', value: 'ignored' }] },
      ],
    };
    expect(parseRootCauseSubmission(data)).toEqual({ rollbackId: ID, rootCause: 'Bad config' });
  });

  it('refuses a form that is not the root-cause form, or lost its rollback id, with a typed error a person can act on', () => {
    const answers = { components: [{ components: [{ custom_id: 'impact', value: 'x' }] }] };
    for (const customId of ['approve:rb_01HZX', `rewind:approve:${ID}`, 'rewind:root_cause_form:', 'rewind:root_cause_form:   ']) {
      const data: ModalSubmitData = { custom_id: customId, ...answers };
      expect(() => parseRootCauseSubmission(data)).toThrow(DiscordModalError);
      try {
        parseRootCauseSubmission(data);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as DiscordModalError).code).toBe('validation');
        expect((error as DiscordModalError).userMessage).toMatch(/root-cause form|Add root cause/);
      }
    }
  });

  it('refuses a value longer than the form allows instead of storing a cut one', () => {
    const data = submit(rootCauseModal(ID), { impact: 'i'.repeat(3001) });
    expect(() => parseRootCauseSubmission(data)).toThrow(/Customer impact is over 3,000 characters/);
  });
});
