// Reading and writing target files (docs/targets.md): a CSV (UTF-8, BOM allowed; GBK converted) or
// the first sheet of an .xlsx workbook, one header row, then one target per row. Rows keep their
// number as a spreadsheet shows it (the header is row 1) so that every message can point at a cell.
// Values are read as text — numbers of a workbook through their shortest exact decimal form — and
// checked by targets.ts; nothing here knows what a KPI is.

import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import ExcelJS from 'exceljs';

/** The loader's columns, in the order files are written. */
export const TARGET_COLUMNS = ['kpi', 'org_id', 'staff_id', 'period', 'target'] as const;
export type TargetColumn = (typeof TARGET_COLUMNS)[number];

/** Read-only columns of an export, ignored by the loader. */
export const NAME_COLUMNS = ['org_name', 'staff_name'] as const;

/** Header names accepted for each column (case-insensitive, trimmed). */
export const COLUMN_ALIASES: Record<TargetColumn, string[]> = {
  kpi: ['kpi', '指标'],
  org_id: ['org_id', '机构'],
  staff_id: ['staff_id', '员工'],
  period: ['period', '期间'],
  target: ['target', '目标'],
};

/** A file that cannot be loaded: every problem found, each naming its row and column. */
export class TargetFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
    /** How many problems there were in all (errors holds at most the first 50). */
    readonly total = errors.length,
  ) {
    const summary = `${basename(file)}: ${total === 1 ? 'one problem' : `${total} problems`}, nothing loaded`;
    super(`${summary} — ${errors[0] ?? ''}${total > 1 ? ' …' : ''}`);
    this.summary = summary;
  }

  /** "targets.csv: 3 problems, nothing loaded". */
  readonly summary: string;
}

export interface TargetFileRow {
  /** The row number a spreadsheet shows (the header is row 1). */
  row: number;
  cells: Record<TargetColumn, string>;
}

export interface TargetFile {
  format: 'csv' | 'xlsx';
  /** CSV only: the text encoding the file was read in. */
  encoding?: 'UTF-8' | 'UTF-8 (BOM)' | 'GBK';
  /** Header cells that are neither a loader column nor a name column (ignored). */
  ignoredColumns: string[];
  rows: TargetFileRow[];
}

/** What a formula in a spreadsheet starts with (half- and full-width). */
const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;

