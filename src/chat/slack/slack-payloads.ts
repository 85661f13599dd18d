/** The parts of Slack's payloads Rewind reads, validated at the boundary. */
import { z } from 'zod';

export const SlashCommandBody = z.object({
  command: z.string(),
  text: z.string().default(''),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  channel_id: z.string().min(1),
  team_id: z.string().optional(),
  trigger_id: z.string().min(1),
  response_url: z.string().url().optional(),
});
export type SlashCommandBody = z.infer<typeof SlashCommandBody>;

const SlackUser = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() });

export const BlockActionBody = z.object({
  type: z.literal('block_actions'),
  user: SlackUser,
  trigger_id: z.string().min(1),
  response_url: z.string().url().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).passthrough().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() }).passthrough()).min(1),
});
export type BlockActionBody = z.infer<typeof BlockActionBody>;

export const ViewSubmissionBody = z.object({
  type: z.literal('view_submission'),
  user: SlackUser,
  view: z
    .object({
      id: z.string(),
      callback_id: z.string(),
      private_metadata: z.string().optional(),
      hash: z.string().optional(),
      state: z.object({ values: z.record(z.string(), z.record(z.string(), z.any())) }),
    })
    .passthrough(),
});
export type ViewSubmissionBody = z.infer<typeof ViewSubmissionBody>;

/** Select options requested from a form, and a form closed: only who asked matters before Bolt routes them. */
export const OtherInteractionBody = z.object({ type: z.enum(['block_suggestion', 'view_closed']), user: SlackUser }).passthrough();

/** What a request must look like before it is handed to Bolt: one of the payloads Rewind listens to. */
export const HandledSlackBody = z.union([SlashCommandBody.passthrough(), BlockActionBody.passthrough(), ViewSubmissionBody.passthrough(), OtherInteractionBody]);
