/**
 * Slack modals (the root-cause form, the rollback request form) and the parsers of their submissions,
 * block and action ids fixed here on both sides so a form and its parser cannot drift apart.
 */
import type { InputBlock, InputBlockElement, ModalView, PlainTextElement, PlainTextInput, PlainTextOption } from '@slack/types';
import { ValidationError } from '../../domain/errors';
import { isCurrentRelease, releaseLabel, releaseRef, type Release } from '../../domain/release';
import { SEVERITIES, Severity } from '../../domain/severity';
import { formatTimestamp } from '../../messages/formatting';

/** Slack's modal limits (FACTS.md and the Block Kit reference). */
const MAX = { options: 100, optionText: 75, optionValue: 150, textInput: 3000, reason: 2000 } as const;

export const ROOT_CAUSE_CALLBACK_ID = 'root_cause';
export const REVIEW_NOTE_CALLBACK_ID = 'review_note';
export const REQUEST_CALLBACK_ID = 'rollback_request';
const DRY_RUN_VALUE = 'dry_run';

/** One input's state in a `view_submission` payload, as Slack sends it (Bolt's `ViewStateValue` fits). */
export interface SubmittedValue {
  value?: string | null | undefined;
  selected_option?: { value?: string | undefined } | null | undefined;
  selected_options?: { value?: string | undefined }[] | undefined;
}

/** The part of a submitted view the parsers read (Bolt's `ViewOutput` fits). */
export interface SubmittedView {
  private_metadata?: string | undefined;
  state: { values: Record<string, Record<string, SubmittedValue>> };
}

/**
 * A submission Rewind cannot use. `fieldErrors` maps block ids to messages, ready for a
 * `response_action: 'errors'` reply; it is empty when no single input is at fault.
 */
export class ModalSubmissionError extends ValidationError {
  constructor(userMessage: string, readonly fieldErrors: Record<string, string> = {}) {
    super(userMessage, Object.values(fieldErrors));
  }
}

/** What the root-cause form holds; a stored `Postmortem` can be passed as is to prefill it. */
export interface PostmortemInput {
  impact?: string | undefined;
  rootCause?: string | undefined;
  prevention?: string | undefined;
}

export interface RequestSubmission {
  service: string;
  environment?: string;
  targetRelease?: string;
  severity: Severity;
  reason?: string;
  dryRun: boolean;
  channelId?: string;
}

function plain(text: string): PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

/** Slack rejects the whole view when an option text is over 75 characters. */
function option(text: string, value: string): PlainTextOption {
  return { text: plain(text.length <= MAX.optionText ? text : `${text.slice(0, MAX.optionText - 1)}…`), value };
}

function input(blockId: string, label: string, element: InputBlockElement, extra: { optional?: boolean; hint?: string } = {}): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    optional: extra.optional ?? false,
    ...(extra.hint ? { hint: plain(extra.hint) } : {}),
  };
}

function textArea(actionId: string, maxLength: number, initial: string | undefined, placeholder?: string): PlainTextInput {
  const value = initial?.trim().slice(0, maxLength);
  return {
    type: 'plain_text_input',
    action_id: actionId,
    multiline: true,
    max_length: maxLength,
    ...(value ? { initial_value: value } : {}),
    ...(placeholder ? { placeholder: plain(placeholder) } : {}),
  };
}

function modal(callbackId: string, title: string, submit: string | undefined, privateMetadata: string, blocks: ModalView['blocks']): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title),
    ...(submit ? { submit: plain(submit) } : {}),
    close: plain('Cancel'),
    private_metadata: privateMetadata,
    blocks,
  };
}

/** Trimmed text of one input; blank counts as not given. */
function textOf(view: SubmittedView, blockId: string, actionId: string): string | undefined {
  return view.state.values[blockId]?.[actionId]?.value?.trim() || undefined;
}

function selectedOf(view: SubmittedView, blockId: string, actionId: string): string | undefined {
  return view.state.values[blockId]?.[actionId]?.selected_option?.value || undefined;
}

