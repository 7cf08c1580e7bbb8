import { describe, expect, it } from 'vitest';
import type { CountyGroupFigures, SegmentFigures } from './api';
import { programRows, trendOption, valueOption } from './charts';

const f = (members: number, value: string) => ({
  members,
  aum_d: '0.00',
  value_season: value,
  value_share: null,
});
const segs: SegmentFigures[] = [
  'COUNTY',
  'GUARDIAN',
  'MERCHANT',
  'MINOR',
  'PAYMENT',
  'PAYROLL',
  'SILVER',
].map((s, i) => ({
  segment: s,
  ...f(i + 1, `${(i + 1) * 10000}.00`),
}));
const groups: CountyGroupFigures[] = [{ county_group: 'FARMER', ...f(2, '5.00') }];

describe('programRows', () => {
  it('orders the segments by program and puts the county groups under COUNTY', () => {
    const rows = programRows(segs, groups);
    expect(rows.map((r) => `${r.program}/${r.group}`)).toEqual([
      'PAYROLL/PAYROLL',
      'ELDERLY_MINOR/SILVER',
      'ELDERLY_MINOR/MINOR',
      'ELDERLY_MINOR/GUARDIAN',
      'PAYMENT/PAYMENT',
      'MERCHANT/MERCHANT',
      'COUNTY/COUNTY',
    ]);
    expect(rows[0]).toMatchObject({ members: 6, value_season: '60000.00', kind: 'segment' });
    expect(rows[6]?.children).toEqual([
      expect.objectContaining({ key: 'COUNTY/FARMER', group: 'FARMER', kind: 'countyGroup', members: 2 }),
    ]);
    expect(rows[1]?.children).toBeUndefined();
  });
  it('is empty before the first run', () => {
    expect(programRows([], [])).toEqual([]);
  });
});

describe('trendOption', () => {
  it('draws one line per segment over the dates, a missing point as a gap', () => {
    const o = trendOption(
      [
        { as_of: '2027-01-20', segment: 'SILVER', members: 5 },
        { as_of: '2027-01-13', segment: 'SILVER', members: 4 },
        { as_of: '2027-01-20', segment: 'PAYROLL', members: 9 },
      ],
      (s) => `n:${s}`,
    ) as { xAxis: { data: string[] }; series: { name: string; data: (number | null)[] }[] };
    expect(o.xAxis.data).toEqual(['2027-01-13', '2027-01-20']);
    expect(o.series.map((s) => s.name)).toEqual(['n:PAYROLL', 'n:SILVER']);
    expect(o.series[0]?.data).toEqual([null, 9]);
    expect(o.series[1]?.data).toEqual([4, 5]);
  });
});

describe('valueOption', () => {
  it('draws the value per segment in 万元, the first program on top', () => {
    const o = valueOption(segs, (s) => s, '万元') as {
      yAxis: { data: string[] };
      series: { data: number[] }[];
    };
    expect(o.yAxis.data[o.yAxis.data.length - 1]).toBe('PAYROLL');
    expect(o.yAxis.data[0]).toBe('COUNTY');
    expect(o.series[0]?.data[o.yAxis.data.length - 1]).toBe(6);
  });
});
