/**
 * Splits chat command text into words, shell-style: quotes group words, and the curly quotes that
 * Slack and phone keyboards insert count as quotes too.
 */

export interface Token {
  /** The word with its quotes removed. */
  text: string;
  /** The word as typed, quotes included: echoed in errors, and kept in free text such as a reason. */
  raw: string;
  /** What was typed before the first quote: option names must stand here, so `"--to"` is a plain word. */
  bare: string;
}

export type Tokenized =
  | { ok: true; tokens: Token[] }
  | { ok: false; opener: string; closer: string; fragment: string };

/** Opening quote → the characters that may close it. Clients pair curly quotes loosely, so both curls close. */
const QUOTES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '“': '”“',
  '”': '”',
  '„': '“”',
  '‘': '’‘',
  '’': '’',
};

/** True when the whole word was one quoted group, as in `"500s after deploy"`. */
export function isQuoted(token: Token): boolean {
  return token.bare === '' && token.raw !== '';
}

/**
 * A quote opens a group only at the start of a word or right after `=` (`reason="…"`), so the
 * apostrophes in `don't` or `it’s` stay letters instead of opening a quote that never closes.
 */
export function tokenize(input: string): Tokenized {
  const tokens: Token[] = [];
  const chars = [...input];
  let i = 0;
  while (i < chars.length) {
    if (/\s/.test(chars[i]!)) {
      i++;
      continue;
    }
    let text = '';
    let raw = '';
    let bare: string | undefined;
    while (i < chars.length && !/\s/.test(chars[i]!)) {
      const ch = chars[i]!;
      const closers = QUOTES[ch];
      const opens = closers !== undefined && bare === undefined && (raw === '' || raw.endsWith('='));
      if (!opens) {
        text += ch;
        raw += ch;
        i++;
        continue;
      }
      bare = raw;
      const end = chars.findIndex((c, at) => at > i && closers.includes(c));
      if (end < 0) return { ok: false, opener: ch, closer: closers[0]!, fragment: chars.slice(i + 1).join('') };
      text += chars.slice(i + 1, end).join('');
      raw += chars.slice(i, end + 1).join('');
      i = end + 1;
    }
    tokens.push({ text, raw, bare: bare ?? raw });
  }
  return { ok: true, tokens };
}
