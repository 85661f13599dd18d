/**
 * pino JSON logs. Credential-shaped fields are removed by path, and every line passes through the
 * secret scrubber last, so a token in a message, an error or a URL never reaches the output.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { SecretScrubber } from './secret-scrubber';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.signingSecret',
  '*.apiToken',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'req.headers["x-signature-ed25519"]',
];

export interface LoggerOptions {
  level?: string;
  scrubber: SecretScrubber;
  name?: string;
  /** Where lines go; stdout by default. Tests pass a collecting stream. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const { scrubber } = options;
  return pino(
    {
      name: options.name ?? 'rewind',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that writes nothing, for tests of modules that only need one passed in. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
