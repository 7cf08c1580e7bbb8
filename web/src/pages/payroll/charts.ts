// The payroll page's pure logic (unit-tested): the 13-month chart (amount per month as bars in 万元,
// the same month a year earlier beside the last month, headcount as a line on its own axis), the
// headline figures of a series, the visit plan of a tier, and the filtering of the employer rows.
import type { EChartsOption } from 'echarts';
import { LineChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import type { Employer, PayrollMonth } from './api';

echarts.use([LineChart]);

export const PAYROLL_COLORS = { amount: '#1677ff', lastYear: '#bfbfbf', headcount: '#fa8c16' } as const;

/** 2026-12-01 → 2026-12. */
export const monthLabel = (m: string) => m.slice(0, 7);

/** 万元 with two decimals as a number for a chart axis (display only; the table shows the API's text). */
const wan = (amount: string) => Math.round(Number(amount) / 100) / 100;

export interface SeriesNames {
  amount: string;
  lastYear: string;
  headcount: string;
  amountAxis: string;
  headcountAxis: string;
}

/**
 * Bars: the amount of each month of W13; beside each month whose year-earlier month is in the series
 * (the last one), that month's amount; a line: the headcount.
 */
export function payrollChartOption(months: PayrollMonth[], names: SeriesNames): EChartsOption {
  const lastYear = months.map((_, i) => (i >= 12 ? wan((months[i - 12] as PayrollMonth).amount) : null));
  return {
    animation: false,
    color: [PAYROLL_COLORS.amount, PAYROLL_COLORS.lastYear, PAYROLL_COLORS.headcount],
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, data: [names.amount, names.lastYear, names.headcount] },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: months.map((m) => monthLabel(m.month)) },
    yAxis: [
      { type: 'value', name: names.amountAxis, nameTextStyle: { align: 'left' } },
      { type: 'value', name: names.headcountAxis, splitLine: { show: false } },
    ],
    series: [
      { name: names.amount, type: 'bar', data: months.map((m) => wan(m.amount)), barMaxWidth: 28 },
      { name: names.lastYear, type: 'bar', data: lastYear, barMaxWidth: 28 },
      {
        name: names.headcount,
        type: 'line',
        yAxisIndex: 1,
        data: months.map((m) => m.headcount),
        symbolSize: 6,
      },
    ],
  };
}

export interface SeriesHeadline {
  month: string | null;
  amount: string | null;
  headcount: number | null;
  lastYearAmount: string | null;
  yoy: string | null;
  retention: string | null;
}

/** The last month of the series, the same month a year earlier and the YoY ratio the API worked out. */
export function headline(months: PayrollMonth[]): SeriesHeadline {
  const last = months[months.length - 1];
  if (!last)
    return { month: null, amount: null, headcount: null, lastYearAmount: null, yoy: null, retention: null };
  const year = months.length >= 13 ? (months[months.length - 13] as PayrollMonth) : null;
  // The latest month with a retention rate (a month without payroll has none).
  const rate = [...months].reverse().find((m) => m.retention_rate !== null);
  return {
    month: last.month,
    amount: last.amount,
    headcount: last.headcount,
    lastYearAmount: year ? year.amount : null,
    yoy: last.yoy_ratio,
    retention: rate?.retention_rate ?? null,
  };
}

/** PLAYBOOK EMPLOYER_VISIT: A visited before each phase, B each season, C as capacity allows. */
export function visitPlanKey(tier: string | null): 'A' | 'B' | 'C' | 'none' {
  return tier === 'A' || tier === 'B' || tier === 'C' ? tier : 'none';
}

/** The employer rows the name search leaves (the tier and alert filters are the server's). */
export function searchEmployers(rows: Employer[], text: string): Employer[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter(
    (e) => e.employer_id.toLowerCase().includes(q) || (e.employer_name ?? '').toLowerCase().includes(q),
  );
}
