import { describe, expect, it } from 'vitest';
import { compareDecimal } from '../../format/decimal';
import { type BriefingKpiData, exportQuery, leaders, rankChange, rowStatus, tableRows } from './rows';

const row = (
  id: string,
  completion: string | null,
  gap: string | null,
  o: Partial<BriefingKpiData['rows'][number]> = {},
) => ({
  scope_id: id,
  name: `机构${id}`,
  parent_id: 'H',
  parent_name: '总行',
  period: 'SEASON',
  period_start: '2026-11-15',
  period_end: '2027-03-31',
  actual: '10',
  target: completion === null ? null : '20',
  completion,
  time_progress: '0.2',
  gap,
  rank: 1,
  ranked: 5,
  laggard: false,
  daily_needed: null,
  previous_actual: null,
  delta_actual: null,
  previous_rank: null,
  delta_rank: null,
  ...o,
});

describe('briefing rows', () => {
  it('compares decimals exactly', () => {
    expect(compareDecimal('0.100000', '0.1')).toBe(0);
    expect(compareDecimal('-0.000001', '0')).toBe(-1);
    expect(compareDecimal('1.25', '1.2499999999999999999')).toBe(1);
    expect(compareDecimal('10', '9.99')).toBe(1);
  });

  it('colours laggards and those behind time red, those on or ahead green, no target plain', () => {
    expect(rowStatus({ target: '20', gap: '-0.010000', laggard: false })).toBe('laggard');
    expect(rowStatus({ target: '20', gap: '0.050000', laggard: true })).toBe('laggard');
    expect(rowStatus({ target: '20', gap: '0.000000', laggard: false })).toBe('leader');
    expect(rowStatus({ target: null, gap: null, laggard: false })).toBe('plain');
  });

  it('shows Δ rank as places moved up', () => {
    expect(rankChange(2)).toEqual({ text: '↑2', dir: 'up' });
    expect(rankChange(-1)).toEqual({ text: '↓1', dir: 'down' });
    expect(rankChange(0)).toEqual({ text: '–', dir: 'same' });
    expect(rankChange(null)).toEqual({ text: '', dir: 'same' });
  });

  it('flattens KPIs into keyed rows with status and Δ rank', () => {
    const kpis: BriefingKpiData[] = [
      {
        kpi: 'NEW_CUSTOMERS',
        name: '新增客户',
        level: 'BRANCH',
        program: 'ALL',
        unit: 'COUNT',
        balance: false,
        rows: [
          row('B1', '0.5', '0.3', { delta_rank: 2, delta_actual: '4' }),
          row('B2', '0.1', '-0.1', { delta_rank: -1 }),
        ],
      },
    ];
    const rows = tableRows(kpis);
    expect(rows.map((r) => [r.key, r.status, r.rankText, r.delta_actual])).toEqual([
      ['NEW_CUSTOMERS|BRANCH|B1|2026-11-15|2027-03-31', 'leader', '↑2', '4'],
      ['NEW_CUSTOMERS|BRANCH|B2|2026-11-15|2027-03-31', 'laggard', '↓1', null],
    ]);
  });

  it('picks the top and bottom three by completion, never repeating a row', () => {
    const k = (ids: [string, string | null][]): BriefingKpiData[] => [
      {
        kpi: 'K',
        name: 'K',
        level: 'BRANCH',
        program: 'ALL',
        unit: 'COUNT',
        balance: false,
        rows: ids.map(([id, c]) => row(id, c, c)),
      },
    ];
    const [seven] = leaders(
      k([
        ['A', '0.1'],
        ['B', '0.7'],
        ['C', '0.3'],
        ['D', '0.5'],
        ['E', '0.2'],
        ['F', '0.7'],
        ['G', null],
      ]),
    );
    expect(seven?.top.map((r) => r.scope_id)).toEqual(['B', 'F', 'D']);
    expect(seven?.bottom.map((r) => r.scope_id)).toEqual(['A', 'E', 'C']);
    const [four] = leaders(
      k([
        ['A', '0.1'],
        ['B', '0.2'],
        ['C', '0.3'],
        ['D', '0.4'],
      ]),
    );
    expect(four?.top.map((r) => r.scope_id)).toEqual(['D', 'C', 'B']);
    expect(four?.bottom.map((r) => r.scope_id)).toEqual(['A']);
  });

  it('downloads with exactly the filters shown', () => {
    expect(exportQuery({ level: 'OUTLET', program: 'PAYROLL', lang: 'zh' })).toBe(
      '/api/reports/weekly?format=xlsx&level=OUTLET&program=PAYROLL&lang=zh',
    );
    expect(exportQuery({ view: 'ssc_gen3', period: 'Q4', kpi: 'SSC_GEN3_ISSUED', lang: 'en' })).toBe(
      '/api/reports/weekly?format=xlsx&period=Q4&view=ssc_gen3&kpi=SSC_GEN3_ISSUED&lang=en',
    );
  });
});
