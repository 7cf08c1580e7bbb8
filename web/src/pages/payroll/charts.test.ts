import { describe, expect, it } from 'vitest';
import { sortLike, tableSort } from '../../components/tableSort';
import { toCsv } from '../../format/csv';
import { byDecimal } from '../../format/decimal';
import type { Employer, PayrollMonth } from './api';
import { headline, payrollChartOption, searchEmployers, visitPlanKey } from './charts';

const months: PayrollMonth[] = Array.from({ length: 13 }, (_, i) => ({
  month: `${i === 0 ? '2025-12' : `2026-${String(i).padStart(2, '0')}`}-01`,
  headcount: 10 + i,
  amount: i === 12 ? '60000.00' : '50000.00',
  yoy_ratio: i === 12 ? '1.2000000000' : null,
  retention_rate: i === 12 ? null : i === 11 ? '0.9500000000' : null,
}));
const names = {
  amount: '代发金额',
  lastYear: '去年同月',
  headcount: '人数',
  amountAxis: '万元',
  headcountAxis: '人',
};

describe('payrollChartOption', () => {
  it('draws 13 months: amounts in 万元, last year beside the last month only, headcount on its own axis', () => {
    const o = payrollChartOption(months, names) as {
      xAxis: { data: string[] };
      series: { name: string; type: string; data: (number | null)[]; yAxisIndex?: number }[];
    };
    expect(o.xAxis.data).toHaveLength(13);
    expect(o.xAxis.data[0]).toBe('2025-12');
    expect(o.xAxis.data[12]).toBe('2026-12');
    const [amount, lastYear, headcount] = o.series;
    expect(amount?.data[12]).toBe(6);
    expect(amount?.data[0]).toBe(5);
    expect(lastYear?.data.slice(0, 12).every((v) => v === null)).toBe(true);
    expect(lastYear?.data[12]).toBe(5);
    expect(headcount).toMatchObject({ type: 'line', yAxisIndex: 1 });
    expect(headcount?.data[12]).toBe(22);
  });

  it('has no year-earlier bar for a short series', () => {
    const o = payrollChartOption(months.slice(0, 5), names) as { series: { data: unknown[] }[] };
    expect(o.series[1]?.data.every((v) => v === null)).toBe(true);
  });
});

describe('headline', () => {
  it('takes the last month, its year-earlier month, the API’s YoY and the latest retention rate', () => {
    expect(headline(months)).toEqual({
      month: '2026-12-01',
      amount: '60000.00',
      headcount: 22,
      lastYearAmount: '50000.00',
      yoy: '1.2000000000',
      retention: '0.9500000000',
    });
    expect(headline([]).amount).toBeNull();
  });
});

describe('employers', () => {
  const e = (id: string, name: string | null): Employer => ({
    employer_id: id,
    employer_name: name,
    industry: null,
    is_government: 'N',
    org_id: 'O1',
    corporate_rm_id: null,
    tier: 'A',
    mean_amount_12: '1.00',
    mean_headcount_12: '1',
    alert: null,
    retention: null,
  });
  it('searches by name or id', () => {
    const rows = [e('E1', '甲公司'), e('E2', '乙公司'), e('X3', null)];
    expect(searchEmployers(rows, '乙').map((r) => r.employer_id)).toEqual(['E2']);
    expect(searchEmployers(rows, 'x3').map((r) => r.employer_id)).toEqual(['X3']);
    expect(searchEmployers(rows, ' ')).toHaveLength(3);
  });
  it('sorts decimals as numbers, nulls first when ascending', () => {
    expect(['10.5', null, '9.99'].sort(byDecimal)).toEqual([null, '9.99', '10.5']);
  });
  it('names the visit plan of a tier', () => {
    expect(['A', 'B', 'C', null, 'Z'].map(visitPlanKey)).toEqual(['A', 'B', 'C', 'none', 'none']);
  });
});

describe('toCsv', () => {
  it('quotes what needs it and starts with a BOM', () => {
    expect(
      toCsv(
        ['单位', '金额'],
        [
          ['甲,公司', '1,234.00'],
          ['say "hi"', null],
        ],
      ),
    ).toBe('\uFEFF单位,金额\r\n"甲,公司","1,234.00"\r\n"say ""hi""",\r\n');
  });
});

describe('sortLike', () => {
  it('orders the rows as the table shows them', () => {
    const rows = [{ n: 2 }, { n: 3 }, { n: 1 }];
    const compare = (a: { n: number }, b: { n: number }) => a.n - b.n;
    expect(sortLike(rows, { compare, order: 'descend' }).map((r) => r.n)).toEqual([3, 2, 1]);
    expect(sortLike(rows, { compare, order: 'ascend' }).map((r) => r.n)).toEqual([1, 2, 3]);
    expect(sortLike(rows, null).map((r) => r.n)).toEqual([2, 3, 1]);
    expect(tableSort({ order: 'ascend', column: { sorter: compare } })).toEqual({ compare, order: 'ascend' });
    expect(tableSort({ order: null, column: { sorter: compare } })).toBeNull();
    expect(tableSort({ order: 'ascend', column: { sorter: true } })).toBeNull();
  });
});
