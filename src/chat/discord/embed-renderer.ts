/**
 * The neutral Message as one Discord embed plus button rows, within every hard limit Discord enforces
 * (a message over one is rejected whole), with text escaped so user input can neither ping nor restyle.
 */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
} from 'discord-api-types/v10';
import { BUTTON_ACTIONS, type Button, type ButtonAction, type ChecklistItem, type Field, type Message, type Section, type Tone } from '../../domain/message';
import { CHECK_MARKS, TONE_MARKS, truncationMarker } from '../chat-marks';

/** Discord's own limits (FACTS.md); lengths are UTF-16 units, which never undercount Discord's characters. */
const MAX = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  embed: 6000,
  buttonLabel: 80,
  buttonsPerRow: 5,
  rows: 5,
  customId: 100,
} as const;

/** Under 6,000 in total the description gives way first, but never below this: past it, trailing fields go. */
const DESCRIPTION_FLOOR = 1500;


/** Discord's brand red, amber, green, blurple and grey. */
const TONE_COLORS: Readonly<Record<Tone, number>> = { danger: 0xed4245, warning: 0xfaa61a, success: 0x57f287, progress: 0x5865f2, info: 0x99aab5 };


const STYLES: Readonly<Record<Button['style'], APIButtonComponentWithCustomId['style']>> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  secondary: ButtonStyle.Secondary,
};

const CUSTOM_ID_PREFIX = 'rewind:';

/** Discord accepts an empty-looking field name only as a zero-width space. */
const BLANK = '\u200b';

/**
 * Who a message may ping: nobody (`parse: []`, on every message Rewind sends), or exactly the one
 * role or user the catalog names as on call.
 */
export type AllowedMentions = { parse: [] } | { parse: []; roles: [string] } | { parse: []; users: [string] };

export interface DiscordMessageBody {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: AllowedMentions;
}

/** A Discord role or user to notify. */
export interface DiscordMention {
  kind: 'role' | 'user';
  id: string;
}

/** The content that pings the on-call, and allowed_mentions limited to exactly them. */
export function mentionParts(mention: DiscordMention): { content: string; allowed_mentions: AllowedMentions } {
  return mention.kind === 'role'
    ? { content: `<@&${mention.id}> (on call)`, allowed_mentions: { parse: [], roles: [mention.id] } }
    : { content: `<@${mention.id}> (on call)`, allowed_mentions: { parse: [], users: [mention.id] } };
}

/** `rewind:<action>:<value>`: Discord buttons have no value of their own, so the id carries it. */
export function customIdFor(action: ButtonAction, value: string): string {
  return `${CUSTOM_ID_PREFIX}${action}:${value}`;
}

/** The inverse of `customIdFor`; undefined for ids that are not Rewind's (e.g. an unprefixed `approve:rb_1`). */
export function parseCustomId(customId: string): { action: ButtonAction; value: string } | undefined {
  const match = /^rewind:([a-z_]+):([\s\S]+)$/.exec(customId);
  const action = BUTTON_ACTIONS.find((known) => known === match?.[1]);
  return action && match?.[2] ? { action, value: match[2] } : undefined;
}

/** A zero-width space after the `@`: shown as written, never a ping, even where allowed_mentions is not honoured. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, '@\u200b$1');
}

/** Code spans (the templates' intentional markup) and URLs (a backslash would become part of the link) pass as they are. */
const VERBATIM = /`[^`\n]+`|https?:\/\/[^\s<>`]+/g;

