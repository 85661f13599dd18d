/**
 * CSV as RFC 4180 writes it: a header row, CRLF line ends, and a field quoted (quotes doubled) when
 * it holds a comma, a quote, CR or LF. Free text that a spreadsheet would run as a formula is
 * defused with a leading apostrophe (OWASP's advice for CSV injection).
 */

export type CsvValue = string | number | boolean | null | undefined;

/** Cells a spreadsheet treats as formulas when they start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue, options: { freeText?: boolean } = {}): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // Numbers keep their sign; only text people typed can smuggle a formula in.
  if (options.freeText && typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvDocument(header: readonly string[], rows: readonly (readonly CsvValue[])[], freeTextColumns: ReadonlySet<number> = new Set()): string {
  const line = (cells: readonly CsvValue[], isHeader: boolean) =>
    cells.map((cell, i) => csvField(cell, { freeText: !isHeader && freeTextColumns.has(i) })).join(',');
  return [line(header, true), ...rows.map((row) => line(row, false))].map((l) => `${l}\r\n`).join('');
}
