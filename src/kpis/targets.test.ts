// Targets (docs/targets.md) on a small hand-made bank, on both engines: loading CSV and XLSX files,
// every validation message with its row and column, nothing half-loaded, reloads, splits with
// hand-worked largest-remainder numbers, export → load round trips, and the CLI.
//
// Season 2026-27: S = 2026-11-15, YEAR_END until Dec 31, Q4 clipped to 2026-11-15..2026-12-31.
// Org tree and customers (as of 2026-12-01; C06 and C13 have no customer_since and count, C14 joins
// on 2026-12-10 and does not):
//   HQ ─ RC (REMOTE_CENTER, 5 customers; never a split child) ─ =EVIL (an outlet with a formula name)
//      ─ B01 (1 customer of its own) ─ O11 (2: C01, C02 managed by A11) · O12 (2: C03 managed by A12, C04) · O13 (2)
//      ─ B02 ─ S21 (1) ─ O21 (3)
//            ─ O22 (2 of 3)
// So by customers B01 : B02 = 7 : 6, O11 : O12 : O13 = 1 : 1 : 1, S21 : O22 = 4 : 2, and in O11
// A11 : A12 = 2 : 1 (A12's customer C03 lives at O12: staff are measured by the customers they manage).
//
// Tie rule of the largest remainder: the larger remainder first, then the lower id in byte order.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { run } from '../cli/main.js';
import { loadSeasonConfig, parseSeasonConfig } from '../config/season.js';
import { neutralise, parseCsv } from './targetFile.js';
import {
  apportion,
  exportTargets,
  listTargets,
  loadTargets,
  parseTargetValue,
  splitTarget,
  TargetError,
  TargetFileError,
} from './targets.js';

const config = loadSeasonConfig();
const AS_OF = '2026-12-01';
const LOADED_AT = new Date('2026-11-28T02:00:00Z');

const customer = (id: string, org: string, manager: string | null, since: string | null) =>
  `('${id}', '${org}', ${manager ? `'${manager}'` : 'NULL'}, ${since ? `DATE '${since}'` : 'NULL'})`;

const bank: [string, string, string[]][] = [
  [
    'orgs',
    'org_id, org_name, level, parent_id, division_code',
    [
      "('HQ', '总行', 'HQ', NULL, '420100')",
      "('RC', '远程银行中心', 'REMOTE_CENTER', 'HQ', '420100')",
      `('=EVIL', '=HYPERLINK("http://x","点我")', 'OUTLET', 'RC', '420100')`,
      "('B01', '一分行', 'BRANCH', 'HQ', '420100')",
      "('O11', '网点十一', 'OUTLET', 'B01', '420102')",
      "('O12', '网点十二', 'OUTLET', 'B01', '420102')",
      "('O13', '网点十三', 'OUTLET', 'B01', '420102')",
      "('B02', '二分行', 'BRANCH', 'HQ', '420100')",
      "('S21', '支行二一', 'SUBBRANCH', 'B02', '420103')",
      "('O21', '网点二一', 'OUTLET', 'S21', '420103')",
      "('O22', '网点二二', 'OUTLET', 'B02', '420103')",
    ],
  ],
  [
    'staff',
    'staff_id, org_id, staff_name, role',
    [
      "('A11', 'O11', '经理甲', 'ACCOUNT_MANAGER')",
      "('A12', 'O11', '－小李', 'ACCOUNT_MANAGER')",
      "('A13', 'O12', '经理丙', 'ACCOUNT_MANAGER')",
      "('BM1', 'B01', '行长', 'BRANCH_MANAGER')",
    ],
  ],
  [
    'customers',
    'customer_id, home_org_id, manager_id, customer_since',
    [
      customer('C01', 'O11', 'A11', '2020-01-01'),
      customer('C02', 'O11', 'A11', '2020-01-01'),
      customer('C03', 'O12', 'A12', '2020-01-01'),
      customer('C04', 'O12', null, '2020-01-01'),
      customer('C05', 'O13', null, '2020-01-01'),
      customer('C06', 'O13', null, null),
      customer('C07', 'B01', null, '2020-01-01'),
      customer('C08', 'S21', null, '2020-01-01'),
      customer('C09', 'O21', null, '2020-01-01'),
      customer('C10', 'O21', null, '2020-01-01'),
      customer('C11', 'O21', null, '2020-01-01'),
      customer('C12', 'O22', null, '2020-01-01'),
      customer('C13', 'O22', null, null),
      customer('C14', 'O22', null, '2026-12-10'),
      ...['C15', 'C16', 'C17', 'C18', 'C19'].map((id) => customer(id, 'RC', null, '2020-01-01')),
    ],
  ],
];

/** kpi_progress rows of the previous season (2025-26) for LAST_SEASON. */
const progress = (asOf: string, kpi: string, scope: string, period: string, actual: string) => {
  const [a, b] = period === 'Q4' ? ['2025-11-15', '2025-12-31'] : period.split('..');
  return `(DATE '${asOf}', DATE '2025-11-15', '${kpi}', 'ALL', 'ORG', '${scope}', 'BRANCH', 'HQ', '${period}',
           DATE '${a}', DATE '${b}', ${actual}, 0.5, FALSE)`;
};

