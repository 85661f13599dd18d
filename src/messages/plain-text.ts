/**
 * Plain-text rendering of a neutral message, for logs, the console fallback and tests: every part
 * a chat platform would show, in reading order, with a text mark per checklist status.
 */
import type { ChecklistItem, Message } from '../domain/message';

export const CHECK_MARK_SYMBOLS: Readonly<Record<ChecklistItem['status'], string>> = {
  pass: '✔',
  fail: '✖',
  inconclusive: '?',
  pending: '○',
  running: '…',
  skipped: '–',
  warning: '⚠',
};

function checklistLine(item: ChecklistItem): string {
  return `  ${CHECK_MARK_SYMBOLS[item.status]} ${item.label}${item.detail ? ` — ${item.detail}` : ''}`;
}

export function renderPlainText(message: Message): string {
  const blocks: string[][] = [[message.title, ...(message.text ? [message.text] : [])]];
  if (message.fields.length > 0) blocks.push(message.fields.map((f) => `${f.label}: ${f.value}`));
  for (const section of message.sections) {
    blocks.push([
      ...(section.heading ? [section.heading] : []),
      ...(section.text ? section.text.split('\n').map((line) => (section.heading ? `  ${line}` : line)) : []),
      ...(section.checklist ?? []).map(checklistLine),
    ]);
  }
  if (message.buttons.length > 0) blocks.push([message.buttons.map((b) => `[${b.label}]`).join(' ')]);
  if (message.footer.length > 0) blocks.push([message.footer.join(' · ')]);
  return blocks
    .filter((block) => block.length > 0)
    .map((block) => block.join('\n'))
    .join('\n\n');
}
