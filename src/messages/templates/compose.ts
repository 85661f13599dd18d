/**
 * The one place a template's parts become a `Message`: fills the defaults and keeps titles, texts,
 * sections and button rows to sizes every renderer can show, so no template can explode on long input.
 */
import type { Button, Field, Message, Section, Tone } from '../../domain/message';
import { LIMITS, moreLine, oneLine, truncate } from '../formatting';

export interface MessageParts {
  kind: Message['kind'];
  tone: Tone;
  title: string;
  text?: string | undefined;
  fields?: readonly (Field | undefined)[];
  sections?: readonly (Section | undefined)[];
  buttons?: readonly Button[];
  footer?: readonly (string | undefined)[];
  /** Defaults to the title. */
  fallback?: string;
}

export function field(label: string, value: string, inline = true): Field {
  return { label, value: truncate(value, LIMITS.fieldValue), inline };
}

/**
 * Keeps whole lines while they fit, then says how many were left out (folding in a trailing
 * `… and N more` the text already had); a single overlong line is cut.
 */
function fitLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const all = text.split('\n');
  const already = /^… and (\d+) more$/.exec(all.at(-1) ?? '');
  const body = already ? all.slice(0, -1) : all;
  const reserve = moreLine(all.length + Number(already?.[1] ?? 0)).length + 1;
  const kept: string[] = [];
  let size = 0;
  for (const line of body) {
    if (size + line.length + 1 + reserve > max) break;
    kept.push(line);
    size += line.length + 1;
  }
  if (kept.length === 0) return truncate(text.replace(/\n/g, ' '), max);
  return [...kept, moreLine(body.length - kept.length + Number(already?.[1] ?? 0))].join('\n');
}

function fitSection(section: Section): Section | undefined {
  const checklist = section.checklist ?? [];
  const hidden = Math.max(0, checklist.length - LIMITS.checklistItems);
  const kept = hidden > 0 ? checklist.slice(0, LIMITS.checklistItems - 1) : checklist;
  const text = [section.text, hidden > 0 ? moreLine(checklist.length - kept.length) : undefined].filter(Boolean).join('\n');
  if (!text && kept.length === 0) return undefined;
  return {
    ...(section.heading ? { heading: oneLine(section.heading, LIMITS.title) } : {}),
    ...(text ? { text: fitLines(text, LIMITS.longText) } : {}),
    ...(kept.length > 0
      ? {
          checklist: kept.map((item) => ({
            ...item,
            label: oneLine(item.label, LIMITS.itemLabel),
            ...(item.detail ? { detail: oneLine(item.detail, LIMITS.itemDetail) } : {}),
          })),
        }
      : {}),
  };
}

export function compose(parts: MessageParts): Message {
  const title = oneLine(parts.title, LIMITS.title);
  return {
    kind: parts.kind,
    tone: parts.tone,
    title,
    ...(parts.text?.trim() ? { text: truncate(parts.text.trim(), LIMITS.longText) } : {}),
    fields: (parts.fields ?? []).filter((f): f is Field => f !== undefined),
    sections: (parts.sections ?? []).flatMap((s) => (s ? (fitSection(s) ?? []) : [])),
    buttons: (parts.buttons ?? []).slice(0, LIMITS.buttons).map((b) => ({ ...b, label: truncate(b.label, LIMITS.buttonLabel) })),
    footer: (parts.footer ?? []).filter((line): line is string => Boolean(line)).map((line) => oneLine(line)),
    fallback: oneLine(parts.fallback ?? title, LIMITS.fallback),
  };
}
