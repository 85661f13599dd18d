/** Discord's part of the environment: enabled by DISCORD_TOKEN; HTTP interactions need the public key. */
import { z } from 'zod';

/**
 * discord.js REST makes up to four attempts (three retries) per call, each bounded by this: 5 s
 * keeps a dead connection from holding an incident thread for a minute (it was 15 s × 4), while
 * still far above a normal answer time. A timed-out create is safe to retry: it carries a nonce.
 */
export const DISCORD_TIMEOUT_MS = 5_000;

export const DiscordSettings = z
  .object({
    token: z.string().min(1),
    applicationId: z.string().regex(/^\d{15,22}$/, 'DISCORD_APPLICATION_ID must be the application id (a snowflake of digits)'),
    publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, 'DISCORD_PUBLIC_KEY must be the 64 hex characters shown under General Information').optional(),
    mode: z.enum(['http', 'gateway']),
    /** REST base without the version (discord.js appends /v10); tests point it at a local fake. */
    apiUrl: z.url().default('https://discord.com/api'),
    /** How long one REST attempt may take (default DISCORD_TIMEOUT_MS); tests shorten it. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.mode === 'http' && !s.publicKey) ctx.addIssue({ code: 'custom', message: 'DISCORD_PUBLIC_KEY is required for HTTP interactions' });
  });
export type DiscordSettings = z.infer<typeof DiscordSettings>;

export function discordSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): DiscordSettings | undefined {
  const token = env['DISCORD_TOKEN'];
  if (!token) return undefined;
  const parsed = DiscordSettings.safeParse({
    token,
    applicationId: env['DISCORD_APPLICATION_ID'],
    publicKey: env['DISCORD_PUBLIC_KEY'] || undefined,
    mode: env['DISCORD_MODE'] || 'gateway',
    apiUrl: env['DISCORD_API_URL'] || undefined,
  });
  if (!parsed.success) throw new Error('invalid Discord settings:\n' + parsed.error.issues.map((i) => `  ${i.path.join('.') || 'discord'}: ${i.message}`).join('\n'));
  return { ...parsed.data, apiUrl: parsed.data.apiUrl.replace(/\/+$/, '') };
}
