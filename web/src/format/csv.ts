// Export what a table shows as CSV (UI.md "Tables": export exactly what is shown). Pure text building,
// unit-tested; the download is the browser's. A UTF-8 BOM lets Excel read Chinese; fields with a
// comma, quote or line break are quoted (RFC 4180). Names come from the bank's extracts, so a text a
// spreadsheet would take for a formula (= + - @ tab CR, or their full-width forms) gets a leading
// apostrophe — the same rule as the weekly briefing's files (src/reports/cells.ts). Numbers and exact
// decimal strings ("-12.50", the API's money) are written as they are.
import { DECIMAL_TEXT, neutralise } from '../../../src/reports/cells';

export type CsvCell = string | number | null | undefined;

function cell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' || DECIMAL_TEXT.test(v) ? String(v) : neutralise(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header line and one line per row, CRLF-separated, with a BOM. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Save the text as a file (browser only). */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** toCsv, then save it. */
export function downloadCsv(
  fileName: string,
  header: readonly string[],
  rows: readonly (readonly CsvCell[])[],
): void {
  downloadText(fileName, toCsv(header, rows));
}