const dir = mkdtempSync(join(tmpdir(), 'wangji-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
/** A CSV file of lines (a header first). */
const csv = (lines: string[], name = `t${++fileNo}.csv`) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

const HEADER = 'kpi,org_id,staff_id,period,target';

/** Targets as compact strings: "KPI ORG|STAFF id period=start..end target source". */
async function table(db: TestDb): Promise<string[]> {
  return (await listTargets(db, { season: 2026, config })).map(
    (r) =>
      `${r.kpi} ${r.scope_kind} ${r.scope_id} ${r.period}=${r.period_start}..${r.period_end} ${r.target} ${r.source}`,
  );
}

async function loadErrors(p: Promise<unknown>): Promise<TargetFileError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TargetFileError);
  return e as TargetFileError;
}

describe('apportioning and values', () => {
  it('apportions by largest remainder, ties to the lower id in byte order, summing exactly', () => {
    const parts = (ws: [string, number][]) => ws.map(([id, w]) => ({ id, weight: BigInt(w) }));
    // 100 over 1:1:1 → 33 each and 1 left: equal remainders, so the lowest id.
    expect(
      apportion(
        100n,
        parts([
          ['O11', 1],
          ['O12', 1],
          ['O13', 1],
        ]),
      ),
    ).toEqual([34n, 33n, 33n]);
    // 1000 over 7:6 → 538.46 and 461.54: floors 538 + 461 = 999; remainders 6/13 and 7/13 → B02.
    expect(
      apportion(
        1000n,
        parts([
          ['B01', 7],
          ['B02', 6],
        ]),
      ),
    ).toEqual([538n, 462n]);
    // Byte order: 'B' (0x42) sorts before 'a' (0x61) whatever the locale says.
    expect(
      apportion(
        1n,
        parts([
          ['a1', 1],
          ['B1', 1],
        ]),
      ),
    ).toEqual([0n, 1n]);
    // 10,000 fen over 1:2:3:4 → 1000, 2000, 3000, 4000 exactly; 7 over 3:3:1 → 3, 3, 1.
    expect(
      apportion(
        10_000n,
        parts([
          ['a', 1],
          ['b', 2],
          ['c', 3],
          ['d', 4],
        ]),
      ),
    ).toEqual([1000n, 2000n, 3000n, 4000n]);
    expect(
      apportion(
        7n,
        parts([
          ['x', 3],
          ['y', 3],
          ['z', 1],
        ]),
      ),
    ).toEqual([3n, 3n, 1n]);
    expect(() => apportion(5n, parts([['x', 0]]))).toThrow(TargetError);
  });

  it('reads targets exactly: separators, trailing zeros, units', () => {
    expect(parseTargetValue('1,200', 'NEW_CUSTOMERS')).toEqual({ value: '1200' });
    expect(parseTargetValue('12.50', 'PAYROLL_AMOUNT')).toEqual({ value: '12.50' });
    expect(parseTargetValue('12.500', 'PAYROLL_AMOUNT')).toEqual({ value: '12.50' });
    expect(parseTargetValue('7.0', 'NEW_CUSTOMERS')).toEqual({ value: '7' });
    expect(parseTargetValue('99999999999999999.99', 'AUM_GROWTH')).toEqual({ value: '99999999999999999.99' });
    expect(parseTargetValue('1e3', 'NEW_CUSTOMERS')).toEqual({ error: '"1e3" is not a number' });
    expect(parseTargetValue('1234567890123456789', 'AUM_GROWTH')).toEqual({
      error: '1234567890123456789 is too large (at most 18 digits before the decimal point)',
    });
  });

  it('neutralises text a spreadsheet would run as a formula, and parses RFC 4180 CSV', () => {
    expect(['=1+1', '+86', '-x', '@SUM', '\tx', '＝x', '＋x', '－x', '＠x', 'B01'].map(neutralise)).toEqual([
      "'=1+1",
      "'+86",
      "'-x",
      "'@SUM",
      "'\tx",
      "'＝x",
      "'＋x",
      "'－x",
      "'＠x",
      'B01',
    ]);
    expect(parseCsv('a;b\r\n"x;""y""\nz";2\n')).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: ['x;"y"\nz', '2'] },
    ]);
  });
});

