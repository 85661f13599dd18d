/**
 * Removes secrets from text before it is logged or posted: every known secret value (tokens from
 * the environment, `${ENV}` values of the catalog) and anything shaped like a credential.
 */

const PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
  // Opsgenie's `Authorization: GenieKey …`, and a PagerDuty event's routing key, even when written into the catalog as is.
  [/\bGenieKey\s+[A-Za-z0-9._~+/=-]{8,}/g, 'GenieKey [redacted]'],
  [/(\\?"routing_key\\?"\s*:\s*\\?")[^"\\]+/g, '$1[redacted]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[redacted]@'],
  [/([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|signature)=)[^&\s"']+/gi, '$1[redacted]'],
];

const MIN_SECRET_LENGTH = 6;

export class SecretScrubber {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(secrets);
  }

  /** Registers values that must never appear; short values are ignored to avoid mangling text. */
  add(secrets: Iterable<string | undefined>): void {
    for (const secret of secrets) {
      if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
      this.secrets.add(secret);
      // The same value as it appears inside JSON strings.
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret) this.secrets.add(escaped);
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /** Scrubs every string inside a JSON-compatible value. */
  scrubDeep<T>(value: T): T {
    return JSON.parse(this.scrub(JSON.stringify(value))) as T;
  }
}

/** Environment variables whose values are secrets wherever they are set. */
export const SECRET_ENV_NAMES = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'DISCORD_TOKEN',
  'DISCORD_PUBLIC_KEY',
  'REWIND_API_TOKEN',
  'REWIND_WEBHOOK_TOKEN',
  'REWIND_WEBHOOK_SECRET',
  'REDIS_PASSWORD',
] as const;

export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const name of SECRET_ENV_NAMES) {
    const value = env[name];
    if (value) out.push(value);
  }
  const redisUrl = env['REDIS_URL'];
  if (redisUrl) {
    try {
      const password = new URL(redisUrl).password;
      if (password) out.push(decodeURIComponent(password));
    } catch {
      // not a URL; nothing to extract
    }
  }
  return out;
}
