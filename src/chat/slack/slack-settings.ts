/** Slack's part of the environment: enabled by SLACK_BOT_TOKEN; HTTP mode needs the signing secret, Socket Mode the app token. */
import { z } from 'zod';

/**
 * A post normally answers in well under a second. Past this the call is given up and its outcome
 * treated as unknown (the sink looks for the message before posting again); a longer wait would
 * only hold the rollback's chat thread back.
 */
export const SLACK_TIMEOUT_MS = 5_000;

export const SlackSettings = z
  .object({
    botToken: z.string().min(1),
    signingSecret: z.string().min(1).optional(),
    appToken: z.string().startsWith('xapp-', 'SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write').optional(),
    mode: z.enum(['http', 'socket']),
    /** Web API base; tests point it at a local fake. */
    apiUrl: z.url().default('https://slack.com/api/'),
    /** How long one Web API call may take before its outcome counts as unknown (default SLACK_TIMEOUT_MS); tests shorten it. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.mode === 'http' && !s.signingSecret) {
      ctx.addIssue({ code: 'custom', message: 'SLACK_SIGNING_SECRET is required in HTTP mode (find it under Basic Information → App Credentials)' });
    }
    if (s.mode === 'socket' && !s.appToken) {
      ctx.addIssue({ code: 'custom', message: 'SLACK_APP_TOKEN is required in Socket Mode (Basic Information → App-Level Tokens, scope connections:write)' });
    }
  });
export type SlackSettings = z.infer<typeof SlackSettings>;

/** Undefined when Slack is not configured (no SLACK_BOT_TOKEN). */
export function slackSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): SlackSettings | undefined {
  const botToken = env['SLACK_BOT_TOKEN'];
  if (!botToken) return undefined;
  const appToken = env['SLACK_APP_TOKEN'] || undefined;
  const parsed = SlackSettings.safeParse({
    botToken,
    signingSecret: env['SLACK_SIGNING_SECRET'] || undefined,
    appToken,
    mode: env['SLACK_MODE'] || (appToken ? 'socket' : 'http'),
    apiUrl: env['SLACK_API_URL'] || undefined,
  });
  if (!parsed.success) throw new Error('invalid Slack settings:\n' + parsed.error.issues.map((i) => `  ${i.path.join('.') || 'slack'}: ${i.message}`).join('\n'));
  const apiUrl = parsed.data.apiUrl.endsWith('/') ? parsed.data.apiUrl : `${parsed.data.apiUrl}/`;
  return { ...parsed.data, apiUrl };
}