/** A quote, heading or subtext marker at the start of a line. */
const LINE_START_MARKUP = /^[ \t]*(?=>|#{1,3}[ \t]|-#[ \t])/;

function escapeInline(text: string): string {
  return (
    text
      .replace(/[\\*_`]/g, '\\$&')
      // A single `~` or `|` is inert; only `~~` (strike) and `||` (spoiler) format.
      .replace(/~{2,}|\|{2,}/g, (run) => run.replace(/./g, '\\$&'))
      // `[text](url)` would be a masked link that hides where it goes.
      .replace(/\[(?=[^\]\n]*\]\()/g, '\\[')
  );
}

function escapeLine(line: string): string {
  let out = '';
  let last = 0;
  for (const match of line.matchAll(VERBATIM)) {
    out += escapeInline(line.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  out += escapeInline(line.slice(last));
  const indent = LINE_START_MARKUP.exec(line)?.[0];
  return indent === undefined ? out : `${indent}\\${out.slice(indent.length)}`;
}

/**
 * Discord markdown made inert outside code spans: `*`, `_`, backticks, `~~`, `||`, masked links and line-start
 * `>`/`#` are escaped, so a reason can neither restyle the message nor close a span a template opened.
 */
export function escapeMarkdown(text: string): string {
  return neutralizeMentions(text.split('\n').map(escapeLine).join('\n'));
}


/** An index to cut at that splits neither a surrogate pair nor a backslash escape. */
function safeEnd(text: string, end: number): number {
  let at = Math.max(0, end);
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at -= 1;
  let slashes = 0;
  while (at - slashes > 0 && text[at - slashes - 1] === '\\') slashes += 1;
  return slashes % 2 === 1 ? at - 1 : at;
}

/** Plain text cut with a bare ellipsis: labels and the footer have no room for a pointer. */
function cutPlain(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, safeEnd(text, max - 1)).trimEnd()}…`;
}

/** What re-closes a line cut inside a code span or a bold run: at most "`**". */
function closers(line: string): string {
  const unescaped = line.replace(/\\[\s\S]/g, '');
  const outsideCode = unescaped.replace(/`[^`]*`/g, '');
  const openCode = outsideCode.includes('`');
  const bolds = outsideCode.split('`')[0]!.split('**').length - 1;
  return `${openCode ? '`' : ''}${bolds % 2 === 1 ? '**' : ''}`;
}

/** One line of escaped markdown (a title, a field name) cut with a bare ellipsis, any open span closed. */
function cutMarkdownLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = text.slice(0, safeEnd(text, max - 4)).trimEnd();
  return `${kept}${closers(kept)}…`;
}

/**
 * Escaped markdown kept to `max`: whole lines where a line boundary keeps at least half of the room,
 * else cut mid-line with any open code span or bold closed; the marker says where the rest is.
 */
function cutMarkdown(text: string, max: number, marker: string): string {
  if (text.length <= max) return text;
  if (marker.length + 4 >= max) return cutMarkdownLine(text, max);
  const room = max - marker.length - 4;
  const newline = text.lastIndexOf('\n', room);
  if (newline >= room / 2) return `${text.slice(0, newline).trimEnd()}\n${marker}`;
  const kept = text.slice(0, safeEnd(text, room)).trimEnd();
  return `${kept}${closers(kept.slice(kept.lastIndexOf('\n') + 1))}${marker}`;
}

function checklistLine(item: ChecklistItem): string {
  return `${CHECK_MARKS[item.status]} ${escapeMarkdown(item.label)}${item.detail ? ` — ${escapeMarkdown(item.detail)}` : ''}`;
}

interface SectionParts {
  heading?: string;
  body: string;
}

function sectionParts(section: Section): SectionParts | undefined {
  const heading = section.heading?.trim() ? escapeMarkdown(section.heading.replace(/\s*\n\s*/g, ' ').trim()) : undefined;
  const body = [section.text ? escapeMarkdown(section.text) : undefined, ...(section.checklist ?? []).map(checklistLine)].filter(Boolean).join('\n');
  if (!heading && !body) return undefined;
  return { ...(heading ? { heading } : {}), body };
}

function sectionMarkdown(parts: SectionParts): string {
  return [parts.heading ? `**${parts.heading}**` : undefined, parts.body].filter(Boolean).join('\n');
}

function embedField(name: string, value: string, inline: boolean, marker: string): APIEmbedField {
  return { name: cutMarkdownLine(name || BLANK, MAX.fieldName), value: cutMarkdown(value || '—', MAX.fieldValue, marker), inline };
}

function messageField(field: Field, marker: string): APIEmbedField {
  return embedField(escapeMarkdown(field.label.replace(/\s*\n\s*/g, ' ').trim()), escapeMarkdown(field.value), field.inline, marker);
}

/**
 * The lead text, then the sections while they fit in the description; the first section that does not,
 * and those after it, become full-width fields (a lone section too big for anything is cut in place).
 */
function layoutSections(message: Message, marker: string): { description: string; overflow: APIEmbedField[] } {
  const sections = message.sections.map(sectionParts).filter((s): s is SectionParts => s !== undefined);
  let description = message.text ? cutMarkdown(escapeMarkdown(message.text), MAX.description, marker) : '';
  let placed = 0;
  for (const section of sections) {
    const text = sectionMarkdown(section);
    const joined = description ? `${description}\n\n${text}` : text;
    if (joined.length > MAX.description) break;
    description = joined;
    placed += 1;
  }
  const [first] = sections;
  if (!description && first) {
    description = cutMarkdown(sectionMarkdown(first), MAX.description, marker);
    placed = 1;
  }
  const overflow = sections.slice(placed).map((s) => embedField(s.heading ?? '', s.body, false, marker));
  return { description, overflow };
}

function fieldsSize(fields: readonly APIEmbedField[]): number {
  return fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
}

/** Fields in order while they fit (25, and `room` characters); when some do not, the last slot says how many. */
function keepFields(fields: readonly APIEmbedField[], room: number, marker: string): APIEmbedField[] {
  if (fields.length <= MAX.fields && fieldsSize(fields) <= room) return [...fields];
  for (let keep = Math.min(fields.length, MAX.fields - 1); keep >= 0; keep -= 1) {
    const hidden = fields.length - keep;
    const note = embedField(`${hidden} more ${hidden === 1 ? 'part' : 'parts'} of this message left out`, marker, false, marker);
    const kept = [...fields.slice(0, keep), note];
    if (fieldsSize(kept) <= room) return kept;
  }
  return [];
}

/** One custom_id per button; a repeat adds nothing, and an id over 100 is dropped because a cut one would point elsewhere. */
function buttonRows(buttons: readonly Button[]): APIActionRowComponent<APIButtonComponent>[] {
  const seen = new Set<string>();
  const kept: APIButtonComponentWithCustomId[] = [];
  for (const button of buttons) {
    const customId = customIdFor(button.action, button.value);
    if (customId.length > MAX.customId || seen.has(customId) || kept.length >= MAX.rows * MAX.buttonsPerRow) continue;
    seen.add(customId);
    kept.push({ type: ComponentType.Button, style: STYLES[button.style], label: cutPlain(neutralizeMentions(button.label), MAX.buttonLabel), custom_id: customId });
  }
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < kept.length; i += MAX.buttonsPerRow) rows.push({ type: ComponentType.ActionRow, components: kept.slice(i, i + MAX.buttonsPerRow) });
  return rows;
}

/** The message as Discord's body; with `mention`, the on-call is pinged in `content` (embeds never ping). */
export function renderDiscordMessage(message: Message, mention?: DiscordMention): DiscordMessageBody {
  const marker = truncationMarker(message);
  const title = cutMarkdownLine(`${TONE_MARKS[message.tone]} ${escapeMarkdown(message.title.replace(/\s*\n\s*/g, ' ').trim())}`, MAX.title);
  // The footer is plain text on Discord: nothing to escape but the mentions.
  const footer = message.footer.length > 0 ? cutPlain(neutralizeMentions(message.footer.join(' · ')), MAX.footer) : '';
  const { description: full, overflow } = layoutSections(message, marker);
  const fields = message.fields.map((f) => messageField(f, marker));
  const fixed = title.length + footer.length;
  // Overflowed sections continue the description, so they give way before it does; the message's own fields do not.
  const descriptionRoom = Math.max(MAX.embed - fixed - fieldsSize(fields.slice(0, MAX.fields)), Math.min(full.length, DESCRIPTION_FLOOR));
  const description = cutMarkdown(full, descriptionRoom, marker);
  const kept = keepFields([...fields, ...overflow], MAX.embed - fixed - description.length, marker);
  const embed: APIEmbed = {
    title,
    color: TONE_COLORS[message.tone],
    ...(description ? { description } : {}),
    ...(kept.length > 0 ? { fields: kept } : {}),
    ...(footer ? { footer: { text: footer } } : {}),
  };
  const body: DiscordMessageBody = { embeds: [embed], components: buttonRows(message.buttons), allowed_mentions: { parse: [] } };
  return mention ? { ...body, ...mentionParts(mention) } : body;
}
