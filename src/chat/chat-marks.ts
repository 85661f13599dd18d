/** What the chat renderers (Slack, Discord) show for tones and checklist states, and where truncated text points. */
import type { ChecklistItem, Message, Tone } from '../domain/message';

export const TONE_MARKS: Readonly<Record<Tone, string>> = { danger: '🚨', warning: '⚠️', success: '✅', progress: '🔄', info: 'ℹ️' };

export const CHECK_MARKS: Readonly<Record<ChecklistItem['status'], string>> = {
  pass: '✅',
  fail: '❌',
  inconclusive: '❔',
  pending: '⏳',
  running: '▶️',
  skipped: '⏭️',
  warning: '⚠️',
};

/** Where the full text lives: the status command when the message names a rollback. */
export function truncationMarker(message: Message): string {
  const id = [...message.footer, ...message.buttons.map((b) => b.value)].map((text) => /\brb_[0-9A-Za-z]+/.exec(text)?.[0]).find(Boolean);
  return id ? `… (truncated — full details: \`/rollback status ${id}\`)` : '… (truncated)';
}
