/**
 * The platform-neutral chat message. Templates build it once; the Slack, Discord and console
 * adapters render it (Block Kit, embeds + components, HTML). It must carry everything they need.
 */
import { z } from 'zod';

export const TONES = ['info', 'progress', 'success', 'warning', 'danger'] as const;
export const Tone = z.enum(TONES);
export type Tone = z.infer<typeof Tone>;

export const BUTTON_ACTIONS = [
  'approve',
  'reject',
  'cancel',
  'abort',
  'retry_verification',
  'accept_verification',
  'fail_verification',
  'root_cause',
  'rollback_to',
  'restore',
  'approve_restore',
  'reject_restore',
  /** A break-glass rollback's review: mark it reviewed, or open the note form. */
  'review',
  'review_note',
] as const;
export const ButtonAction = z.enum(BUTTON_ACTIONS);
export type ButtonAction = z.infer<typeof ButtonAction>;

export const Button = z.object({
  action: ButtonAction,
  label: z.string().min(1),
  style: z.enum(['primary', 'danger', 'secondary']),
  /** What the click refers to: a rollback id, or `service|environment|release` for `rollback_to`. */
  value: z.string().min(1),
});
export type Button = z.infer<typeof Button>;

export const Field = z.object({ label: z.string(), value: z.string(), inline: z.boolean().default(true) });
export type Field = z.infer<typeof Field>;

export const CHECK_MARKS = ['pass', 'fail', 'inconclusive', 'pending', 'running', 'skipped', 'warning'] as const;
export const ChecklistItem = z.object({
  label: z.string(),
  status: z.enum(CHECK_MARKS),
  detail: z.string().optional(),
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const Section = z.object({
  heading: z.string().optional(),
  text: z.string().optional(),
  checklist: z.array(ChecklistItem).optional(),
});
export type Section = z.infer<typeof Section>;

export const MESSAGE_KINDS = [
  'notification',
  'approval',
  'progress',
  'verification',
  'summary',
  'failure',
  'notice',
  'help',
  'history',
  'status',
  'releases',
  'preview',
  /** A short message for stakeholder channels: no buttons, no thread. */
  'announcement',
] as const;

export const Message = z.object({
  kind: z.enum(MESSAGE_KINDS),
  tone: Tone,
  title: z.string().min(1),
  /** Short lead text under the title. Plain text; `code` spans are the only markup. */
  text: z.string().optional(),
  fields: z.array(Field).default([]),
  sections: z.array(Section).default([]),
  buttons: z.array(Button).default([]),
  /** Small print: ids, timestamps, who did what. */
  footer: z.array(z.string()).default([]),
  /** One-line plain text for notifications and clients that cannot render the rest. */
  fallback: z.string().min(1),
});
export type Message = z.infer<typeof Message>;
export type MessageInput = z.input<typeof Message>;
