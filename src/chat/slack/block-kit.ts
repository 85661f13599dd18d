/**
 * The neutral Message as Slack Block Kit, within every hard limit Slack enforces (a payload over one
 * is rejected whole), with all text escaped so user input can never ping anyone or form a link.
 */
import type { ActionsBlock, Button as SlackButton, ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { BUTTON_ACTIONS, type Button, type ButtonAction, type ChecklistItem, type Field, type Message, type Section } from '../../domain/message';
import { CHECK_MARKS, TONE_MARKS, truncationMarker } from '../chat-marks';

/** Slack's own limits (FACTS.md); lengths are UTF-16 units, which never undercount Slack's characters. */
const MAX = {
  blocks: 50,
  text: 3000,
  fieldsPerSection: 10,
  field: 2000,
  header: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  fallback: 3000,
} as const;



const ACTION_PREFIX = 'rewind:';

/** Slack's control characters; with them escaped, `<!channel>` or `<@U1>` is shown, never acted on. Backticks stay, so code spans work. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The action a button's `action_id` stands for, ignoring the `:2` that keeps ids unique; undefined if it is not Rewind's. */
export function parseActionId(actionId: string): ButtonAction | undefined {
  const action = /^rewind:([a-z_]+)(?::\d+)?$/.exec(actionId)?.[1];
  return BUTTON_ACTIONS.find((known) => known === action);
}


/** An index to cut at that splits neither a surrogate pair nor an `&amp;`-style entity. */
function safeEnd(text: string, end: number): number {
  let at = end;
  const amp = text.lastIndexOf('&', at - 1);
  if (amp >= 0 && at - amp < 5 && !text.slice(amp, at).includes(';')) at = amp;
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/** Plain text cut with a bare ellipsis: headers and button labels have no room for a pointer. */
function cutPlain(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, safeEnd(text, max - 1)).trimEnd()}…`;
}

/**
 * Escaped mrkdwn kept to `max`: whole lines where a line boundary keeps at least half of the room,
 * else cut mid-line; an unclosed code span is closed, and the marker says where the rest is.
 */
function cutMrkdwn(text: string, max: number, marker: string): string {
  if (text.length <= max) return text;
  if (marker.length + 2 >= max) return cutPlain(text, max);
  const room = max - marker.length - 2;
  const newline = text.lastIndexOf('\n', room);
  const atLine = newline >= room / 2;
  let kept = text.slice(0, atLine ? newline : safeEnd(text, room)).trimEnd();
  const lastLine = kept.slice(kept.lastIndexOf('\n') + 1);
  if ((lastLine.match(/`/g)?.length ?? 0) % 2 === 1) kept += '`';
  return `${kept}${atLine ? '\n' : ''}${marker}`;
}

/** `verbatim` stops Slack's own preprocessing (bare `@channel`, channel names) on top of the escaping. */
function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** Escaped text, never empty (Slack rejects an empty text object). */
function block(text: string, max: number, marker: string): MrkdwnElement {
  return mrkdwn(cutMrkdwn(text || '—', max, marker));
}

function fieldText(field: Field): string {
  const label = field.label.trim() ? `*${escapeMrkdwn(field.label)}*` : '';
  return [label, escapeMrkdwn(field.value)].filter(Boolean).join('\n');
}

function checklistLine(item: ChecklistItem): string {
  return `${CHECK_MARKS[item.status]} ${escapeMrkdwn(item.label)}${item.detail ? ` — ${escapeMrkdwn(item.detail)}` : ''}`;
}

function sectionText(section: Section): string {
  return [
    section.heading ? `*${escapeMrkdwn(section.heading)}*` : undefined,
    section.text ? escapeMrkdwn(section.text) : undefined,
    ...(section.checklist ?? []).map(checklistLine),
  ]
    .filter((line): line is string => Boolean(line))
    .join('\n');
}

function fieldBlocks(fields: readonly Field[], marker: string): SectionBlock[] {
  const out: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += MAX.fieldsPerSection) {
    const chunk = fields.slice(i, i + MAX.fieldsPerSection);
    out.push({ type: 'section', block_id: `fields_${out.length + 1}`, fields: chunk.map((f) => block(fieldText(f), MAX.field, marker)) });
  }
  return out;
}