describeEachEngine('targets', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.execute('DELETE FROM targets');
  });

  it('loads a CSV (BOM, case-insensitive and Chinese headers, quoted cells, an extra column) for the season of a date', async () => {
    const path = join(dir, 'targets.csv');
    writeFileSync(
      path,
      `\uFEFF${[
        'KPI,机构,Staff_ID,期间,目标,备注',
        'NEW_CUSTOMERS,HQ,,Q4,1000,总行',
        'new_customers,B01,,SEASON,"1,200",',
        'DEPOSIT_ADB_GROWTH,HQ,,YEAR_END,100.5,',
        '',
        'NEW_CUSTOMERS,,A11,2026-12-01..2026-12-31,5,',
        'AUM_GROWTH,O11,, 2026-11-01 .. 2026-11-30 ,"20.00","a, b"',
      ].join('\r\n')}\r\n`,
    );
    const r = await loadTargets(db, { file: path, config, season: AS_OF, loadedAt: LOADED_AT });
    expect(r).toMatchObject({
      season: '2026-27',
      season_start: '2026-11-15',
      format: 'csv',
      encoding: 'UTF-8 (BOM)',
      ignored_columns: ['备注'],
      rows: 5,
      inserted: 5,
      replaced: 0,
      unchanged: 0,
    });
    expect(await table(db)).toEqual([
      'NEW_CUSTOMERS ORG B01 SEASON=2026-11-15..2027-03-31 1200 FILE',
      'NEW_CUSTOMERS ORG HQ Q4=2026-11-15..2026-12-31 1000 FILE',
      'NEW_CUSTOMERS STAFF A11 2026-12-01..2026-12-31=2026-12-01..2026-12-31 5 FILE',
      'DEPOSIT_ADB_GROWTH ORG HQ YEAR_END=2026-11-15..2026-12-31 100.50 FILE',
      // clipped to the season
      'AUM_GROWTH ORG O11 2026-11-15..2026-11-30=2026-11-15..2026-11-30 20.00 FILE',
    ]);
    const [row] = await listTargets(db, { season: 2026, config, scope: 'A11' });
    expect(row).toMatchObject({
      scope_name: '经理甲',
      source: 'FILE',
      source_ref: 'targets.csv',
      loaded_at: '2026-11-28T02:00:00.000Z',
    });
  });

  it('reads a CSV saved in GBK (Excel on a Chinese Windows) and refuses one that is neither UTF-8 nor GBK', async () => {
    const gbk = join(dir, 'gbk.csv');
    // "kpi,机构,staff_id,period,目标" in GBK, then one row.
    writeFileSync(
      gbk,
      Buffer.concat([
        Buffer.from('kpi,'),
        Buffer.from('bbfab9b9', 'hex'),
        Buffer.from(',staff_id,period,'),
        Buffer.from('c4bfb1ea', 'hex'),
        Buffer.from('\r\nNEW_CUSTOMERS,B01,,Q4,8\r\n'),
      ]),
    );
    expect(await loadTargets(db, { file: gbk, config, season: 2026 })).toMatchObject({
      encoding: 'GBK',
      rows: 1,
    });
    expect(await table(db)).toEqual(['NEW_CUSTOMERS ORG B01 Q4=2026-11-15..2026-12-31 8 FILE']);
    const junk = join(dir, 'junk.csv');
    writeFileSync(junk, Buffer.from([0x6b, 0x70, 0x69, 0x81, 0x7f, 0x0a]));
    expect((await loadErrors(loadTargets(db, { file: junk, config, season: 2026 }))).errors).toEqual([
      'junk.csv: not valid UTF-8, nor GBK — save it as "CSV UTF-8"',
    ]);
    await expect(loadTargets(db, { file: join(dir, 'targets.txt'), config, season: 2026 })).rejects.toThrow(
      'targets.txt: not a .csv or .xlsx file',
    );
  });

  it('loads the first sheet of an XLSX workbook (numbers, formulas, rich text, blank rows keep the row numbers)', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('任务');
    wb.addWorksheet('other').addRow(['ignored']);
    sheet.addRow(['指标', '机构', '员工', '期间', '目标', '机构名称']);
    sheet.addRow(['NEW_CUSTOMERS', 'B01', null, 'Q4', 250, '一分行']);
    sheet.addRow([]);
    sheet.addRow(['PAYROLL_AMOUNT', 'B02', null, 'NEW_YEAR', 1234.56]);
    sheet.addRow(['NEW_CUSTOMERS', 'B02', null, 'Q4', { formula: '100+20', result: 120 }]);
    sheet.addRow([{ richText: [{ text: 'SSC_GEN3_' }, { text: 'ISSUED' }] }, null, 'A13', 'q1', '30']);
    const path = join(dir, 'targets.xlsx');
    await wb.xlsx.writeFile(path);
    const r = await loadTargets(db, { file: path, config, season: 2026, loadedAt: LOADED_AT });
    expect(r).toMatchObject({ format: 'xlsx', rows: 4, inserted: 4, ignored_columns: ['机构名称'] });
    expect(await table(db)).toEqual([
      'NEW_CUSTOMERS ORG B01 Q4=2026-11-15..2026-12-31 250 FILE',
      'NEW_CUSTOMERS ORG B02 Q4=2026-11-15..2026-12-31 120 FILE',
      'PAYROLL_AMOUNT ORG B02 NEW_YEAR=2027-01-01..2027-02-20 1234.56 FILE',
      'SSC_GEN3_ISSUED STAFF A13 Q1=2027-01-01..2027-03-31 30 FILE',
    ]);

    // A problem in a workbook names the sheet's row (row 3 is blank).
    sheet.getRow(4).getCell(5).value = -5;
    sheet.getRow(5).getCell(5).value = { formula: 'A1*0.3', result: 33.300000000000004 };
    await wb.xlsx.writeFile(path);
    const e = await loadErrors(loadTargets(db, { file: path, config, season: 2026 }));
    expect(e.errors).toEqual([
      'row 4, column target: -5 is negative',
      'row 5, column target: 33.300000000000004 is not a whole number (NEW_CUSTOMERS counts whole things)',
    ]);
  });

  it('checks every row first and names each problem by row and column; with any problem nothing is loaded', async () => {
    await loadTargets(db, { file: csv([HEADER, 'NEW_CUSTOMERS,O21,,Q4,9']), config, season: 2026 });
    const before = await table(db);
    const path = csv([
      HEADER,
      'NEW_CUSTOMERS,B01,,Q4,100',
      'NO_SUCH_KPI,B01,,Q4,1',
      'NEW_CUSTOMERS,ZZZ,,Q4,1',
      'NEW_CUSTOMERS,,NOBODY,Q4,1',
      'MERCHANTS_NEW,,A11,Q4,1',
      'NEW_CUSTOMERS,B02,,Q4,-5',
      'NEW_CUSTOMERS,O11,,Q4,abc',
      'NEW_CUSTOMERS,O12,,Q4,12.5',
      'DEPOSIT_ADB_GROWTH,O12,,Q4,1.234',
      'NEW_CUSTOMERS,O13,,Q5,1',
      'NEW_CUSTOMERS,O13,,2026-04-01..2026-06-30,1',
      'NEW_CUSTOMERS,B01,,YEAR_END,7',
      'NEW_CUSTOMERS,B01,A11,Q4,1',
      'NEW_CUSTOMERS,,,Q4,1',
      'FOO,,,,',
    ]);
    const e = await loadErrors(loadTargets(db, { file: path, config, season: 2026 }));
    expect(e.errors).toEqual([
      'row 3, column kpi: "NO_SUCH_KPI" is not a KPI (the KPIs are listed in docs/targets.md)',
      'row 4, column org_id: "ZZZ" is not an org (not in the orgs extract)',
      'row 5, column staff_id: "NOBODY" is not a staff member (not in the staff extract)',
      'row 6, column staff_id: MERCHANTS_NEW has no staff targets (it credits orgs only)',
      'row 7, column target: -5 is negative',
      'row 8, column target: "abc" is not a number',
      'row 9, column target: 12.5 is not a whole number (NEW_CUSTOMERS counts whole things)',
      'row 10, column target: 1.234 has more than 2 decimals',
      'row 11, column period: period "Q5": not one of SEASON, YEAR_END, NEW_YEAR, CONSOLIDATION, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD',
      'row 12, column period: period "2026-04-01..2026-06-30" (2026-04-01..2026-06-30) is wholly outside the season 2026-27 (2026-11-15..2027-03-31)',
      'row 13, column period: YEAR_END (2026-11-15..2026-12-31) repeats row 2: same kpi, org B01 and period',
      'row 14, column staff_id: give org_id or staff_id, not both',
      'row 15, column org_id: empty — give org_id or staff_id',
      'row 16, column kpi: "FOO" is not a KPI (the KPIs are listed in docs/targets.md)',
      'row 16, column org_id: empty — give org_id or staff_id',
      'row 16, column period: empty — give SEASON, a phase, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD',
      'row 16, column target: empty — give the target',
    ]);
    expect(e.message).toMatch(/^t\d+\.csv: 17 problems, nothing loaded — row 3, column kpi/);
    expect(await table(db)).toEqual(before);

    // A file whose header lacks a column fails as a whole.
    const noTarget = await loadErrors(
      loadTargets(db, {
        file: csv(['kpi,org_id,staff_id,period', 'NEW_CUSTOMERS,B01,,Q4']),
        config,
        season: 2026,
      }),
    );
    expect(noTarget.errors).toEqual([
      'row 1: the header lacks target (目标) — the columns are kpi, org_id, staff_id, period, target',
    ]);
  });

  it('loads nothing from a file whose last row is bad, and reports at most 50 problems', async () => {
    const orgs = ['HQ', 'B01', 'B02', 'O11', 'O12', 'O13', 'S21', 'O21', 'O22', 'RC'];
    const kpis = ['NEW_CUSTOMERS', 'SSC_GEN3_ISSUED', 'COUNTY_DEBIT_ISSUED', 'ECNY_WALLETS'];
    const good = orgs.flatMap((o) => kpis.map((k) => `${k},${o},,SEASON,10`));
    const e = await loadErrors(
      loadTargets(db, { file: csv([HEADER, ...good, 'NEW_CUSTOMERS,O22,,Q4,1.5']), config, season: 2026 }),
    );
    expect(e.errors).toEqual([
      'row 42, column target: 1.5 is not a whole number (NEW_CUSTOMERS counts whole things)',
    ]);
    expect(await table(db)).toEqual([]);

    const many = await loadErrors(
      loadTargets(db, {
        file: csv([HEADER, ...Array.from({ length: 60 }, (_, i) => `NEW_CUSTOMERS,B01,,Q4,-${i + 1}`)]),
        config,
        season: 2026,
      }),
    );
    expect(many.total).toBe(60);
    expect(many.errors).toHaveLength(50);
    expect(many.errors[49]).toBe('row 51, column target: -50 is negative');

    // The whole file was good: all 40 rows.
    await loadTargets(db, { file: csv([HEADER, ...good]), config, season: 2026 });
    expect(await table(db)).toHaveLength(40);
  });

  it('a reload replaces the keys it names, keeps the others, and a file that changes nothing changes nothing', async () => {
    const first = csv([HEADER, 'NEW_CUSTOMERS,B01,,Q4,100', 'NEW_CUSTOMERS,B02,,Q4,50'], 'first.csv');
    await loadTargets(db, { file: first, config, season: 2026, loadedAt: LOADED_AT });
    const second = csv(
      [
        HEADER,
        'NEW_CUSTOMERS,B01,,YEAR_END,120',
        'NEW_CUSTOMERS,O11,,SEASON,5',
        'NEW_CUSTOMERS,B02,,Q4,50.00',
      ],
      'second.csv',
    );
    const r = await loadTargets(db, { file: second, config, season: 2026 });
    expect(r).toMatchObject({ rows: 3, inserted: 1, replaced: 1, unchanged: 1 });
    // B01's Q4 and YEAR_END are the same dates, so the same key: replaced (label and target).
    expect(await table(db)).toEqual([
      'NEW_CUSTOMERS ORG B01 YEAR_END=2026-11-15..2026-12-31 120 FILE',
      'NEW_CUSTOMERS ORG B02 Q4=2026-11-15..2026-12-31 50 FILE',
      'NEW_CUSTOMERS ORG O11 SEASON=2026-11-15..2027-03-31 5 FILE',
    ]);
    const rows = await listTargets(db, { season: 2026, config });
    expect(rows.map((x) => [x.scope_id, x.source_ref])).toEqual([
      ['B01', 'second.csv'],
      ['B02', 'first.csv'], // unchanged: kept as it was loaded
      ['O11', 'second.csv'],
    ]);
    expect(rows[1]?.loaded_at).toBe('2026-11-28T02:00:00.000Z');
    // The same targets for another season are other keys.
    await loadTargets(db, { file: first, config, season: 2025 });
    expect(await listTargets(db, { season: 2025, config })).toHaveLength(2);
    expect(await table(db)).toHaveLength(3);
  });

  it('splits by customers over child orgs (not the remote centre), then over outlets: 1000 → 538, 462; 100 → 34, 33, 33', async () => {
    await loadTargets(db, {
      file: csv([HEADER, 'NEW_CUSTOMERS,HQ,,Q4,1000', 'NEW_CUSTOMERS,B01,,Q4,100']),
      config,
      season: 2026,
    });
    const hq = await splitTarget(db, { kpi: 'NEW_CUSTOMERS', period: 'Q4', from: 'HQ', asOf: AS_OF, config });
    // B01 : B02 = 7 : 6 → 538.46…, 461.53…; the unit left goes to the larger remainder (B02: 7/13).
    expect(hq).toMatchObject({
      season: '2026-27',
      parent_target: '1000',
      parent_source: 'TARGETS',
      by: 'CUSTOMERS',
      source_ref: 'split of HQ by CUSTOMERS',
      rows: [
        { scope_kind: 'ORG', scope_id: 'B01', name: '一分行', measure: '7', target: '538' },
        { scope_kind: 'ORG', scope_id: 'B02', name: '二分行', measure: '6', target: '462' },
      ],
    });
    const b01 = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'YEAR_END',
      from: 'B01',
      asOf: AS_OF,
      config,
    });
    // B01's own target (loaded 100, replaced by HQ's split: 538) over O11 : O12 : O13 = 2 : 2 : 2.
    expect(b01.rows.map((r) => [r.scope_id, r.measure, r.target])).toEqual([
      ['O11', '2', '180'],
      ['O12', '2', '179'],
      ['O13', '2', '179'],
    ]);
    await loadTargets(db, { file: csv([HEADER, 'NEW_CUSTOMERS,B01,,Q4,100']), config, season: 2026 });
    const again = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q4',
      from: 'B01',
      asOf: AS_OF,
      config,
    });
    expect(again.rows.map((r) => r.target)).toEqual(['34', '33', '33']);
    expect(await table(db)).toEqual([
      'NEW_CUSTOMERS ORG B01 Q4=2026-11-15..2026-12-31 100 FILE',
      'NEW_CUSTOMERS ORG B02 Q4=2026-11-15..2026-12-31 462 SPLIT',
      'NEW_CUSTOMERS ORG HQ Q4=2026-11-15..2026-12-31 1000 FILE',
      'NEW_CUSTOMERS ORG O11 Q4=2026-11-15..2026-12-31 34 SPLIT',
      'NEW_CUSTOMERS ORG O12 Q4=2026-11-15..2026-12-31 33 SPLIT',
      'NEW_CUSTOMERS ORG O13 Q4=2026-11-15..2026-12-31 33 SPLIT',
    ]);
    const [o11] = await listTargets(db, { season: 2026, config, scope: 'O11' });
    expect(o11?.source_ref).toBe('split of B01 by CUSTOMERS');
    // Customers are counted as of the date: by 2026-12-10 C14 has joined O22 (B02 : B01 = 7 : 7).
    const later = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q4',
      from: 'HQ',
      asOf: '2026-12-10',
      config,
    });
    expect(later.rows.map((r) => [r.measure, r.target])).toEqual([
      ['7', '500'],
      ['7', '500'],
    ]);
  });

  it('splits money to the fen: 100.00 over 7 : 6 → 53.85, 46.15; over 1 : 1 : 1 → 33.34, 33.33, 33.33', async () => {
    await loadTargets(db, {
      file: csv([HEADER, 'DEPOSIT_ADB_GROWTH,HQ,,SEASON,100', 'PAYROLL_AMOUNT,B01,,SEASON,100.00']),
      config,
      season: 2026,
    });
    // 10,000 fen × 7/13 = 5384 r 8, × 6/13 = 4615 r 5: the fen left goes to B01.
    const hq = await splitTarget(db, {
      kpi: 'DEPOSIT_ADB_GROWTH',
      period: 'SEASON',
      from: 'HQ',
      asOf: AS_OF,
      config,
    });
    expect(hq.rows.map((r) => [r.scope_id, r.target])).toEqual([
      ['B01', '53.85'],
      ['B02', '46.15'],
    ]);
    const b01 = await splitTarget(db, {
      kpi: 'PAYROLL_AMOUNT',
      period: 'SEASON',
      from: 'B01',
      asOf: AS_OF,
      config,
    });
    expect(b01.rows.map((r) => r.target)).toEqual(['33.34', '33.33', '33.33']);
    expect(await table(db)).toContain('PAYROLL_AMOUNT ORG O13 SEASON=2026-11-15..2027-03-31 33.33 SPLIT');
  });

  it('splits equally (7 over S21 and O22 → O22 4, S21 3: ties go to the lower id in byte order)', async () => {
    await loadTargets(db, { file: csv([HEADER, 'NEW_CUSTOMERS,B02,,Q1,7']), config, season: 2026 });
    const r = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q1',
      from: 'B02',
      by: 'EQUAL',
      asOf: AS_OF,
      config,
    });
    expect(r.rows.map((c) => [c.scope_id, c.measure, c.target])).toEqual([
      ['O22', '1', '4'],
      ['S21', '1', '3'],
    ]);
    // By customers it would be S21 : O22 = 4 : 2 → 4.67, 2.33 → S21 5, O22 2.
    const byCustomers = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q1',
      from: 'B02',
      asOf: AS_OF,
      config,
    });
    expect(byCustomers.rows.map((c) => [c.scope_id, c.measure, c.target])).toEqual([
      ['O22', '2', '2'],
      ['S21', '4', '5'],
    ]);
  });

  it('splits to staff by the customers they manage (an outlet always goes to its staff); refuses org-only KPIs', async () => {
    await loadTargets(db, {
      file: csv([HEADER, 'NEW_CUSTOMERS,O11,,Q4,10', 'NEW_CUSTOMERS,B01,,Q4,9', 'MERCHANTS_NEW,O11,,Q4,3']),
      config,
      season: 2026,
    });
    // A11 : A12 = 2 : 1 → 6.67, 3.33 → 7, 3.
    const o11 = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q4',
      from: 'O11',
      asOf: AS_OF,
      config,
    });
    expect(o11.rows).toEqual([
      { scope_kind: 'STAFF', scope_id: 'A11', name: '经理甲', measure: '2', target: '7' },
      { scope_kind: 'STAFF', scope_id: 'A12', name: '－小李', measure: '1', target: '3' },
    ]);
    // --to-staff on a branch: its own staff only (BM1 manages nobody: split equally).
    const b01 = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q4',
      from: 'B01',
      by: 'EQUAL',
      toStaff: true,
      asOf: AS_OF,
      config,
    });
    expect(b01.rows.map((c) => [c.scope_id, c.target])).toEqual([['BM1', '9']]);
    await expect(
      splitTarget(db, {
        kpi: 'NEW_CUSTOMERS',
        period: 'Q4',
        from: 'B01',
        toStaff: true,
        asOf: AS_OF,
        config,
      }),
    ).rejects.toThrow(
      'every staff member of B01 measures 0 by CUSTOMERS (customers as of 2026-12-01): split with --by EQUAL',
    );
    await expect(
      splitTarget(db, { kpi: 'MERCHANTS_NEW', period: 'Q4', from: 'O11', asOf: AS_OF, config }),
    ).rejects.toThrow(
      'MERCHANTS_NEW has no staff targets (it credits orgs only): split over child orgs instead',
    );
    expect(await table(db)).toEqual([
      'NEW_CUSTOMERS ORG B01 Q4=2026-11-15..2026-12-31 9 FILE',
      'NEW_CUSTOMERS ORG O11 Q4=2026-11-15..2026-12-31 10 FILE',
      'NEW_CUSTOMERS STAFF A11 Q4=2026-11-15..2026-12-31 7 SPLIT',
      'NEW_CUSTOMERS STAFF A12 Q4=2026-11-15..2026-12-31 3 SPLIT',
      'NEW_CUSTOMERS STAFF BM1 Q4=2026-11-15..2026-12-31 9 SPLIT',
      'MERCHANTS_NEW ORG O11 Q4=2026-11-15..2026-12-31 3 FILE',
    ]);
  });

  it("splits by last season's actuals at that season's latest published date", async () => {
    await db.execute('DELETE FROM kpi_progress');
    await insertBank(db, [
      [
        'kpi_progress',
        'as_of, season_start, kpi, program, scope_kind, scope_id, scope_level, parent_id, period, period_start, period_end, actual, time_progress, laggard',
        [
          progress('2026-03-20', 'NEW_CUSTOMERS', 'B01', 'Q4', '10'),
          progress('2026-03-20', 'NEW_CUSTOMERS', 'B02', 'Q4', '30'),
          progress('2026-03-31', 'NEW_CUSTOMERS', 'B01', 'Q4', '30'),
          progress('2026-03-31', 'NEW_CUSTOMERS', 'B02', 'Q4', '10'),
          progress('2026-03-31', 'NEW_CUSTOMERS', 'B01', '2025-12-01..2025-12-31', '1'),
          progress('2026-03-31', 'NEW_CUSTOMERS', 'B02', '2025-12-01..2025-12-31', '2'),
          progress('2026-03-31', 'AUM_GROWTH', 'B01', 'Q4', '-5.00'),
          progress('2026-03-31', 'AUM_GROWTH', 'B02', 'Q4', '7.50'),
        ],
      ],
    ]);
    await loadTargets(db, {
      file: csv([
        HEADER,
        'NEW_CUSTOMERS,HQ,,Q4,1000',
        'NEW_CUSTOMERS,HQ,,2026-12-01..2026-12-31,30',
        'AUM_GROWTH,HQ,,Q4,1000000',
        'ECNY_WALLETS,HQ,,Q4,10',
      ]),
      config,
      season: 2026,
    });
    const split = (kpi: string, period: string) =>
      splitTarget(db, { kpi, period, from: 'HQ', by: 'LAST_SEASON', asOf: AS_OF, config });
    // 30 : 10 as of 2026-03-31 (not the 10 : 30 of 03-20).
    const q4 = await split('NEW_CUSTOMERS', 'Q4');
    expect(q4).toMatchObject({
      basis_as_of: '2026-03-31',
      source_ref: 'split of HQ by LAST_SEASON',
      notes: [],
    });
    expect(q4.rows.map((r) => [r.scope_id, r.measure, r.target])).toEqual([
      ['B01', '30.00', '750'],
      ['B02', '10.00', '250'],
    ]);
    // An explicit range is compared with the same dates a year earlier.
    const december = await split('NEW_CUSTOMERS', '2026-12-01..2026-12-31');
    expect(december.rows.map((r) => r.target)).toEqual(['10', '20']);
    // A negative actual counts as 0.
    const aum = await split('AUM_GROWTH', 'Q4');
    expect(aum.rows.map((r) => r.target)).toEqual(['0.00', '1000000.00']);
    expect(aum.notes).toEqual(['a negative actual counts as 0: B01']);
    await expect(split('ECNY_WALLETS', 'Q4')).rejects.toThrow(
      '--by LAST_SEASON: no published progress of ECNY_WALLETS over Q4 in season 2025-26 (runs of that season publish it) — split --by CUSTOMERS or EQUAL',
    );
  });

  it("takes the parent's target from the season file when the table has none, and says what is missing", async () => {
    const doc = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
    doc.targets = [
      { kpi: 'NEW_CUSTOMERS', org: 'B01', period: '2027-01-01..2027-03-31', target: '60' },
      { kpi: 'NEW_CUSTOMERS', level: 'BRANCH', period: 'Q1', target: 90 },
    ];
    const withTargets = parseSeasonConfig(stringify(doc), 'test season');
    const r = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q1',
      from: 'B01',
      by: 'EQUAL',
      asOf: AS_OF,
      config: withTargets,
    });
    // As the pipeline reads the file, the first entry for the key wins: B01's own (the same dates as Q1).
    expect(r).toMatchObject({ parent_target: '60', parent_source: 'SEASON_FILE' });
    expect(r.rows.map((c) => c.target)).toEqual(['20', '20', '20']);
    const b02 = await splitTarget(db, {
      kpi: 'NEW_CUSTOMERS',
      period: 'Q1',
      from: 'B02',
      by: 'EQUAL',
      asOf: AS_OF,
      config: withTargets,
    });
    expect(b02.parent_target).toBe('90');
    await expect(
      splitTarget(db, { kpi: 'NEW_CUSTOMERS', period: 'Q4', from: 'B01', asOf: AS_OF, config }),
    ).rejects.toThrow(
      "no target for NEW_CUSTOMERS of org B01 over Q4 (2026-11-15..2026-12-31) in season 2026-27 — load one (wangji targets load) or set it in the season file's targets:, then split",
    );
    await expect(
      splitTarget(db, { kpi: 'NEW_CUSTOMERS', period: 'Q4', from: 'NOPE', asOf: AS_OF, config }),
    ).rejects.toThrow('no org "NOPE" in the orgs extract');
    await expect(
      splitTarget(db, { kpi: 'NEW_CUSTOMER', period: 'Q4', from: 'B01', asOf: AS_OF, config }),
    ).rejects.toThrow(/^unknown KPI "NEW_CUSTOMER"/);
    await loadTargets(db, { file: csv([HEADER, 'MERCHANTS_NEW,O13,,Q4,4']), config, season: 2026 });
    await expect(
      splitTarget(db, { kpi: 'MERCHANTS_NEW', period: 'Q4', from: 'O13', asOf: AS_OF, config }),
    ).rejects.toThrow('MERCHANTS_NEW has no staff targets');
  });

  it('export → load round-trips (CSV and XLSX) and leaves the table unchanged; exported text cannot run as a formula', async () => {
    await loadTargets(db, {
      file: csv([
        HEADER,
        'NEW_CUSTOMERS,HQ,,Q4,1000',
        'NEW_CUSTOMERS,O11,,Q4,10',
        'NEW_CUSTOMERS,=EVIL,,SEASON,3',
        'PAYROLL_AMOUNT,B01,,2026-12-01..2026-12-31,1234567.89',
        'AUM_GROWTH,B02,,NEW_YEAR,99999999999999999.99',
      ]),
      config,
      season: 2026,
      loadedAt: LOADED_AT,
    });
    await splitTarget(db, { kpi: 'NEW_CUSTOMERS', period: 'Q4', from: 'HQ', asOf: AS_OF, config });
    await splitTarget(db, { kpi: 'NEW_CUSTOMERS', period: 'Q4', from: 'O11', asOf: AS_OF, config });
    const before = await listTargets(db, { season: 2026, config });
    expect(before).toHaveLength(9);

    const out = join(dir, 'export.csv');
    expect(await exportTargets(db, { season: 2026, config, out })).toEqual({
      file: out,
      season: '2026-27',
      rows: 9,
    });
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFFkpi,org_id,staff_id,period,target,org_name,staff_name\r\n')).toBe(true);
    expect(text).toContain(`NEW_CUSTOMERS,'=EVIL,,SEASON,3,"'=HYPERLINK(""http://x"",""点我"")",\r\n`);
    expect(text).toContain("NEW_CUSTOMERS,,A12,Q4,3,,'－小李\r\n");
    expect(text).toContain('PAYROLL_AMOUNT,B01,,2026-12-01..2026-12-31,1234567.89,一分行,\r\n');
    const again = await loadTargets(db, { file: out, config, season: 2026 });
    expect(again).toMatchObject({ rows: 9, inserted: 0, replaced: 0, unchanged: 9 });
    expect(await listTargets(db, { season: 2026, config })).toEqual(before);

    const xlsx = join(dir, 'export.xlsx');
    await exportTargets(db, { season: 2026, config, out: xlsx });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const sheet = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'kpi',
      'org_id',
      'staff_id',
      'period',
      'target',
      'org_name',
      'staff_name',
    ]);
    const cells = (sheet.getSheetValues() as unknown[][]).flat();
    expect(cells).toContain("'=EVIL");
    expect(cells).toContain(1234567.89); // a number a spreadsheet can sum …
    expect(cells).toContain('99999999999999999.99'); // … unless a double cannot hold it exactly
    expect(await loadTargets(db, { file: xlsx, config, season: 2026 })).toMatchObject({ unchanged: 9 });
    expect(await listTargets(db, { season: 2026, config })).toEqual(before);

    // Edit one target in the export and load it again: only that row changes.
    writeFileSync(out, text.replace('NEW_CUSTOMERS,O11,,Q4,10,', 'NEW_CUSTOMERS,O11,,Q4,12,'));
    expect(await loadTargets(db, { file: out, config, season: 2026 })).toMatchObject({
      replaced: 1,
      unchanged: 8,
    });
    expect(await table(db)).toContain('NEW_CUSTOMERS ORG O11 Q4=2026-11-15..2026-12-31 12 FILE');
  });
});