/** Customer impact, root cause and prevention, prefilled with what was recorded before. */
export function rootCauseModal(rollbackId: string, existing: PostmortemInput = {}): ModalView {
  return modal(ROOT_CAUSE_CALLBACK_ID, 'Root cause', 'Save', rollbackId, [
    input('impact', 'Customer impact', textArea('impact_input', MAX.textInput, existing.impact, 'Who was affected, how, and for how long'), { optional: true }),
    input('cause', 'Root cause', textArea('cause_input', MAX.textInput, existing.rootCause, 'What broke, and why'), { optional: true }),
    input('prevention', 'Prevention', textArea('prevention_input', MAX.textInput, existing.prevention, 'What will stop it happening again'), { optional: true }),
  ]);
}

export function parseRootCause(view: SubmittedView): { rollbackId: string; impact?: string; rootCause?: string; prevention?: string } {
  const rollbackId = view.private_metadata?.trim();
  if (!rollbackId) throw new ModalSubmissionError('This form lost track of its rollback. Close it and use Add root cause on the summary again.');
  const impact = textOf(view, 'impact', 'impact_input');
  const rootCause = textOf(view, 'cause', 'cause_input');
  const prevention = textOf(view, 'prevention', 'prevention_input');
  return { rollbackId, ...(impact ? { impact } : {}), ...(rootCause ? { rootCause } : {}), ...(prevention ? { prevention } : {}) };
}

/** "Add note" on a break-glass review card: one text area, the rollback id in the metadata. */
export function reviewNoteModal(rollbackId: string): ModalView {
  return modal(REVIEW_NOTE_CALLBACK_ID, 'Review note', 'Add note', rollbackId, [
    input('note', 'Note', textArea('note_input', MAX.textInput, undefined, 'What the review found, or why this could not wait for approval'), {
      hint: 'Kept with the rollback: in its review card, the post-mortem draft and the history exports.',
    }),
  ]);
}

export function parseReviewNote(view: SubmittedView): { rollbackId: string; note: string } {
  const rollbackId = view.private_metadata?.trim();
  if (!rollbackId) throw new ModalSubmissionError('This form lost track of its rollback. Close it and use Add note on the review card again.');
  const note = textOf(view, 'note', 'note_input');
  if (!note) throw new ModalSubmissionError('Write the note, or close the form.', { note: 'Write the note, or close the form.' });
  if (note.length > MAX.textInput) throw new ModalSubmissionError(`The note is over ${MAX.textInput.toLocaleString('en-US')} characters.`, { note: 'Shorten the note.' });
  return { rollbackId, note };
}

export interface RequestModalOptions {
  services: { name: string; environments: string[] }[];
  defaultSeverity: Severity;
  /** Where the form was opened; the request's thread goes there. */
  channelId?: string;
}

/**
 * The `/rollback` form. Environment is free text because one select cannot follow the chosen service;
 * releases load from the provider (external select) once a service is chosen.
 */
export function requestModal(options: RequestModalOptions): ModalView {
  const metadata = JSON.stringify(options.channelId ? { channelId: options.channelId } : {});
  const services = options.services.slice(0, MAX.options);
  if (services.length === 0) {
    return modal(REQUEST_CALLBACK_ID, 'Roll back', undefined, metadata, [
      { type: 'section', block_id: 'no_services', text: plain('No services are configured in the catalog, so there is nothing to roll back.') },
    ]);
  }
  const serviceOptions = services.map((s) => option(s.name, s.name));
  const [only] = serviceOptions;
  const more = options.services.length - services.length;
  const severityOptions = SEVERITIES.map((s) => option(s.charAt(0).toUpperCase() + s.slice(1), s));
  const initialSeverity = severityOptions.find((o) => o.value === options.defaultSeverity);
  const example = services.find((s) => s.environments.length > 0)?.environments[0];
  return modal(REQUEST_CALLBACK_ID, 'Roll back', 'Request', metadata, [
    input(
      'service',
      'Service',
      { type: 'static_select', action_id: 'service_select', placeholder: plain('Choose a service'), options: serviceOptions, ...(serviceOptions.length === 1 && only ? { initial_option: only } : {}) },
      more > 0 ? { hint: `The first ${MAX.options} of ${options.services.length} services; type /rollback <service> for the others.` } : {},
    ),
    input(
      'environment',
      'Environment',
      { type: 'plain_text_input', action_id: 'environment_input', max_length: 63, ...(example ? { placeholder: plain(`e.g. ${example}`.slice(0, 150)) } : {}) },
      { optional: true, hint: "blank = the service's first environment" },
    ),
    input('release', 'Roll back to', { type: 'external_select', action_id: 'release_select', min_query_length: 0, placeholder: plain('Choose a release') }, { optional: true, hint: 'blank = last stable release' }),
    input('severity', 'Severity', { type: 'static_select', action_id: 'severity_select', options: severityOptions, ...(initialSeverity ? { initial_option: initialSeverity } : {}) }),
    input('reason', 'Reason', textArea('reason_input', MAX.reason, undefined, 'What is broken: shown in the notification and kept in the history'), { optional: true }),
    input(
      'dry_run',
      'Dry run',
      { type: 'checkboxes', action_id: 'dry_run_check', options: [option('Only show what would happen; change nothing', DRY_RUN_VALUE)] },
      { optional: true },
    ),
  ]);
}

