import { describe, expect, it } from 'vitest';
import { COUNTY_STAGES, funnelOption, SSC_STAGES, stages } from './charts';

const row = {
  org_id: 'B1',
  org_name: '分行',
  level: 'BRANCH',
  opened: 200,
  activated: 150,
  app_registered: 60,
  first_payment: 0,
};

describe('stages', () => {
  it('gives each stage its count, its rate from the first and from the one before', () => {
    const s = stages(row, COUNTY_STAGES, (k) => `L:${k}`);
    expect(s.map((x) => [x.key, x.label, x.value])).toEqual([
      ['opened', 'L:opened', 200],
      ['activated', 'L:activated', 150],
      ['app_registered', 'L:app_registered', 60],
      ['first_payment', 'L:first_payment', 0],
    ]);
    expect(s[1]).toMatchObject({ ofFirst: 0.75, ofPrevious: 0.75 });
    expect(s[2]).toMatchObject({ ofFirst: 0.3, ofPrevious: 0.4 });
    expect(s[0]?.ofPrevious).toBeNull();
  });
  it('has no rates when nothing was issued, and no stages without a row', () => {
    const s = stages({ issued: 0, activated: 0, credited: 0 }, SSC_STAGES, (k) => k);
    expect(s.every((x) => x.ofFirst === null)).toBe(true);
    expect(s[2]?.ofPrevious).toBeNull();
    expect(stages(undefined, SSC_STAGES, (k) => k)).toEqual([]);
  });
});

describe('funnelOption', () => {
  it('draws the stages in order, unsorted, scaled to the first, labelled with count and rate', () => {
    const o = funnelOption(stages(row, COUNTY_STAGES, (k) => k)) as {
      series: {
        type: string;
        sort: string;
        max: number;
        data: { name: string; value: number; label: { formatter: string } }[];
      }[];
    };
    const f = o.series[0];
    expect(f?.type).toBe('funnel');
    expect(f?.sort).toBe('none');
    expect(f?.max).toBe(200);
    expect(f?.data.map((d) => d.value)).toEqual([200, 150, 60, 0]);
    expect(f?.data[1]?.label.formatter).toBe('activated 150（75.0%）');
    expect(f?.data[3]?.label.formatter).toBe('first_payment 0（0.0%）');
  });
});
