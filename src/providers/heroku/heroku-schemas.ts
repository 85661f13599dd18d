/**
 * Heroku Platform API v3 answers as Rewind reads them (PROVIDERS.md §3): releases, listed or one at
 * a time. Lenient about fields Rewind does not use; strict about the ones it decides by.
 */
import { z } from 'zod';

export const HerokuRelease = z.object({
  id: z.string().min(1),
  version: z.number().int(),
  /** `failed | pending | succeeded`; anything else is kept as text, never fatal. */
  status: z.string().min(1),
  /** The release serving the app now: exactly one is. */
  current: z.boolean(),
  description: z.string().nullish(),
  slug: z.object({ id: z.string() }).nullish(),
  user: z.object({ id: z.string().optional(), email: z.string().optional() }).nullish(),
  addon_plan_names: z.array(z.string()).optional(),
  app: z.object({ id: z.string().optional(), name: z.string().optional() }).nullish(),
  created_at: z.string(),
  updated_at: z.string().optional(),
  /** The release phase's log stream, while Heroku keeps it. */
  output_stream_url: z.string().nullish(),
  /** Only with `Accept: …; version=3.sdk` (the CLI's variant); false means Heroku will not roll back to it. */
  eligible_for_rollback: z.boolean().optional(),
});
export type HerokuRelease = z.infer<typeof HerokuRelease>;

export const HerokuReleaseList = z.array(HerokuRelease);
