// The county page's pure logic (unit-tested): a funnel's stages from an org's row, each with its rate
// from the first stage and from the stage before, and the ECharts funnel of them.
import type { EChartsOption } from 'echarts';
import { FunnelChart } from 'echarts/charts';
import * as echarts from 'echarts/core';

echarts.use([FunnelChart]);

export const COUNTY_STAGES = ['opened', 'activated', 'app_registered', 'first_payment'] as const;
export const SSC_STAGES = ['issued', 'activated', 'credited'] as const;

export interface Stage {
  key: string;
  label: string;
  value: number;
  /** value / the first stage's (null when that is 0). */
  ofFirst: number | null;
  /** value / the stage before's (null for the first or when that is 0). */
  ofPrevious: number | null;
}

export function stages<R extends Record<string, unknown>>(
  row: R | undefined,
  keys: readonly string[],
  label: (k: string) => string,
): Stage[] {
  if (!row) return [];
  const values = keys.map((k) => Number(row[k] ?? 0));
  const first = values[0] ?? 0;
  return keys.map((k, i) => {
    const v = values[i] ?? 0;
    const prev = i > 0 ? (values[i - 1] ?? 0) : null;
    return {
      key: k,
      label: label(k),
      value: v,
      ofFirst: first > 0 ? v / first : null,
      ofPrevious: prev === null || prev === 0 ? null : v / prev,
    };
  });
}

const pct = (x: number | null) => (x === null ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);

/** The funnel: one block per stage, widest first, labelled beside it with the count and the rate from the first. */
export function funnelOption(s: Stage[]): EChartsOption {
  const max = Math.max(1, ...s.map((x) => x.value));
  return {
    animation: false,
    color: ['#1677ff', '#4096ff', '#69b1ff', '#91caff'],
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'funnel',
        left: 8,
        width: '52%',
        top: 8,
        bottom: 8,
        min: 0,
        max,
        minSize: '8%',
        sort: 'none',
        gap: 2,
        label: { show: true, position: 'right', color: '#262626' },
        labelLine: { show: true },
        data: s.map((x) => ({
          name: x.label,
          value: x.value,
          label: { formatter: `${x.label} ${x.value.toLocaleString('en-US')}（${pct(x.ofFirst)}）` },
        })),
      },
    ],
  };
}