/** One action_id per action, `:2`, `:3` on repeats, because Slack refuses duplicates within a message. */
function actionsBlock(buttons: readonly Button[]): ActionsBlock | undefined {
  const seen = new Map<ButtonAction, number>();
  const elements: SlackButton[] = [];
  // A value cannot be shortened without pointing at something else, so an oversized one drops its button.
  for (const button of buttons.filter((b) => b.value.length <= MAX.buttonValue).slice(0, MAX.actionsElements)) {
    const n = (seen.get(button.action) ?? 0) + 1;
    seen.set(button.action, n);
    elements.push({
      type: 'button',
      action_id: `${ACTION_PREFIX}${button.action}${n > 1 ? `:${n}` : ''}`,
      text: { type: 'plain_text', text: cutPlain(button.label, MAX.buttonText), emoji: true },
      value: button.value,
      ...(button.style === 'secondary' ? {} : { style: button.style }),
    });
  }
  return elements.length > 0 ? { type: 'actions', block_id: 'actions', elements } : undefined;
}

/** Up to ten elements; the lines past the ninth share the tenth. */
function footerBlock(footer: readonly string[], marker: string): ContextBlock | undefined {
  if (footer.length === 0) return undefined;
  const keep = MAX.contextElements - 1;
  const lines = footer.length <= MAX.contextElements ? footer : [...footer.slice(0, keep), footer.slice(keep).join(' · ')];
  return { type: 'context', block_id: 'footer', elements: lines.map((line) => block(escapeMrkdwn(line), MAX.text, marker)) };
}

/**
 * Sections fill what the other blocks leave of the 50; when they do not all fit, the last slot says how
 * many were left out. Fields are capped first so at least that note always has room.
 */
function budgetSections(fixed: number, fields: SectionBlock[], sections: SectionBlock[], marker: string): { fields: SectionBlock[]; sections: SectionBlock[] } {
  const keptFields = fields.slice(0, MAX.blocks - fixed - 1);
  const room = MAX.blocks - fixed - keptFields.length;
  if (keptFields.length === fields.length && sections.length <= room) return { fields, sections };
  const kept = sections.slice(0, room - 1);
  const hidden = fields.length - keptFields.length + sections.length - kept.length;
  const note = `*${hidden} more ${hidden === 1 ? 'part' : 'parts'} of this message left out*\n${marker}`;
  return { fields: keptFields, sections: [...kept, { type: 'section', block_id: 'omitted', text: block(note, MAX.text, marker) }] };
}

/** Slack's mention syntax for a user group (`S…`) or a user (`U…`, `W…`), as the catalog names them (ids it has validated). */
export function slackMention(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

export interface RenderOptions {
  /**
   * The on-call to notify (`slackMention`): shown under the title and put first in `text`, which
   * Slack uses for the notification. The only mention Rewind ever writes; everything else is escaped.
   */
  mention?: string;
}

export function renderMessage(message: Message, options: RenderOptions = {}): { text: string; blocks: KnownBlock[] } {
  const marker = truncationMarker(message);
  const header: HeaderBlock = { type: 'header', block_id: 'header', text: { type: 'plain_text', text: cutPlain(`${TONE_MARKS[message.tone]} ${message.title}`, MAX.header), emoji: true } };
  const mention: SectionBlock | undefined = options.mention ? { type: 'section', block_id: 'mention', text: { type: 'mrkdwn', text: `${options.mention} (on call)` } } : undefined;
  const lead: SectionBlock | undefined = message.text ? { type: 'section', block_id: 'text', text: block(escapeMrkdwn(message.text), MAX.text, marker) } : undefined;
  const sections = message.sections
    .map(sectionText)
    .filter(Boolean)
    .map((text, i): SectionBlock => ({ type: 'section', block_id: `section_${i + 1}`, text: block(text, MAX.text, marker) }));
  const actions = actionsBlock(message.buttons);
  const footer = footerBlock(message.footer, marker);
  const fixed = [header, mention, lead, actions, footer].filter(Boolean).length;
  const body = budgetSections(fixed, fieldBlocks(message.fields, marker), sections, marker);
  const blocks = [header, mention, lead, ...body.fields, ...body.sections, actions, footer].filter((b) => b !== undefined);
  const fallback = escapeMrkdwn(message.fallback);
  return { text: cutMrkdwn(options.mention ? `${options.mention} ${fallback}` : fallback, MAX.fallback, marker), blocks };
}
