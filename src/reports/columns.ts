// The briefing's columns and words, shared by the xlsx and csv writers so that both say the same
// thing in the same language (names from GLOSSARY.md).

import { PHASES, type Program } from '../config/season.js';
import { PHASE_NAMES } from '../domain/calendar.js';
import type { BriefingKpi, BriefingLevel, BriefingRow } from './briefing.js';

export type Lang = 'zh' | 'en';
type Text = { zh: string; en: string };

/** How a cell is written: text (neutralised), or a number with the format of its kind. */
export type CellKind = 'text' | 'money' | 'count' | 'ratio' | 'rank' | 'rankChange';

export interface Column {
  key: string;
  header: Text;
  kind: CellKind;
  /** Characters of width in a spreadsheet. */
  width: number;
  value(row: BriefingRow): string | number | null;
}

/** Excel number formats (the brief of the briefing: money to the fen, whole counts, ratios in %). */
export const NUMBER_FORMATS: Record<Exclude<CellKind, 'text'>, string> = {
  money: '#,##0.00',
  count: '#,##0',
  ratio: '0.00%',
  rank: '0',
  // UI.md: rank changes read ↑2 / ↓1; still a number (positive = moved up) for sorting and filters.
  rankChange: '"↑"0;"↓"0;"–"',
};

export const LEVEL_NAMES: Record<BriefingLevel | 'HQ', Text> = {
  HQ: { zh: '总行', en: 'HQ' },
  BRANCH: { zh: '分行', en: 'Branch' },
  SUBBRANCH: { zh: '支行', en: 'Sub-branch' },
  OUTLET: { zh: '网点', en: 'Outlet' },
  STAFF: { zh: '员工', en: 'Staff' },
};

export const PROGRAM_NAMES: Record<Program, Text> = {
  PAYROLL: { zh: '代发', en: 'Payroll' },
  ELDERLY_MINOR: { zh: '一老一小', en: 'Elderly & minors' },
  PAYMENT: { zh: '缴费', en: 'Payment' },
  MERCHANT: { zh: '商户', en: 'Merchant' },
  COUNTY: { zh: '县域', en: 'County' },
};

export const YES_NO: Record<Lang, [string, string]> = { zh: ['是', '否'], en: ['Yes', 'No'] };

/** The columns of one KPI's table at one level; amounts in yuan say so in the header (UI.md). */
export function kpiColumns(k: BriefingKpi, lang: Lang): Column[] {
  const amount: CellKind = k.def.unit === 'YUAN' ? 'money' : 'count';
  const yuan = (t: Text): Text => (k.def.unit === 'YUAN' ? { zh: `${t.zh}（元）`, en: `${t.en} (yuan)` } : t);
  const staff = k.level === 'STAFF';
  const cols: Column[] = [
    {
      key: 'scope_id',
      header: staff ? { zh: '员工号', en: 'Staff ID' } : { zh: '机构号', en: 'Org ID' },
      kind: 'text',
      width: 12,
      value: (r) => r.scope_id,
    },
    {
      key: 'name',
      header: staff ? { zh: '姓名', en: 'Name' } : { zh: '机构名称', en: 'Org name' },
      kind: 'text',
      width: staff ? 10 : 22,
      value: (r) => r.name,
    },
  ];
  // Ranks are among siblings: below the branches, say whose siblings.
  if (k.level !== 'BRANCH')
    cols.push({
      key: 'parent',
      header: staff ? { zh: '所属机构', en: 'Org' } : { zh: '上级机构', en: 'Parent org' },
      kind: 'text',
      width: 22,
      value: (r) => r.parent_name ?? r.parent_id,
    });
  cols.push(
    {
      key: 'period',
      header: { zh: '考核周期', en: 'Period' },
      kind: 'text',
      width: 12,
      value: (r) => periodName(r.period, lang),
    },
    col('actual', yuan({ zh: '完成值', en: 'Actual' }), amount, 16, (r) => r.actual),
    col('target', yuan({ zh: '目标', en: 'Target' }), amount, 16, (r) => r.target),
    col('completion', { zh: '完成率', en: 'Completion' }, 'ratio', 10, (r) => r.completion),
    col('time_progress', { zh: '时序进度', en: 'Time progress' }, 'ratio', 10, (r) => r.time_progress),
    col('gap', { zh: '进度差', en: 'Gap' }, 'ratio', 10, (r) => r.gap),
    col('rank', { zh: '排名', en: 'Rank' }, 'rank', 7, (r) => r.rank),
    col('delta_actual', yuan({ zh: '较上周增加', en: 'Δ actual (week)' }), amount, 14, (r) => r.delta_actual),
    col('delta_rank', { zh: '排名变化', en: 'Δ rank' }, 'rankChange', 9, (r) => r.delta_rank),
    {
      key: 'laggard',
      header: { zh: '是否落后', en: 'Laggard' },
      kind: 'text',
      width: 9,
      value: (r) => YES_NO[lang][r.laggard ? 0 : 1],
    },
  );
  if (k.def.balance)
    cols.push(
      col(
        'daily_needed',
        { zh: '日均需增（元）', en: 'Daily needed (yuan)' },
        'money',
        16,
        (r) => r.daily_needed,
      ),
    );
  return cols;
}

function col(
  key: string,
  header: Text,
  kind: CellKind,
  width: number,
  value: (r: BriefingRow) => string | number | null,
): Column {
  return { key, header, kind, width, value };
}

const PERIOD_NAMES: Record<string, Text> = {
  SEASON: { zh: '旺季全程', en: 'Season' },
  ...Object.fromEntries(PHASES.map((p) => [p, { zh: PHASE_NAMES[p].zh, en: PHASE_NAMES[p].en }])),
};

/** A period as people say it: 旺季全程, 新春攻坚, Q4; explicit ranges are their own label. */
export const periodName = (label: string, lang: Lang) => PERIOD_NAMES[label]?.[lang] ?? label;
