/**
 * The end of a command's output, kept while it streams: a smoke test may print megabytes, and only
 * its last lines explain a failure. What it hands out is masked, so a secret the command echoed
 * never reaches a thread, a log or the record.
 */
import { SecretScrubber } from '../observability/secret-scrubber';

/**
 * Shapes of credentials the scrubber does not know by value: provider token prefixes, JWTs, and
 * `SOMETHING_TOKEN=value` assignments that test runners like to print.
 */
const TOKEN_SHAPES: readonly [RegExp, string][] = [
  [/\b(?:gh[pousr]_|github_pat_|glpat-|sntry[su]_|sk-|xox[abposr]-|npm_)[A-Za-z0-9_=-]{16,}/g, '[redacted]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\b([A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY)[A-Za-z0-9_]*\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s"']+)/gi, '$1[redacted]'],
];

/** Terminal colour and cursor codes, which would split a token from its prefix. */
// eslint-disable-next-line no-control-regex -- these sequences start with ESC by definition
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

export interface TailOptions {
  /** Values that must never appear (the check's `env`). */
  secrets: readonly string[];
  maxBytes?: number;
  maxLines?: number;
}

export class OutputTail {
  private readonly scrubber: SecretScrubber;
  private readonly maxBytes: number;
  private readonly maxLines: number;
  /**
   * How much more than `maxBytes` is held, so a secret that straddles the cut is still whole when
   * masking runs; cutting first would leave its end readable.
   */
  private readonly margin: number;
  private chunks: Buffer[] = [];
  private held = 0;
  private total = 0;

  constructor(options: TailOptions) {
    this.scrubber = new SecretScrubber(options.secrets);
    this.maxBytes = options.maxBytes ?? 4 * 1024;
    this.maxLines = options.maxLines ?? 10;
    const longest = options.secrets.reduce((n, s) => Math.max(n, Buffer.byteLength(JSON.stringify(s))), 0);
    this.margin = Math.max(1024, longest);
  }

  /** Bytes seen in all, including those no longer held. */
  get bytesSeen(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    const limit = this.maxBytes + this.margin;
    // Compact only once the excess is large, so a stream of small writes is not copied per chunk.
    if (this.held > 2 * limit) {
      const joined = Buffer.concat(this.chunks);
      const kept = Buffer.from(joined.subarray(joined.length - limit));
      this.chunks = [kept];
      this.held = kept.length;
    }
  }

  /** The last lines (at most `maxLines`, about `maxBytes`), masked; [] when the command printed nothing. */
  lines(): string[] {
    const masked = this.mask(Buffer.concat(this.chunks).toString('utf8'));
    const cut = masked.length > this.maxBytes;
    const text = cut ? masked.slice(masked.length - this.maxBytes) : masked;
    const lines = text.split(/\r?\n/).map((line) => line.replace(/\s+$/, ''));
    // The first line after a cut is a fragment.
    if (cut && lines.length > 1) lines.shift();
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.filter((line, i) => line !== '' || i > 0).slice(-this.maxLines);
  }

  private mask(text: string): string {
    let out = this.scrubber.scrub(text.replace(ANSI_ESCAPE, ''));
    for (const [pattern, replacement] of TOKEN_SHAPES) out = out.replace(pattern, replacement);
    return out;
  }
}
