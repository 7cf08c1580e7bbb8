// The briefing workbook, read back twice: by exceljs (numbers are numbers with formats, frozen header,
// auto-filter, red/green conditional formats, summary first, no formulas) and by LibreOffice headless
// (what a bank's Excel or WPS would see: the same figures as kpi_progress).

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { type Briefing, buildBriefing } from './briefing.js';
import {
  CSV_ALL_SHEETS,
  CSV_ALL_SHEETS_AS_SHOWN,
  D,
  insertBriefingBank,
  P,
  parseCsv,
  SOFFICE,
  soffice,
} from './testing.js';
import { writeBriefingXlsx } from './xlsx.js';

const config = loadSeasonConfig();

async function readWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb;
}

const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);

/** Every cell of a workbook: none may hold a formula. */
function formulaCells(wb: ExcelJS.Workbook): string[] {
  const found: string[] = [];
  wb.eachSheet((ws) =>
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula || cell.formula) found.push(`${ws.name}!${cell.address}`);
      }),
    ),
  );
  return found;
}

describeEachEngine('weekly briefing workbook', (engine) => {
  let db: TestDb;
  let briefing: Briefing;
  const dir = mkdtempSync(join(tmpdir(), 'wangji-briefing-'));
  const file = join(dir, 'briefing.xlsx');
  beforeAll(async () => {
    db = await engine.open();
    await insertBriefingBank(db);
    await db.exec(`CREATE TABLE org_measures_history (as_of DATE, org_id VARCHAR, customers BIGINT,
      aum_d DECIMAL(38,2), deposits_d DECIMAL(38,2), adb_mtd DECIMAL(38,10), value_season DECIMAL(38,2))`);
    await db.exec(`INSERT INTO org_measures_history VALUES
      (DATE '2027-01-10', 'H', 20000, 1234567890.12, 987654321.98, 876543210.1234567891, 4567890.55)`);
    briefing = await buildBriefing(db, config, { asOf: D });
    await writeBriefingXlsx(briefing, 'zh', file);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('puts the summary first, then a sheet per KPI, with Chinese headers', async () => {
    const wb = await readWorkbook(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '概览',
      '新增客户',
      '代发金额',
      '三代社保卡发卡',
      '存款日均增量',
      '县域借记卡发卡',
    ]);
    expect(rowValues(wb.getWorksheet('新增客户') as ExcelJS.Worksheet, 1)).toEqual([
      '机构号',
      '机构名称',
      '考核周期',
      '完成值',
      '目标',
      '完成率',
      '时序进度',
      '进度差',
      '排名',
      '较上周增加',
      '排名变化',
      '是否落后',
    ]);
    // Money says yuan in its headers; balance KPIs add the daily increase needed.
    const adb = rowValues(wb.getWorksheet('存款日均增量') as ExcelJS.Worksheet, 1);
    expect(adb).toContain('完成值（元）');
    expect(adb.at(-1)).toBe('日均需增（元）');
    expect(formulaCells(wb)).toEqual([]);
  });

  it('stores the figures of kpi_progress as numbers with number formats', async () => {
    const ws = (await readWorkbook(file)).getWorksheet('新增客户') as ExcelJS.Worksheet;
    const published = await db.query<{
      scope_id: string;
      actual: string;
      target: string;
      completion: string;
      rank: number;
    }>(
      `SELECT scope_id, actual, target, completion, time_progress, gap, rank FROM kpi_progress
        WHERE as_of = DATE '2027-01-10' AND kpi = 'NEW_CUSTOMERS' AND scope_level = 'BRANCH' ORDER BY rank`,
    );
    expect(published).toHaveLength(5);
    published.forEach((p, i) => {
      const row = ws.getRow(i + 2);
      expect(row.getCell(1).value).toBe(p.scope_id);
      for (const [col, value, fmt] of [
        [4, p.actual, '#,##0'],
        [5, p.target, '#,##0'],
        [6, p.completion, '0.00%'],
        [9, p.rank, '0'],
      ] as const) {
        const cell = row.getCell(col);
        expect(cell.type).toBe(ExcelJS.ValueType.Number);
        expect(cell.value).toBe(Number(value));
        expect(cell.numFmt).toBe(fmt);
      }
    });
    // B1: ↑1 since last week (a number shown with an arrow), 220 more customers; not a laggard.
    expect(rowValues(ws, 3)).toEqual([
      'B1',
      '北京分行',
      '旺季全程',
      620,
      1200,
      0.516667,
      0.416058,
      0.100609,
      2,
      220,
      1,
      '否',
    ]);
    expect(ws.getRow(3).getCell(11).numFmt).toBe('"↑"0;"↓"0;"–"');
    // B5 had no row a week before: its changes are empty.
    expect(rowValues(ws, 5).slice(9)).toEqual([undefined, undefined, '是']);
    const money = (await readWorkbook(file)).getWorksheet('存款日均增量') as ExcelJS.Worksheet;
    const b1 = money.getRow(5);
    expect([b1.getCell(1).value, b1.getCell(4).value, b1.getCell(10).value, b1.getCell(13).value]).toEqual([
      'B1',
      1234567.89,
      234567.79,
      47067.9,
    ]);
    expect(b1.getCell(4).numFmt).toBe('#,##0.00');
    expect(b1.getCell(13).numFmt).toBe('#,##0.00');
  });

  it('freezes the header row, filters, and colours laggards and negative gaps red, the rest green', async () => {
    const ws = (await readWorkbook(file)).getWorksheet('新增客户') as ExcelJS.Worksheet;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, xSplit: 2 });
    expect(ws.autoFilter).toBe('A1:L6');
    expect(ws.headerFooter.oddHeader).toBe('&L旺季营销按周通报&C&B新增客户&R数据日期 2027-01-10');
    // Read back by exceljs, though its types do not declare it.
    const cf = (ws as unknown as { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] })
      .conditionalFormattings;
    expect(cf).toHaveLength(1);
    expect(cf[0]?.ref).toBe('A2:L6');
    expect(cf[0]?.rules.map((r) => [r.type, (r as { formulae: string[] }).formulae[0]])).toEqual([
      ['expression', 'OR($L2="是",AND(ISNUMBER($H2),$H2<0))'],
      ['expression', 'AND(ISNUMBER($H2),$H2>=0)'],
    ]);
    expect(cf[0]?.rules[0]?.style?.fill).toMatchObject({ bgColor: { argb: 'FFFFC7CE' } });
    expect(cf[0]?.rules[1]?.style?.fill).toMatchObject({ bgColor: { argb: 'FFC6EFCE' } });
  });

  it('summarises season, phase, days left, the week compared, headline measures and leaders', async () => {
    const ws = (await readWorkbook(file)).worksheets[0] as ExcelJS.Worksheet;
    const cells = new Map<string, unknown>();
    ws.eachRow((row) => {
      const [label, value] = rowValues(ws, row.number);
      if (typeof label === 'string') cells.set(label, value);
    });
    expect(ws.getCell('A1').value).toBe('旺季营销按周通报');
    expect(cells.get('旺季')).toBe('2026-27（2026-11-15 – 2027-03-31）');
    expect(cells.get('当前阶段')).toBe('新春攻坚 · 开门红（2027-01-01 – 2027-02-20）');
    expect(cells.get('阶段剩余天数')).toBe(41);
    expect(cells.get('旺季剩余天数')).toBe(80);
    expect(cells.get('数据日期')).toBe(D);
    expect(cells.get('对比日期（上周）')).toBe(P);
    expect(cells.get('客户数')).toBe(20000);
    expect(cells.get('金融资产 AUM（元）')).toBe(1234567890.12);
    expect(cells.get('价值贡献（元）')).toBe(4567890.55);
    // Leaders of NEW_CUSTOMERS: B2, B1, B4 on top; B3, B5 at the bottom (worst first).
    const leaders: unknown[][] = [];
    ws.eachRow((row) => {
      const v = rowValues(ws, row.number);
      if (v[0] === '新增客户') leaders.push([v[3], v[4], v[5]]);
    });
    expect(leaders).toEqual([
      ['第 1 名', '上海分行', 0.56],
      ['第 2 名', '北京分行', 0.516667],
      ['第 3 名', '深圳分行', 0.416667],
      ['倒数第 1', '广州分行', 0.25],
      ['倒数第 2', '成都分行', 0.285714],
    ]);
  });

  it('writes English headers and names with --lang en', async () => {
    const en = join(dir, 'briefing-en.xlsx');
    await writeBriefingXlsx(briefing, 'en', en);
    const wb = await readWorkbook(en);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'New customers',
      'Payroll amount',
      'Gen-3 social security cards iss',
      'Deposit ADB growth',
      'County debit cards issued',
    ]);
    expect(rowValues(wb.getWorksheet('Deposit ADB growth') as ExcelJS.Worksheet, 1)).toEqual([
      'Org ID',
      'Org name',
      'Period',
      'Actual (yuan)',
      'Target (yuan)',
      'Completion',
      'Time progress',
      'Gap',
      'Rank',
      'Δ actual (week) (yuan)',
      'Δ rank',
      'Laggard',
      'Daily needed (yuan)',
    ]);
  });

  it('makes one sheet per KPI and level for a view with several levels', async () => {
    const view = await buildBriefing(db, config, { asOf: D, view: 'ssc_gen3' });
    const f = join(dir, 'ssc.xlsx');
    await writeBriefingXlsx(view, 'zh', f);
    const wb = await readWorkbook(f);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '概览',
      '三代社保卡发卡 - 分行',
      '三代社保卡发卡 - 网点',
      '三代社保卡发卡 - 员工',
    ]);
    expect(wb.worksheets[0]?.getCell('A1').value).toBe('三代社保卡专项考核 · 旺季营销按周通报');
    expect(rowValues(wb.worksheets[3] as ExcelJS.Worksheet, 1).slice(0, 3)).toEqual([
      '员工号',
      '姓名',
      '所属机构',
    ]);
    expect(rowValues(wb.worksheets[3] as ExcelJS.Worksheet, 2).slice(0, 4)).toEqual([
      'ST01',
      '张伟',
      '海淀中关村网点',
      'Q4',
    ]);
  });

  describe.skipIf(!SOFFICE)('as LibreOffice reads it', () => {
    it('shows the figures of kpi_progress, as numbers with their formats', async () => {
      const raw = await soffice(file, CSV_ALL_SHEETS);
      const sheet = (name: string) => {
        const f = raw.find((x) => basename(x) === `briefing-${name}.csv`);
        if (!f) throw new Error(`no sheet ${name} in ${raw.map((x) => basename(x)).join(', ')}`);
        return parseCsv(readFileSync(f, 'utf8'));
      };
      // Sheets in order, summary first (LibreOffice names the files after them).
      expect(raw.map((f) => basename(f)).sort()).toEqual(
        ['概览', '新增客户', '代发金额', '三代社保卡发卡', '存款日均增量', '县域借记卡发卡']
          .map((s) => `briefing-${s}.csv`)
          .sort(),
      );
      expect(sheet('概览')[0]?.[0]).toBe('旺季营销按周通报');
      const published = await db.query<{
        scope_id: string;
        actual: string;
        target: string;
        completion: string;
      }>(
        `SELECT scope_id, actual, target, completion FROM kpi_progress
          WHERE as_of = DATE '2027-01-10' AND kpi = 'DEPOSIT_ADB_GROWTH' AND scope_level = 'BRANCH' ORDER BY rank`,
      );
      const rows = sheet('存款日均增量').slice(1);
      expect(rows.map((r) => [r[0], r[3], r[4]])).toEqual(
        published.map((p) => [p.scope_id, String(Number(p.actual)), String(Number(p.target))]),
      );
      // Ratios come out as percentages, at full precision, even as raw values.
      rows.forEach((r, i) => {
        expect(r[5]).toMatch(/%$/);
        expect(Number(r[5]?.slice(0, -1)) / 100).toBeCloseTo(Number(published[i]?.completion), 9);
      });

      // As shown: thousands separators and percent prove LibreOffice holds numbers, not text.
      const shown = await soffice(file, CSV_ALL_SHEETS_AS_SHOWN);
      const adb = parseCsv(
        readFileSync(shown.find((f) => f.endsWith('-存款日均增量.csv')) as string, 'utf8'),
      );
      const b1 = adb.find((r) => r[0] === 'B1');
      expect(b1?.slice(3, 13)).toEqual([
        '1,234,567.89',
        '5,000,000.00',
        '24.69%',
        '41.61%',
        '-16.91%',
        '4',
        '234,567.79',
        '–',
        '是',
        '47,067.90',
      ]);
      const customers = parseCsv(
        readFileSync(shown.find((f) => f.endsWith('-新增客户.csv')) as string, 'utf8'),
      );
      expect(customers.find((r) => r[0] === 'B1')?.slice(9, 11)).toEqual(['220', '↑1']);
      expect(customers.find((r) => r[0] === 'B3')?.slice(9, 11)).toEqual(['50', '↓1']);
    });
  });
});
