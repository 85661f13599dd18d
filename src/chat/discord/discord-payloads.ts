/** The parts of Discord interactions Rewind reads, validated at the boundary. */
import { z } from 'zod';

const User = z.object({ id: z.string(), username: z.string().optional(), global_name: z.string().nullish() });

/** Command options go two levels deep here: the subcommand, then its options. */
const LeafOption = z.object({ name: z.string(), type: z.number(), value: z.unknown().optional(), focused: z.boolean().optional() });
export const CommandOption = LeafOption.extend({ options: z.array(LeafOption).optional() });

export const Interaction = z.object({
  id: z.string(),
  application_id: z.string(),
  type: z.number().int(),
  token: z.string(),
  channel_id: z.string().optional(),
  guild_id: z.string().optional(),
  member: z.object({ user: User, roles: z.array(z.string()).default([]) }).optional(),
  user: User.optional(),
  data: z
    .object({
      name: z.string().optional(),
      options: z.array(CommandOption).optional(),
      custom_id: z.string().optional(),
      // Modal rows: action rows (`components`) or Discord's newer Label rows (`component`).
      components: z
        .array(
          z
            .object({
              components: z.array(z.object({ custom_id: z.string(), value: z.string().optional() }).passthrough()).optional(),
              component: z.object({ custom_id: z.string(), value: z.string().optional() }).passthrough().optional(),
            })
            .passthrough(),
        )
        .optional(),
    })
    .passthrough()
    .optional(),
  message: z.object({ id: z.string() }).passthrough().optional(),
});
export type Interaction = z.infer<typeof Interaction>;
