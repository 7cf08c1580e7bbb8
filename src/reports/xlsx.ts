// The briefing as an Excel workbook: a summary sheet first, then one sheet per KPI (per level when a
// view lists several).
//
// One sheet per KPI rather than one sheet with a KPI column: KPIs count in different units (cards vs
// yuan), so a shared "actual" column would mix number formats and invite sums across KPIs; ranks and
// laggards only mean something within one KPI; and a bank's briefing is read KPI by KPI, each table
// small enough to print on a page. (The CSV, read by programs, is the one long table.)
//
// The whole workbook is built in memory (not exceljs's streaming writer): the summary needs every
// KPI's rows before the first sheet is written anyway, and at the staff level a bank has thousands of
// rows per KPI, not millions. Values: numbers as numbers with formats, text neutralised (cells.ts);
// no cell holds a formula — only the conditional-format rules have expressions, as they must.

import ExcelJS from 'exceljs';
import type { Briefing, BriefingKpi } from './briefing.js';
import { leaders } from './briefing.js';
import { cellNumber, neutralise } from './cells.js';
import {
  type CellKind,
  type Column,
  kpiColumns,
  type Lang,
  LEVEL_NAMES,
  NUMBER_FORMATS,
  PROGRAM_NAMES,
  periodName,
  YES_NO,
} from './columns.js';

const HEADER_FILL = 'FFB7282E'; // a bank's red
const BORDER = { style: 'thin' as const, color: { argb: 'FFBFBFBF' } };
/**
 * Excel's default font: a font set without its name and theme scheme falls back, for Chinese text, to a
 * serif face in LibreOffice.
 */
const FONT: Partial<ExcelJS.Font> = { name: 'Calibri', family: 2, size: 11, scheme: 'minor' };
const RED = { font: 'FF9C0006', fill: 'FFFFC7CE' };
const GREEN = { font: 'FF006100', fill: 'FFC6EFCE' };

type Value = string | number | null | undefined;

export async function writeBriefingXlsx(b: Briefing, lang: Lang, file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Wangji';
  summarySheet(wb, b, lang);
  const names = new Set<string>();
  for (const k of b.kpis) kpiSheet(wb, b, k, lang, sheetName(k, b.levels.length > 1, lang, names));
  await wb.xlsx.writeFile(file);
}

/** Write one cell: null stays empty, text is neutralised, numbers get their format. */
function put(cell: ExcelJS.Cell, value: Value, kind: CellKind = 'text'): void {
  if (value === null || value === undefined || value === '') return;
  if (kind === 'text') {
    cell.value = neutralise(String(value));
    return;
  }
  cell.value = typeof value === 'number' ? value : cellNumber(value);
  cell.numFmt = NUMBER_FORMATS[kind];
}

function styleHeader(row: ExcelJS.Row, from: number, to: number): void {
  row.height = 30;
  for (let c = from; c <= to; c++) {
    const cell = row.getCell(c);
    cell.font = { ...FONT, bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER };
  }
}

const frame = (cell: ExcelJS.Cell) => {
  cell.border = { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER };
};

function kpiSheet(wb: ExcelJS.Workbook, b: Briefing, k: BriefingKpi, lang: Lang, name: string): void {
  const cols = kpiColumns(k, lang);
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    properties: { tabColor: { argb: HEADER_FILL } },
  });
  ws.pageSetup.printTitlesRow = '1:1';
  // The sheet has no title rows (the header stays row 1 for filters and freezing): printed pages say
  // what they are in the page header. Constant text and dates only, with no & (a header code).
  ws.headerFooter = {
    oddHeader: `&L${T.title[lang]}&C&B${name}&R${T.asOf[lang]} ${b.asOf}`,
    oddFooter: '&C&P / &N',
  };
  ws.columns = cols.map((c) => ({ key: c.key, width: c.width }));
  const header = ws.getRow(1);
  cols.forEach((c, i) => {
    put(header.getCell(i + 1), c.header[lang]);
  });
  styleHeader(header, 1, cols.length);
  k.rows.forEach((r, i) => {
    const row = ws.getRow(i + 2);
    cols.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      put(cell, c.value(r), c.kind);
      frame(cell);
      if (c.key === 'laggard') cell.alignment = { horizontal: 'center' };
    });
  });
  const last = k.rows.length + 1;
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: last, column: cols.length } };
  if (k.rows.length > 0) redGreen(ws, cols, last, lang);
}

/**
 * Red rows: laggards, or behind time progress (gap < 0); green rows: on or ahead of it (gap ≥ 0). A
 * row without a target has no gap and stays plain. Red comes first, so a laggard ahead of time
 * progress (bottom 20 % of its siblings) is red.
 */