/** Run the CLI in-process; returns exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await run(['node', 'wangji', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describeEachEngine('wangji targets', (engine) => {
  it('loads, refuses a bad file with every problem, splits, exports and lists; the season defaults to the latest published run', async () => {
    const db = await engine.open();
    try {
      await insertBank(db, bank);
      // The latest published run is in season 2025-26 (a later failed run does not count).
      await db.exec(`INSERT INTO runs (run_id, as_of, stage, started_at, finished_at, status, message, models) VALUES
        (1, DATE '2026-03-20', NULL, TIMESTAMP '2026-03-21 01:00:00', TIMESTAMP '2026-03-21 01:10:00', 'PUBLISHED', NULL, '[]'),
        (2, DATE '2026-03-21', NULL, TIMESTAMP '2026-03-22 01:00:00', TIMESTAMP '2026-03-22 01:10:00', 'FAILED', 'x', '[]')`);
      await db.release();
      const at = ['--db', db.target.location];

      const good = csv([HEADER, 'NEW_CUSTOMERS,HQ,,Q4,1000', 'NEW_CUSTOMERS,B01,,Q4,100'], 'cli.csv');
      const load = await cli('targets', 'load', good, ...at);
      expect(load.stderr).toBe('');
      expect(load.code).toBe(0);
      expect(load.stdout).toContain(
        `已载入 Loaded 2 targets for season 2025-26 from ${good}: 新增 new 2, 替换 replaced 0, 未变 unchanged 0`,
      );
      const bad = csv(
        [HEADER, 'NEW_CUSTOMERS,B01,,Q4,1', 'NEW_CUSTOMERS,B02,,Q4,-5', 'NOPE,B02,,Q4,1'],
        'bad.csv',
      );
      const refused = await cli('targets', 'load', bad, '--season', '2026', ...at);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        [
          'wangji: bad.csv: 2 problems, nothing loaded:',
          'wangji:   row 3, column target: -5 is negative',
          'wangji:   row 4, column kpi: "NOPE" is not a KPI (the KPIs are listed in docs/targets.md)',
          '',
        ].join('\n'),
      );

      await cli('targets', 'load', good, '--season', '2026', ...at);
      const split = await cli(
        'targets',
        'split',
        '--kpi',
        'NEW_CUSTOMERS',
        '--period',
        'Q4',
        '--from',
        'HQ',
        '--as-of',
        AS_OF,
        '--json',
        ...at,
      );
      expect(split.code).toBe(0);
      expect(JSON.parse(split.stdout).rows.map((r: { target: string }) => r.target)).toEqual(['538', '462']);
      const text = await cli(
        'targets',
        'split',
        '--kpi',
        'new_customers',
        '--period',
        'q4',
        '--from',
        'B01',
        '--by',
        'equal',
        '--as-of',
        AS_OF,
        ...at,
      );
      expect(text.stdout).toMatch(
        /已分解 Split NEW_CUSTOMERS 新增客户 Q4 \(2026-11-15\.\.2026-12-31\), season 2026-27: B01 一分行 target 538 by EQUAL → 3 orgs/,
      );
      expect(text.stdout).toMatch(/ORG\s+O11\s+网点十一\s+1\s+180/);
      const missing = await cli(
        'targets',
        'split',
        '--kpi',
        'NEW_CUSTOMERS',
        '--period',
        'Q1',
        '--from',
        'B01',
        '--as-of',
        AS_OF,
        ...at,
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^wangji: no target for NEW_CUSTOMERS of org B01 over Q1/);
      const wrongBy = await cli(
        'targets',
        'split',
        '--kpi',
        'NEW_CUSTOMERS',
        '--period',
        'Q4',
        '--from',
        'B01',
        '--by',
        'MAGIC',
        ...at,
      );
      expect(wrongBy.code).not.toBe(0);

      const out = join(dir, 'cli-export.xlsx');
      const exported = await cli('targets', 'export', '--out', out, '--as-of', AS_OF, ...at);
      expect(exported.stdout).toContain(`已导出 Exported 6 targets of season 2026-27 to ${out}`);
      const list = await cli(
        'targets',
        'list',
        '--season',
        '2026',
        '--kpi',
        'NEW_CUSTOMERS',
        '--json',
        ...at,
      );
      expect(JSON.parse(list.stdout).map((r: { scope_id: string }) => r.scope_id)).toEqual([
        'B01',
        'B02',
        'HQ',
        'O11',
        'O12',
        'O13',
      ]);
      const listed = await cli('targets', 'list', ...at);
      expect(listed.stdout).toMatch(
        /NEW_CUSTOMERS\s+ORG\s+HQ\s+总行\s+Q4\s+2025-11-15\.\.2025-12-31\s+1000\s+FILE cli\.csv/,
      );
    } finally {
      await db.close();
    }
  });
});
