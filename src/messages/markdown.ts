/**
 * Markdown building blocks for the files Rewind writes (post-mortem drafts, history exports): table
 * cells that cannot break the table, and tables in the GitHub-flavoured pipe syntax.
 */

/**
 * One table cell: on one line, pipes escaped, never empty (an empty cell reads as a mistake in a
 * rendered table). Text from people stays as typed otherwise.
 */
export function mdCell(text: string | undefined, empty = '—'): string {
  const flat = (text ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return flat ? flat.replace(/\\/g, '\\\\').replace(/\|/g, '\\|') : empty;
}

export function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => mdCell(cell)).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** An inline code span that survives backticks in the text. */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `${fence}${text}${fence}` : `${fence} ${text} ${fence}`;
}

/** A paragraph of free text from a person: kept as written, trimmed, line endings normalized. */
export function mdParagraph(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}