function redGreen(ws: ExcelJS.Worksheet, cols: Column[], last: number, lang: Lang): void {
  const letter = (key: string) => ws.getColumn(cols.findIndex((c) => c.key === key) + 1).letter;
  const gap = `$${letter('gap')}2`;
  const laggard = `$${letter('laggard')}2`;
  const ref = `A2:${ws.getColumn(cols.length).letter}${last}`;
  const style = (c: typeof RED): Partial<ExcelJS.Style> => ({
    font: { color: { argb: c.font } },
    fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: c.fill } },
  });
  ws.addConditionalFormatting({
    ref,
    rules: [
      {
        type: 'expression',
        priority: 1,
        formulae: [`OR(${laggard}="${YES_NO[lang][0]}",AND(ISNUMBER(${gap}),${gap}<0))`],
        style: style(RED),
      },
      { type: 'expression', priority: 2, formulae: [`AND(ISNUMBER(${gap}),${gap}>=0)`], style: style(GREEN) },
    ],
  });
}

/** KPI name (and level), within Excel's 31 characters and without its forbidden characters, unique. */
function sheetName(k: BriefingKpi, withLevel: boolean, lang: Lang, used: Set<string>): string {
  const suffix = withLevel ? ` - ${LEVEL_NAMES[k.level][lang]}` : '';
  const base = k.def[lang].replace(/[[\]:*?/\\']/g, ' ');
  let name = `${base.slice(0, 31 - suffix.length).trim()}${suffix}`;
  for (let i = 2; used.has(name); i++) name = `${base.slice(0, 27 - suffix.length).trim()}${suffix} (${i})`;
  used.add(name);
  return name;
}

const T = {
  summary: { zh: '概览', en: 'Summary' },
  title: { zh: '旺季营销按周通报', en: 'Peak-season campaign weekly briefing' },
  season: { zh: '旺季', en: 'Season' },
  phase: { zh: '当前阶段', en: 'Phase' },
  phaseLeft: { zh: '阶段剩余天数', en: 'Days left in phase' },
  seasonLeft: { zh: '旺季剩余天数', en: 'Days left in season' },
  asOf: { zh: '数据日期', en: 'Data as of' },
  previous: { zh: '对比日期（上周）', en: 'Compared with (week before)' },
  none: { zh: '无（首次通报）', en: 'none (first briefing)' },
  level: { zh: '通报层级', en: 'Level' },
  program: { zh: '客群', en: 'Program' },
  allPrograms: { zh: '全部', en: 'All' },
  offSeason: { zh: '旺季外', en: 'off season' },
  headline: { zh: '核心指标', en: 'Headline measures' },
  customers: { zh: '客户数', en: 'Customers' },
  aum: { zh: '金融资产 AUM（元）', en: 'AUM (yuan)' },
  deposits: { zh: '存款余额（元）', en: 'Deposits (yuan)' },
  adb: { zh: '存款月日均（元）', en: 'Deposit ADB, month to date (yuan)' },
  value: { zh: '价值贡献（元）', en: 'Value contribution (yuan)' },
  leaders: { zh: '各指标完成率前三名与后三名', en: 'Top three and bottom three by completion' },
  noKpis: { zh: '本期无设定目标的指标', en: 'No KPI has targets for this briefing' },
  note: {
    zh: '说明：排名为同一上级机构下（员工为同一机构内）按完成率的排名；进度差 = 完成率 − 时序进度。各指标表中红色为落后或进度差为负，绿色为进度差不小于 0。',
    en: 'Ranks are by completion among the orgs under the same parent (staff: within their org); gap = completion − time progress. In the KPI sheets red marks laggards and negative gaps, green a gap of 0 or more.',
  },
  kpi: { zh: '指标', en: 'KPI' },
  period: { zh: '考核周期', en: 'Period' },
  place: { zh: '位次', en: 'Place' },
  who: { zh: '机构／员工', en: 'Org / staff' },
  completion: { zh: '完成率', en: 'Completion' },
  timeProgress: { zh: '时序进度', en: 'Time progress' },
  gap: { zh: '进度差', en: 'Gap' },
};

function summarySheet(wb: ExcelJS.Workbook, b: Briefing, lang: Lang): void {
  const ws = wb.addWorksheet(T.summary[lang], {
    pageSetup: { orientation: 'portrait', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = [
    { width: 26 },
    { width: 20 },
    { width: 12 },
    { width: 12 },
    { width: 22 },
    { width: 11 },
    { width: 11 },
  ];
  const title = ws.getRow(1);
  put(title.getCell(1), b.view ? `${b.view.title[lang]} · ${T.title[lang]}` : T.title[lang]);
  title.getCell(1).font = { ...FONT, bold: true, size: 16, color: { argb: HEADER_FILL } };
  title.height = 28;
  ws.mergeCells(1, 1, 1, 7);

  let r = 3;
  const line = (label: { zh: string; en: string }, value: Value, kind: CellKind = 'text') => {
    const row = ws.getRow(r++);
    put(row.getCell(1), label[lang]);
    row.getCell(1).font = { ...FONT, bold: true };
    put(row.getCell(2), value, kind);
    row.getCell(2).alignment = { horizontal: kind === 'text' ? 'left' : 'right' };
    if (kind === 'text') ws.mergeCells(row.number, 2, row.number, 5);
  };
  const s = b.season;
  line(T.season, s ? `${s.label}（${s.start} – ${s.end}）` : T.offSeason[lang]);
  const p = b.phase;
  line(
    T.phase,
    p
      ? lang === 'zh'
        ? `${p.zh} · ${p.slogan}（${p.start} – ${p.end}）`
        : `${p.en} (${p.start} – ${p.end})`
      : T.offSeason[lang],
  );
  if (p) line(T.phaseLeft, p.daysLeft, 'count');
  if (s) line(T.seasonLeft, s.daysLeft, 'count');
  line(T.asOf, b.asOf);
  line(T.previous, b.previousAsOf ?? T.none[lang]);
  line(T.level, b.levels.map((l) => LEVEL_NAMES[l][lang]).join('、'));
  line(T.program, b.program ? PROGRAM_NAMES[b.program][lang] : T.allPrograms[lang]);

  const note = ws.getRow(r++);
  put(note.getCell(1), T.note[lang]);
  note.getCell(1).font = { ...FONT, size: 10, color: { argb: 'FF595959' } };
  note.getCell(1).alignment = { wrapText: true, vertical: 'top' };
  note.height = 30;
  ws.mergeCells(note.number, 1, note.number, 7);

  if (b.headline) {
    r++;
    const h = b.headline;
    const head = ws.getRow(r++);
    put(head.getCell(1), `${T.headline[lang]}（${h.org_name ?? h.org_id}）`);
    head.getCell(1).font = { ...FONT, bold: true, size: 12 };
    line(T.customers, h.customers, 'count');
    line(T.aum, h.aum_d, 'money');
    line(T.deposits, h.deposits_d, 'money');
    line(T.adb, h.adb_mtd, 'money'); // kept to 10 places; the format shows fen
    line(T.value, h.value_season, 'money');
  }

  r++;
  const head = ws.getRow(r++);
  put(head.getCell(1), b.kpis.length ? T.leaders[lang] : T.noKpis[lang]);
  head.getCell(1).font = { ...FONT, bold: true, size: 12 };
  if (b.kpis.length === 0) return;
  const cols = [T.kpi, T.period, T.timeProgress, T.place, T.who, T.completion, T.gap];
  const header = ws.getRow(r++);
  cols.forEach((c, i) => {
    put(header.getCell(i + 1), c[lang]);
  });
  styleHeader(header, 1, cols.length);
  for (const k of b.kpis) {
    const kpiName = b.levels.length > 1 ? `${k.def[lang]}（${LEVEL_NAMES[k.level][lang]}）` : k.def[lang];
    for (const l of leaders(k)) {
      const places = [
        ...l.top.map((row, i) => ({
          row,
          place: lang === 'zh' ? `第 ${i + 1} 名` : `Top ${i + 1}`,
          bad: false,
        })),
        ...l.bottom.map((row, i) => ({
          row,
          place: lang === 'zh' ? `倒数第 ${i + 1}` : `Bottom ${i + 1}`,
          bad: true,
        })),
      ];
      for (const { row: x, place, bad } of places) {
        const row = ws.getRow(r++);
        const who =
          k.level === 'STAFF'
            ? `${x.name ?? x.scope_id}（${x.parent_name ?? x.parent_id ?? ''}）`
            : (x.name ?? x.scope_id);
        const values: [Value, CellKind][] = [
          [kpiName, 'text'],
          [periodName(l.period, lang), 'text'],
          [x.time_progress, 'ratio'],
          [place, 'text'],
          [who, 'text'],
          [x.completion, 'ratio'],
          [x.gap, 'ratio'],
        ];
        values.forEach(([v, kind], i) => {
          const cell = row.getCell(i + 1);
          put(cell, v, kind);
          frame(cell);
        });
        row.getCell(4).font = { ...FONT, color: { argb: bad ? RED.font : GREEN.font } };
      }
    }
  }
}
