// Formula injection: org names from the bank's extracts that a spreadsheet would take for formulas
// must reach the reader as literal text, in the workbook and in the CSV — checked with exceljs and
// with LibreOffice headless, which evaluates formulas when it opens a file (and here, for the CSV,
// is told to evaluate them on import).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { buildBriefing } from './briefing.js';
import { neutralise } from './cells.js';
import { briefingCsv } from './csv.js';
import {
  CSV_ALL_SHEETS,
  CSV_IMPORT_EVALUATING,
  D,
  ENTRIES,
  type Entry,
  insertBriefingBank,
  ORGS,
  parseCsv,
  SOFFICE,
  soffice,
} from './testing.js';
import { writeBriefingXlsx } from './xlsx.js';

const NASTY = ['=HYPERLINK("http://x","y")', '+1+1', '-2', '@SUM(A1)', '＝1+1', '\t=1+1 tab', '\r=1+1 cr'];
/** As a reader sees them: an apostrophe first; XML and LibreOffice turn a lone CR into LF. */
const SEEN = NASTY.map((n) => `'${n}`.replace(/\r/g, '\n'));

const orgs: typeof ORGS = [
  ...ORGS,
  ...NASTY.map((name, i) => [`X${i + 1}`, name, 'BRANCH', 'H'] as (typeof ORGS)[number]),
];
const entries = ENTRIES.map((e) =>
  e.kpi === 'NEW_CUSTOMERS'
    ? { ...e, rows: [...e.rows, ...NASTY.map((_, i): Entry => [`X${i + 1}`, String(100 + i), '90', '1000'])] }
    : e,
);
const config = loadSeasonConfig();

const text = (v: ExcelJS.CellValue): string =>
  v && typeof v === 'object' && 'richText' in v ? v.richText.map((t) => t.text).join('') : String(v ?? '');

/** The text cells of a workbook (numbers left out), and any formula cells. */
async function cellsOf(file: string): Promise<{ texts: string[]; formulas: string[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const texts: string[] = [];
  const formulas: string[] = [];
  wb.eachSheet((ws) =>
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula || cell.formula)
          formulas.push(`${ws.name}!${cell.address}`);
        else if (cell.type === ExcelJS.ValueType.String || cell.type === ExcelJS.ValueType.RichText)
          texts.push(text(cell.value).replace(/\r/g, '\n'));
      }),
    ),
  );
  return { texts, formulas };
}

describe('neutralise', () => {
  it('prefixes an apostrophe to text a spreadsheet would read as a formula', () => {
    for (const t of ['=1', '+1', '-1', '@A1', '\tx', '\rx', '＝1', '＋1', '－1', '＠A1'])
      expect(neutralise(t), JSON.stringify(t)).toBe(`'${t}`);
    for (const t of ['北京分行', 'B1', '1+1', ' =1', "'=1", '', 'a=b']) expect(neutralise(t)).toBe(t);
  });
});

describeEachEngine('formula injection in the briefing', (engine) => {
  let db: TestDb;
  const dir = mkdtempSync(join(tmpdir(), 'wangji-inject-'));
  const xlsx = join(dir, 'nasty.xlsx');
  const csv = join(dir, 'nasty.csv');
  beforeAll(async () => {
    db = await engine.open();
    await insertBriefingBank(db, orgs, entries);
    const b = await buildBriefing(db, config, { asOf: D });
    await writeBriefingXlsx(b, 'zh', xlsx);
    writeFileSync(csv, briefingCsv(b, 'zh'));
  });
  afterAll(async () => {
    await db?.close();
  });

  it('writes every nasty name as apostrophe-led text in the workbook, and no formula cells', async () => {
    const { texts, formulas } = await cellsOf(xlsx);
    expect(formulas).toEqual([]);
    for (const seen of SEEN) expect(texts).toContain(seen);
    for (const name of NASTY) expect(texts).not.toContain(name.replace(/\r/g, '\n'));
  });

  it('writes every nasty name as apostrophe-led text in the CSV', () => {
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    const names = rows.map((r) => (r[4] ?? '').replace(/\r/g, '\n'));
    for (const seen of SEEN) expect(names).toContain(seen);
    // Numbers stay numbers, negative ones too (a decimal is never a formula).
    expect(rows.find((r) => r[0] === 'DEPOSIT_ADB_GROWTH' && r[3] === 'B2')?.[10]).toBe('-20000.50');
  });

  describe.skipIf(!SOFFICE)('as LibreOffice opens them', () => {
    it('keeps the workbook’s names literal: nothing is evaluated', async () => {
      const [sheets, again] = await Promise.all([soffice(xlsx, CSV_ALL_SHEETS), soffice(xlsx, 'xlsx')]);
      const customers = sheets.find((f) => f.endsWith('-新增客户.csv')) as string;
      const names = parseCsv(readFileSync(customers, 'utf8')).map((r) => r[1]);
      for (const seen of SEEN) expect(names).toContain(seen);
      expect(names).not.toContain('2'); // +1+1 was not computed
      expect(names).not.toContain('-2');
      // Saved again by LibreOffice: still no formula anywhere.
      const { texts, formulas } = await cellsOf(again[0] as string);
      expect(formulas).toEqual([]);
      for (const seen of SEEN) expect(texts).toContain(seen);
    });

    it('keeps the CSV’s names literal even when LibreOffice evaluates formulas on import', async () => {
      // The control: an un-neutralised formula in a CSV is evaluated by this import.
      const control = join(dir, 'control.csv');
      writeFileSync(control, '\ufeffname\r\n=1+1\r\n');
      const [controlled] = await soffice(control, 'xlsx', CSV_IMPORT_EVALUATING);
      expect((await cellsOf(controlled as string)).formulas).toEqual(['control!A2']);

      const [imported] = await soffice(csv, 'xlsx', CSV_IMPORT_EVALUATING);
      const { texts, formulas } = await cellsOf(imported as string);
      expect(formulas).toEqual([]);
      for (const seen of SEEN) expect(texts).toContain(seen);
      expect(texts).not.toContain('2');
    });
  });
});