/** The channel the form was opened in; metadata that is not ours reads as none. */
function channelOf(view: SubmittedView): string | undefined {
  try {
    const parsed: unknown = JSON.parse(view.private_metadata ?? '');
    const channelId = typeof parsed === 'object' && parsed !== null ? (parsed as { channelId?: unknown }).channelId : undefined;
    return typeof channelId === 'string' && channelId ? channelId : undefined;
  } catch {
    return undefined;
  }
}

export function parseRequestSubmission(view: SubmittedView): RequestSubmission {
  const service = selectedOf(view, 'service', 'service_select');
  if (!service) throw new ModalSubmissionError('Choose a service to roll back.', { service: 'Choose a service.' });
  const severity = Severity.safeParse(selectedOf(view, 'severity', 'severity_select'));
  if (!severity.success) {
    throw new ModalSubmissionError(`Choose a severity: ${SEVERITIES.join(', ')}.`, { severity: `Choose one of ${SEVERITIES.join(', ')}.` });
  }
  const environment = textOf(view, 'environment', 'environment_input');
  const targetRelease = selectedOf(view, 'release', 'release_select');
  const reason = textOf(view, 'reason', 'reason_input');
  const channelId = channelOf(view);
  const dryRun = (view.state.values['dry_run']?.['dry_run_check']?.selected_options ?? []).some((o) => o.value === DRY_RUN_VALUE);
  return {
    service,
    ...(environment ? { environment } : {}),
    ...(targetRelease ? { targetRelease } : {}),
    severity: severity.data,
    ...(reason ? { reason } : {}),
    dryRun,
    ...(channelId ? { channelId } : {}),
  };
}

/** `2.4.0 (blue) · 2026-11-20 14:02:00 UTC · checkout: retry on card timeouts`, cut to fit an option. */
function releaseText(release: Release): string {
  const deployed = release.deployedAt && Number.isFinite(Date.parse(release.deployedAt)) ? formatTimestamp(Date.parse(release.deployedAt)) : undefined;
  return [releaseLabel(release), deployed, release.status, release.description].filter(Boolean).join(' · ');
}

/**
 * Options for the release select (a `block_suggestion` reply): the releases matching what was typed,
 * without the live one (rolling back to it would change nothing). The value is the version, as `--to` takes it.
 */
export function releaseOptions(releases: readonly Release[], current: Release | undefined, query: string): { options: PlainTextOption[] } {
  const typed = query.trim().toLowerCase();
  const matches = (release: Release) => !typed || [release.version, release.id, release.description ?? ''].some((text) => text.toLowerCase().includes(typed));
  const options = releases
    .filter((release) => (current === undefined || !isCurrentRelease(release, current)) && matches(release) && releaseRef(release).length <= MAX.optionValue)
    .slice(0, MAX.options)
    .map((release) => option(releaseText(release), releaseRef(release)));
  return { options };
}
