// The segments page's pure logic (unit-tested): the five programs with their sub-groups as table rows,
// the sizes over the season as one line per segment, and the value over the season per segment.
import type { EChartsOption } from 'echarts';
import { LineChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import type { CountyGroupFigures, GroupFigures, SegmentFigures } from './api';

echarts.use([LineChart]);

/** The five programs (G2) and the segments of each, in the order of the source document. */
export const PROGRAMS: { program: string; segments: string[] }[] = [
  { program: 'PAYROLL', segments: ['PAYROLL'] },
  { program: 'ELDERLY_MINOR', segments: ['SILVER', 'MINOR', 'GUARDIAN'] },
  { program: 'PAYMENT', segments: ['PAYMENT'] },
  { program: 'MERCHANT', segments: ['MERCHANT'] },
  { program: 'COUNTY', segments: ['COUNTY'] },
];

export interface ProgramRow extends GroupFigures {
  key: string;
  program: string;
  /** A segment (SILVER …) or a county group (FARMER …). */
  group: string;
  kind: 'segment' | 'countyGroup';
  children?: ProgramRow[];
}

/**
 * One row per segment under its program; the county groups under the COUNTY segment (a customer may be
 * in several groups, and in them without living in a county).
 */
export function programRows(segments: SegmentFigures[], groups: CountyGroupFigures[]): ProgramRow[] {
  const by = new Map(segments.map((s) => [s.segment, s]));
  const rows: ProgramRow[] = [];
  for (const p of PROGRAMS)
    for (const seg of p.segments) {
      const s = by.get(seg);
      if (!s) continue;
      const { segment: _s, ...figures } = s;
      const row: ProgramRow = { key: seg, program: p.program, group: seg, kind: 'segment', ...figures };
      if (seg === 'COUNTY' && groups.length)
        row.children = groups.map(({ county_group, ...g }) => ({
          key: `COUNTY/${county_group}`,
          program: p.program,
          group: county_group,
          kind: 'countyGroup',
          ...g,
        }));
      rows.push(row);
    }
  return rows;
}

/** One line per segment over the published dates of the season (members). */
export function trendOption(
  trend: { as_of: string; segment: string; members: number }[],
  name: (segment: string) => string,
): EChartsOption {
  const dates = [...new Set(trend.map((t) => t.as_of))].sort();
  const order = PROGRAMS.flatMap((p) => p.segments);
  const segs = [...new Set(trend.map((t) => t.segment))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const at = new Map(trend.map((t) => [`${t.segment}|${t.as_of}`, t.members]));
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: dates },
    yAxis: { type: 'value', minInterval: 1 },
    series: segs.map((s) => ({
      name: name(s),
      type: 'line',
      symbolSize: 6,
      data: dates.map((d) => at.get(`${s}|${d}`) ?? null),
    })),
  };
}

/** Horizontal bars: the value over the season of each segment, in 万元 (display only). */
export function valueOption(
  segments: SegmentFigures[],
  name: (segment: string) => string,
  unit: string,
): EChartsOption {
  const order = PROGRAMS.flatMap((p) => p.segments);
  const rows = [...segments].sort((a, b) => order.indexOf(b.segment) - order.indexOf(a.segment));
  return {
    animation: false,
    grid: { left: 8, right: 48, top: 24, bottom: 28, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name: unit, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: rows.map((s) => name(s.segment)) },
    series: [
      {
        type: 'bar',
        barMaxWidth: 18,
        data: rows.map((s) => Math.round(Number(s.value_season) / 100) / 100),
        label: { show: true, position: 'right' },
        itemStyle: { color: '#1677ff' },
      },
    ],
  };
}
