// The dashboard's charts as pure functions of the API's data (unit-tested): completion against time
// progress per KPI (UI.md "Numbers"): a bar for completion, a mark for time progress; behind by more
// than the laggard margin is red, ahead is green, in between neutral.

import type { EChartsOption } from 'echarts';
import type { KpiRow, RankingRow } from '../../api/types';

export const LAGGARD_MARGIN = 0.1;
export const COLORS = { behind: '#cf1322', ahead: '#389e0d', near: '#1677ff', marker: '#262626' } as const;

export type Standing = 'behind' | 'ahead' | 'near';

/** Where completion stands against time progress (ratios 0…1). */
export function standing(completion: number, timeProgress: number, margin = LAGGARD_MARGIN): Standing {
  // Compared in thousandths of a point: 0.30 is not behind 0.40 by more than 0.10, whatever the doubles say.
  if (Math.round((timeProgress - completion - margin) * 1e6) > 0) return 'behind';
  if (completion >= timeProgress) return 'ahead';
  return 'near';
}

export interface KpiBar {
  kpi: string;
  period: string;
  label: string;
  completion: number;
  timeProgress: number;
  standing: Standing;
}

/** The KPIs that have a target (completion known), in the API's order, with their labels. */
export function kpiBars(kpis: KpiRow[], label: (k: KpiRow) => string, margin = LAGGARD_MARGIN): KpiBar[] {
  return kpis
    .filter((k) => k.completion !== null && Number.isFinite(Number(k.completion)))
    .map((k) => {
      const completion = Number(k.completion);
      const timeProgress = Number(k.time_progress);
      return {
        kpi: k.kpi,
        period: k.period,
        label: label(k),
        completion,
        timeProgress,
        standing: standing(completion, timeProgress, margin),
      };
    });
}

const pct = (x: number) => Math.round(x * 1000) / 10;

/** The ECharts option: horizontal bars (first KPI on top), a dark mark at each KPI's time progress. */
export function completionChartOption(
  bars: KpiBar[],
  names: { completion: string; timeProgress: string },
): EChartsOption {
  const top = Math.max(100, ...bars.map((b) => Math.ceil(pct(b.completion) / 10) * 10));
  const labels = bars.map((b) => b.label).reverse();
  const ordered = [...bars].reverse();
  return {
    animation: false,
    grid: { left: 8, right: 56, top: 28, bottom: 24, containLabel: true },
    legend: { data: [names.completion, names.timeProgress], top: 0, right: 0 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v) => `${typeof v === 'number' ? v.toFixed(1) : String(v)}%`,
    },
    xAxis: { type: 'value', min: 0, max: top, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: labels, axisTick: { show: false } },
    series: [
      {
        name: names.completion,
        type: 'bar',
        barMaxWidth: 18,
        data: ordered.map((b) => ({ value: pct(b.completion), itemStyle: { color: COLORS[b.standing] } })),
        label: { show: true, position: 'right', formatter: '{c}%' },
      },
      {
        name: names.timeProgress,
        type: 'scatter',
        symbol: 'rect',
        symbolSize: [3, 24],
        z: 3,
        itemStyle: { color: COLORS.marker },
        data: ordered.map((b, i) => [pct(b.timeProgress), i]),
      },
    ],
  };
}

/** The KPI × period pairs the rankings cover, in order, as select options. */
export function rankingKeys(rows: RankingRow[]): { kpi: string; period: string }[] {
  const seen = new Map<string, { kpi: string; period: string }>();
  for (const r of rows) seen.set(`${r.kpi}|${r.period}`, { kpi: r.kpi, period: r.period });
  return [...seen.values()];
}

/** The rankings of one KPI and period, best first (unranked last). */
export function rankingOf(rows: RankingRow[], kpi: string, period: string): RankingRow[] {
  return rows
    .filter((r) => r.kpi === kpi && r.period === period)
    .sort((a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER));
}

/** The default KPI of the ranking table: the first with a target among the rankings. */
export function defaultRankingKey(rows: RankingRow[]): { kpi: string; period: string } | null {
  const withTarget = rows.find((r) => r.completion !== null);
  const first = withTarget ?? rows[0];
  return first ? { kpi: first.kpi, period: first.period } : null;
}
