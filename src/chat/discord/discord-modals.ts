/**
 * The Discord root-cause form (a MODAL interaction response) and the parser of its submission, with the
 * custom ids fixed here on both sides so the form and its parser cannot drift apart.
 */
import {
  ComponentType,
  InteractionResponseType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIModalInteractionResponse,
  type APITextInputComponent,
} from 'discord-api-types/v10';
import { ValidationError } from '../../domain/errors';
import type { Postmortem } from '../../domain/rollback-record';

/** custom_id is Discord's limit; 3,000 is what a Postmortem stores (Discord's text input allows 4,000). */
const MAX = { customId: 100, text: 3000 } as const;

export const ROOT_CAUSE_FORM_PREFIX = 'rewind:root_cause_form:';
export const REVIEW_NOTE_FORM_PREFIX = 'rewind:review_note_form:';

type PostmortemKey = 'impact' | 'rootCause' | 'prevention';

/** The three inputs: custom_id on the wire, the Postmortem key it fills, and what the person sees. */
const INPUTS: readonly { customId: string; key: PostmortemKey; label: string; placeholder: string }[] = [
  { customId: 'impact', key: 'impact', label: 'Customer impact', placeholder: 'Who was affected, how, and for how long' },
  { customId: 'cause', key: 'rootCause', label: 'Root cause', placeholder: 'What broke, and why' },
  { customId: 'prevention', key: 'prevention', label: 'Prevention', placeholder: 'What will stop it happening again' },
];

/** A root-cause submission Rewind cannot use (not its form, or no rollback id); `userMessage` is safe to show. */
export class DiscordModalError extends ValidationError {}

/** What the form holds; a stored `Postmortem` can be passed as is to prefill it. */
export type RootCauseInput = Partial<Pick<Postmortem, PostmortemKey>>;

export interface RootCauseSubmission {
  rollbackId: string;
  impact?: string;
  rootCause?: string;
  prevention?: string;
}

/** One submitted input; `value` is unknown because select-like components send other shapes. */
export interface SubmittedInput {
  custom_id: string;
  value?: unknown;
}

/**
 * The MODAL_SUBMIT `data` the parser reads: action rows (`components`) as this form is built, and also
 * label components (`component`), Discord's newer layout, so `APIModalSubmission` fits as is.
 */
export interface ModalSubmitData {
  custom_id: string;
  components: readonly { type?: number; components?: readonly SubmittedInput[] | undefined; component?: SubmittedInput | undefined }[];
}

/** Trimmed and kept to what the input accepts, never splitting a surrogate pair; blank is absent. */
function prefill(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  if (trimmed.length <= MAX.text) return trimmed;
  const high = trimmed.charCodeAt(MAX.text - 1);
  return trimmed.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX.text - 1 : MAX.text);
}

function textInput(input: (typeof INPUTS)[number], existing: RootCauseInput): APIActionRowComponent<APITextInputComponent> {
  const value = prefill(existing[input.key]);
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.TextInput,
        custom_id: input.customId,
        style: TextInputStyle.Paragraph,
        label: input.label,
        placeholder: input.placeholder,
        required: false,
        max_length: MAX.text,
        ...(value ? { value } : {}),
      },
    ],
  };
}

/** Customer impact, root cause and prevention, prefilled with what was recorded before. */
export function rootCauseModal(rollbackId: string, existing: RootCauseInput = {}): APIModalInteractionResponse {
  const customId = `${ROOT_CAUSE_FORM_PREFIX}${rollbackId}`;
  // The id is the only link back to the rollback, so it is never cut: an id that cannot fit is refused.
  if (!rollbackId.trim() || customId.length > MAX.customId) throw new DiscordModalError(`Cannot open the root-cause form for rollback \`${rollbackId}\`.`);
  return {
    type: InteractionResponseType.Modal,
    data: { custom_id: customId, title: 'Root cause', components: INPUTS.map((input) => textInput(input, existing)) },
  };
}

/** Every text input of a submission by custom_id, whether it came in an action row or a label. */
function submittedValues(data: ModalSubmitData): Map<string, string> {
  const values = new Map<string, string>();
  for (const row of data.components) {
    for (const input of [...(row.components ?? []), ...(row.component ? [row.component] : [])]) {
      if (typeof input.value === 'string') values.set(input.custom_id, input.value);
    }
  }
  return values;
}

export function parseRootCauseSubmission(data: ModalSubmitData): RootCauseSubmission {
  if (!data.custom_id.startsWith(ROOT_CAUSE_FORM_PREFIX)) throw new DiscordModalError('This form is not a Rewind root-cause form.');
  const rollbackId = data.custom_id.slice(ROOT_CAUSE_FORM_PREFIX.length).trim();
  if (!rollbackId) throw new DiscordModalError('This form lost track of its rollback. Close it and use Add root cause on the summary again.');
  const values = submittedValues(data);
  const out: RootCauseSubmission = { rollbackId };
  for (const input of INPUTS) {
    const value = values.get(input.customId)?.trim();
    if (!value) continue;
    // Discord enforces max_length; a longer value did not come from this form and would not fit a Postmortem.
    if (value.length > MAX.text) throw new DiscordModalError(`${input.label} is over ${MAX.text.toLocaleString('en-US')} characters; shorten it and submit again.`);
    out[input.key] = value;
  }
  return out;
}

/** "Add note" on a break-glass review card: one paragraph input. */
export function reviewNoteModal(rollbackId: string): APIModalInteractionResponse {
  const customId = `${REVIEW_NOTE_FORM_PREFIX}${rollbackId}`;
  if (!rollbackId.trim() || customId.length > MAX.customId) throw new DiscordModalError(`Cannot open the review note form for rollback \`${rollbackId}\`.`);
  return {
    type: InteractionResponseType.Modal,
    data: {
      custom_id: customId,
      title: 'Review note',
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.TextInput,
              custom_id: 'note',
              style: TextInputStyle.Paragraph,
              label: 'Note',
              placeholder: 'What the review found, or why this could not wait for approval',
              required: true,
              max_length: MAX.text,
            },
          ],
        },
      ],
    },
  };
}

export function isReviewNoteSubmission(data: Pick<ModalSubmitData, 'custom_id'>): boolean {
  return data.custom_id.startsWith(REVIEW_NOTE_FORM_PREFIX);
}

export function parseReviewNoteSubmission(data: ModalSubmitData): { rollbackId: string; note: string } {
  if (!isReviewNoteSubmission(data)) throw new DiscordModalError('This form is not a Rewind review note form.');
  const rollbackId = data.custom_id.slice(REVIEW_NOTE_FORM_PREFIX.length).trim();
  if (!rollbackId) throw new DiscordModalError('This form lost track of its rollback. Close it and use Add note on the review card again.');
  const note = submittedValues(data).get('note')?.trim();
  if (!note) throw new DiscordModalError('Write the note, or close the form.');
  if (note.length > MAX.text) throw new DiscordModalError(`The note is over ${MAX.text.toLocaleString('en-US')} characters; shorten it and submit again.`);
  return { rollbackId, note };
}
