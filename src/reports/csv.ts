// The briefing as one CSV table: a row per (KPI, org or staff member, period), with the KPI and level
// as columns. UTF-8 with a byte-order mark (so that Excel reads the Chinese), CRLF line ends (RFC 4180),
// numbers as the exact decimals of kpi_progress, text neutralised against formula injection (cells.ts).

import { writeFile } from 'node:fs/promises';
import type { Briefing, BriefingRow } from './briefing.js';
import { DECIMAL_TEXT, neutralise } from './cells.js';
import { type Lang, LEVEL_NAMES, YES_NO } from './columns.js';

type Field = { text: string | null } | { number: string | number | null };
const text = (v: string | null): Field => ({ text: v });
const num = (v: string | number | null): Field => ({ number: v });

const COLUMNS: { zh: string; en: string; field: (r: BriefingRow, lang: Lang) => Field }[] = [
  { zh: '机构号／员工号', en: 'Org / staff ID', field: (r) => text(r.scope_id) },
  { zh: '名称', en: 'Name', field: (r) => text(r.name) },
  { zh: '上级机构号', en: 'Parent ID', field: (r) => text(r.parent_id) },
  { zh: '上级机构', en: 'Parent name', field: (r) => text(r.parent_name) },
  { zh: '考核周期', en: 'Period', field: (r) => text(r.period) },
  { zh: '周期开始', en: 'Period start', field: (r) => text(r.period_start) },
  { zh: '周期结束', en: 'Period end', field: (r) => text(r.period_end) },
  { zh: '完成值', en: 'Actual', field: (r) => num(r.actual) },
  { zh: '目标', en: 'Target', field: (r) => num(r.target) },
  { zh: '完成率', en: 'Completion', field: (r) => num(r.completion) },
  { zh: '时序进度', en: 'Time progress', field: (r) => num(r.time_progress) },
  { zh: '进度差', en: 'Gap', field: (r) => num(r.gap) },
  { zh: '排名', en: 'Rank', field: (r) => num(r.rank) },
  { zh: '参与排名数', en: 'Ranked', field: (r) => num(r.ranked) },
  { zh: '上周完成值', en: 'Actual a week before', field: (r) => num(r.previous_actual) },
  { zh: '较上周增加', en: 'Δ actual', field: (r) => num(r.delta_actual) },
  { zh: '上周排名', en: 'Rank a week before', field: (r) => num(r.previous_rank) },
  { zh: '排名变化（正数为上升）', en: 'Δ rank (positive: up)', field: (r) => num(r.delta_rank) },
  { zh: '是否落后', en: 'Laggard', field: (r, lang) => text(YES_NO[lang][r.laggard ? 0 : 1]) },
  { zh: '日均需增', en: 'Daily needed', field: (r) => num(r.daily_needed) },
];

/** RFC 4180 quoting; text neutralised first, numbers checked to be plain decimals. */
function cell(f: Field): string {
  if ('number' in f) {
    if (f.number === null) return '';
    const s = String(f.number);
    if (!DECIMAL_TEXT.test(s)) throw new Error(`not a decimal number: ${s}`);
    return s;
  }
  if (f.text === null) return '';
  const s = neutralise(f.text);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function briefingCsv(b: Briefing, lang: Lang): string {
  const head = [
    lang === 'zh' ? '指标代码' : 'KPI code',
    lang === 'zh' ? '指标' : 'KPI',
    lang === 'zh' ? '层级' : 'Level',
    ...COLUMNS.map((c) => c[lang]),
  ];
  const lines = [head.map((h) => cell(text(h))).join(',')];
  for (const k of b.kpis) {
    const lead = [text(k.kpi), text(k.def[lang]), text(LEVEL_NAMES[k.level][lang])].map(cell);
    for (const r of k.rows) lines.push([...lead, ...COLUMNS.map((c) => cell(c.field(r, lang)))].join(','));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export async function writeBriefingCsv(b: Briefing, lang: Lang, file: string): Promise<void> {
  await writeFile(file, briefingCsv(b, lang), 'utf8');
}