/** A text cell that a spreadsheet would not run as a formula: prefixed with ' when it could be one. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The reverse of neutralise, so that an exported file loads back as it was. */
function unneutralise(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

export function targetFileFormat(file: string): 'csv' | 'xlsx' {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new TargetFileError(file, [`${basename(file)}: not a .csv or .xlsx file`]);
}

/** Read a target file's rows; a file without the columns, or unreadable, fails with one message. */
export async function readTargetFile(file: string): Promise<TargetFile> {
  const format = targetFileFormat(file);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new TargetFileError(file, [
      `${basename(file)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    ]);
  }
  if (format === 'csv') {
    const { text, encoding } = decodeCsv(file, buf);
    return { format, encoding, ...fromRecords(file, parseCsv(text)) };
  }
  return { format, ...fromRecords(file, await readXlsx(file, buf)) };
}

/** UTF-8 (a BOM is dropped), else GBK (what Excel on a Chinese Windows saves as CSV), else refused. */
function decodeCsv(file: string, buf: Buffer): { text: string; encoding: TargetFile['encoding'] } {
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
    return { text, encoding: bom ? 'UTF-8 (BOM)' : 'UTF-8' };
  } catch {
    // not UTF-8: GBK, unless it is mostly UTF-8 with a few foreign bytes pasted in
  }
  let valid = 0;
  let invalid = 0;
  for (const ch of new TextDecoder('utf-8').decode(buf)) {
    if (ch === '\uFFFD') invalid++;
    else if (ch.charCodeAt(0) >= 0x80) valid++;
  }
  if (valid <= invalid) {
    try {
      return { text: new TextDecoder('gbk', { fatal: true }).decode(buf), encoding: 'GBK' };
    } catch {
      // neither
    }
  }
  throw new TargetFileError(file, [
    `${basename(file)}: not valid UTF-8${valid > invalid ? ' (a few bytes of another encoding)' : ', nor GBK'} — save it as "CSV UTF-8"`,
  ]);
}

/** RFC 4180 records of a CSV text with its row numbers; the delimiter is the header line's , ; tab or |. */
export function parseCsv(text: string): { row: number; cells: string[] }[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter =
    [',', ';', '\t', '|']
      .map((d) => ({ d, n: firstLine.replace(/"[^"]*"/g, '').split(d).length - 1 }))
      .sort((a, b) => b.n - a.n)
      .find((x) => x.n > 0)?.d ?? ',';
  const records: { row: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cur = '';
  let quoted = false;
  let row = 1;
  const endRecord = () => {
    cells.push(cur);
    records.push({ row: row++, cells });
    cells = [];
    cur = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === delimiter) {
      cells.push(cur);
      cur = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else cur += ch;
  }
  if (cur !== '' || cells.length > 0) endRecord();
  return records;
}

/** The first sheet's rows as text cells, with the sheet's row numbers. */
async function readXlsx(file: string, buf: Buffer): Promise<{ row: number; cells: string[] }[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (e) {
    throw new TargetFileError(file, [
      `${basename(file)}: not a readable .xlsx workbook (${(e as Error).message.split('\n')[0]})`,
    ]);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new TargetFileError(file, [`${basename(file)}: the workbook has no sheet`]);
  const records: { row: number; cells: string[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= r.cellCount; c++) cells.push(cellText(r.getCell(c).value));
    records.push({ row: rowNumber, cells });
  });
  return records;
}

/**
 * A workbook cell as text. Numbers through their shortest exact decimal form (String): a value
 * typed as 1234.56 reads "1234.56"; a formula's result like 33.300000000000004 reads as it is (and
 * is then refused for its decimals) rather than being rounded silently.
 */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as { result?: unknown }).result;
    if (result && typeof result === 'object' && 'error' in result) return String(result.error);
    return cellText((result ?? null) as ExcelJS.CellValue);
  }
  if ('text' in v) return String(v.text);
  if ('error' in v) return String(v.error);
  return String(v);
}

/** The header (the first non-empty record) mapped to the loader's columns; the data rows below it. */
function fromRecords(
  file: string,
  records: { row: number; cells: string[] }[],
): { ignoredColumns: string[]; rows: TargetFileRow[] } {
  const nonEmpty = records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = nonEmpty[0];
  if (!header) throw new TargetFileError(file, [`${basename(file)}: empty file, no header row`]);
  const index = new Map<TargetColumn, number>();
  const ignoredColumns: string[] = [];
  const problems: string[] = [];
  header.cells.forEach((raw, i) => {
    const name = raw
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase();
    if (name === '') return;
    const column = TARGET_COLUMNS.find((c) => COLUMN_ALIASES[c].includes(name));
    if (!column) {
      if (!(NAME_COLUMNS as readonly string[]).includes(name)) ignoredColumns.push(raw.trim());
      return;
    }
    if (index.has(column))
      problems.push(`row ${header.row}, column ${column}: appears twice in the header ("${raw.trim()}")`);
    else index.set(column, i);
  });
  const missing = TARGET_COLUMNS.filter((c) => !index.has(c));
  if (missing.length)
    problems.push(
      `row ${header.row}: the header lacks ${missing.map((c) => `${c} (${COLUMN_ALIASES[c][1]})`).join(', ')} — the columns are ${TARGET_COLUMNS.join(', ')}`,
    );
  if (problems.length) throw new TargetFileError(file, problems);
  const rows = nonEmpty.slice(1).map((r) => ({
    row: r.row,
    cells: Object.fromEntries(
      TARGET_COLUMNS.map((c) => [c, unneutralise((r.cells[index.get(c) as number] ?? '').trim())]),
    ) as Record<TargetColumn, string>,
  }));
  return { ignoredColumns, rows };
}

/** One exported row: the loader's columns and the read-only names. */
export type ExportRow = Record<TargetColumn | (typeof NAME_COLUMNS)[number], string>;

const EXPORT_COLUMNS = [...TARGET_COLUMNS, ...NAME_COLUMNS];

/** Write rows as CSV (UTF-8 with a BOM, so that Excel reads the Chinese names) or as an .xlsx sheet. */
export async function writeTargetFile(file: string, rows: ExportRow[]): Promise<void> {
  if (targetFileFormat(file) === 'csv') {
    const field = (v: string) => (/[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    const lines = [
      EXPORT_COLUMNS.join(','),
      ...rows.map((r) =>
        EXPORT_COLUMNS.map((c) => field(c === 'target' ? r[c] : neutralise(r[c]))).join(','),
      ),
    ];
    await writeFile(file, `\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
    return;
  }
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('targets');
  sheet.columns = EXPORT_COLUMNS.map((c) => ({
    header: c,
    key: c,
    width: c === 'period' ? 24 : c.endsWith('_name') ? 20 : 14,
  }));
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) {
    sheet.addRow(
      Object.fromEntries(
        EXPORT_COLUMNS.map((c) => [c, c === 'target' ? targetCell(r[c]) : neutralise(r[c]) || null]),
      ),
    );
  }
  for (const c of NAME_COLUMNS) sheet.getColumn(c).font = { color: { argb: 'FF808080' } };
  await wb.xlsx.writeFile(file);
}

/** A target as a number cell when a double holds it exactly (≤ 15 significant digits), else as text. */
function targetCell(v: string): number | string {
  return v.replace(/^0+(?=\d)/, '').replace(/[.-]/g, '').length <= 15 ? Number(v) : v;
}
