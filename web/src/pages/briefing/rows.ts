// The 周通报 page's pure logic (docs/briefing.md, METRICS.md "KPIs"): the JSON briefing's rows as
// table rows — with Δ rank as ↑2 / ↓1, the leader/laggard status and the top and bottom three by
// completion across the whole level. Figures stay the server's exact decimal strings; comparisons of
// ratios (completion, gap) compare decimals exactly, never through floats.

import { compareDecimal } from '../../format/decimal';

export interface BriefingRowData {
  scope_id: string;
  name: string | null;
  parent_id: string | null;
  parent_name: string | null;
  period: string;
  period_start: string;
  period_end: string;
  actual: string;
  target: string | null;
  completion: string | null;
  time_progress: string;
  gap: string | null;
  rank: number | null;
  ranked: number | null;
  laggard: boolean;
  daily_needed: string | null;
  previous_actual: string | null;
  delta_actual: string | null;
  previous_rank: number | null;
  delta_rank: number | null;
}

export interface BriefingKpiData {
  kpi: string;
  name: string;
  level: string;
  program: string;
  unit: 'COUNT' | 'YUAN';
  balance: boolean;
  rows: BriefingRowData[];
}

export type RowStatus = 'laggard' | 'leader' | 'plain';

export interface TableRow extends BriefingRowData {
  key: string;
  kpi: string;
  kpiName: string;
  unit: 'COUNT' | 'YUAN';
  level: string;
  status: RowStatus;
  rankText: string;
  rankDir: 'up' | 'down' | 'same';
}

/**
 * A row's colour as in the workbook: red when a laggard or behind time progress (gap < 0), green when
 * on or ahead of it (gap ≥ 0); rows without a target stay plain.
 */
export function rowStatus(r: Pick<BriefingRowData, 'target' | 'gap' | 'laggard'>): RowStatus {
  if (r.target === null || r.gap === null) return r.laggard ? 'laggard' : 'plain';
  if (r.laggard || compareDecimal(r.gap, '0') < 0) return 'laggard';
  return 'leader';
}

/** Δ rank (places moved up) as the briefing shows it: ↑2, ↓1, – (same), empty when unknown. */
export function rankChange(delta: number | null): { text: string; dir: 'up' | 'down' | 'same' } {
  if (delta === null) return { text: '', dir: 'same' };
  if (delta > 0) return { text: `↑${delta}`, dir: 'up' };
  if (delta < 0) return { text: `↓${-delta}`, dir: 'down' };
  return { text: '–', dir: 'same' };
}

/** Every KPI's rows as table rows, KPI by KPI in the briefing's order. */
export function tableRows(kpis: BriefingKpiData[]): TableRow[] {
  return kpis.flatMap((k) =>
    k.rows.map((r) => {
      const rc = rankChange(r.delta_rank);
      return {
        ...r,
        key: `${k.kpi}|${k.level}|${r.scope_id}|${r.period_start}|${r.period_end}`,
        kpi: k.kpi,
        kpiName: k.name,
        unit: k.unit,
        level: k.level,
        status: rowStatus(r),
        rankText: rc.text,
        rankDir: rc.dir,
      };
    }),
  );
}

export interface Leaders {
  kpi: string;
  kpiName: string;
  level: string;
  period: string;
  top: BriefingRowData[];
  bottom: BriefingRowData[];
}

/**
 * Per KPI, level and period: the top and bottom `n` by completion across the whole level (rows with a
 * completion only), highest first, ties by id; the bottom never repeats a row of the top.
 */
export function leaders(kpis: BriefingKpiData[], n = 3): Leaders[] {
  const out: Leaders[] = [];
  for (const k of kpis) {
    const periods = new Map<string, BriefingRowData[]>();
    for (const r of k.rows) {
      if (r.completion === null) continue;
      const key = `${r.period}|${r.period_start}|${r.period_end}`;
      periods.set(key, [...(periods.get(key) ?? []), r]);
    }
    for (const rows of periods.values()) {
      const sorted = [...rows].sort(
        (a, b) =>
          compareDecimal(b.completion as string, a.completion as string) ||
          (a.scope_id < b.scope_id ? -1 : a.scope_id > b.scope_id ? 1 : 0),
      );
      const top = sorted.slice(0, n);
      const bottom = sorted.slice(Math.max(n, sorted.length - n)).reverse();
      out.push({ kpi: k.kpi, kpiName: k.name, level: k.level, period: rows[0]?.period ?? '', top, bottom });
    }
  }
  return out;
}

/** The download's query: exactly the filters of what is shown. */
export function exportQuery(f: {
  level?: string;
  program?: string;
  period?: string;
  view?: string;
  kpi?: string;
  lang: 'zh' | 'en';
}): string {
  const q = new URLSearchParams({ format: 'xlsx' });
  if (f.level) q.set('level', f.level);
  if (f.program) q.set('program', f.program);
  if (f.period) q.set('period', f.period);
  if (f.view) q.set('view', f.view);
  if (f.kpi) q.set('kpi', f.kpi);
  q.set('lang', f.lang);
  return `/api/reports/weekly?${q.toString()}`;
}
