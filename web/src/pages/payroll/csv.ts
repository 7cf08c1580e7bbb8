// Export what a table shows as CSV (pure text building, unit-tested; the download is the browser's).
// The cells are the texts on screen, so the file says what the user saw; a UTF-8 BOM lets Excel read
// Chinese. Fields with a comma, quote or line break are quoted (RFC 4180).

export type CsvCell = string | number | null | undefined;

const cell = (v: CsvCell): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** A header line and one line per row, CRLF-separated, with a BOM. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Save the text as a file (browser only). */
export function downloadCsv(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A table's sort as the user set it (antd's sorter column function and order). */
export interface TableSort<R> {
  compare: ((a: R, b: R) => number) | null;
  order: 'ascend' | 'descend' | null;
}

/** The rows in the order the table shows them, so that an export matches the screen. */
export function sortLike<R>(rows: readonly R[], sort: TableSort<R> | null): R[] {
  if (!sort?.compare || !sort.order) return [...rows];
  const c = sort.compare;
  return [...rows].sort((a, b) => (sort.order === 'descend' ? -c(a, b) : c(a, b)));
}

/** antd Table onChange's sorter argument → TableSort. */
export function tableSort<R>(sorter: unknown): TableSort<R> | null {
  const s = (Array.isArray(sorter) ? sorter[0] : sorter) as
    | { order?: 'ascend' | 'descend' | null; column?: { sorter?: unknown } }
    | undefined;
  const fn = s?.column?.sorter;
  return typeof fn === 'function' && s?.order
    ? { compare: fn as (a: R, b: R) => number, order: s.order }
    : null;
}
