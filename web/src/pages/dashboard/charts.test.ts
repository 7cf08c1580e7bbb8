import { describe, expect, it } from 'vitest';
import type { KpiRow, RankingRow } from '../../api/types';
import {
  COLORS,
  completionChartOption,
  defaultRankingKey,
  kpiBars,
  rankingKeys,
  rankingOf,
  standing,
} from './charts';

const kpi = (kpi: string, completion: string | null, time_progress = '0.4'): KpiRow => ({
  kpi,
  program: 'ALL',
  period: 'SEASON',
  period_start: '2026-11-15',
  period_end: '2027-03-31',
  actual: '10',
  target: completion === null ? null : '100',
  completion,
  time_progress,
  gap: completion === null ? null : String(Number(completion) - Number(time_progress)),
  rank: null,
  ranked: null,
  laggard: false,
  daily_needed: null,
});

describe('completion against time progress', () => {
  it('is red when behind by more than the margin, green when ahead, neutral between', () => {
    expect(standing(0.29, 0.4)).toBe('behind');
    expect(standing(0.3, 0.4)).toBe('near');
    expect(standing(0.39, 0.4)).toBe('near');
    expect(standing(0.4, 0.4)).toBe('ahead');
    expect(standing(0.9, 0.4)).toBe('ahead');
    expect(standing(0.35, 0.4, 0.02)).toBe('behind');
  });

  it('keeps only KPIs with a target, labelled', () => {
    const bars = kpiBars([kpi('A', '0.2'), kpi('B', null), kpi('C', '0.5')], (k) => `名 ${k.kpi}`);
    expect(bars.map((b) => [b.label, b.standing])).toEqual([
      ['名 A', 'behind'],
      ['名 C', 'ahead'],
    ]);
  });

  it('builds bars coloured by standing with a time-progress mark per KPI', () => {
    const bars = kpiBars([kpi('A', '0.2'), kpi('B', '0.35'), kpi('C', '1.234')], (k) => k.kpi);
    const o = completionChartOption(bars, { completion: '完成率', timeProgress: '时序进度' });
    const [bar, mark] = o.series as [
      { data: { value: number; itemStyle: { color: string } }[] },
      { data: [number, number][] },
    ];
    // The first KPI on top: categories run bottom-up.
    expect((o.yAxis as { data: string[] }).data).toEqual(['C', 'B', 'A']);
    expect(bar.data.map((d) => d.value)).toEqual([123.4, 35, 20]);
    expect(bar.data.map((d) => d.itemStyle.color)).toEqual([COLORS.ahead, COLORS.near, COLORS.behind]);
    expect(mark.data).toEqual([
      [40, 0],
      [40, 1],
      [40, 2],
    ]);
    // Completion above 100 % widens the axis to the next ten.
    expect((o.xAxis as { max: number }).max).toBe(130);
  });

  it('an empty chart still has an axis to 100 %', () => {
    const o = completionChartOption([], { completion: 'c', timeProgress: 't' });
    expect((o.xAxis as { max: number }).max).toBe(100);
  });
});

const ranking = (kpi: string, org: string, rank: number | null, completion: string | null): RankingRow => ({
  kpi,
  period: 'SEASON',
  period_start: '2026-11-15',
  period_end: '2027-03-31',
  org_id: org,
  org_name: org,
  actual: '1',
  target: completion === null ? null : '2',
  completion,
  time_progress: '0.12',
  gap: null,
  rank,
  ranked: rank === null ? null : 2,
  laggard: false,
  rank_before: null,
  rank_change: null,
});

describe('rankings', () => {
  const rows = [
    ranking('A', 'X', null, null),
    ranking('A', 'Y', null, null),
    ranking('B', 'X', 2, '0.1'),
    ranking('B', 'Y', 1, '0.2'),
  ];
  it('lists the KPIs, picks the first with a target, and sorts best first', () => {
    expect(rankingKeys(rows)).toEqual([
      { kpi: 'A', period: 'SEASON' },
      { kpi: 'B', period: 'SEASON' },
    ]);
    expect(defaultRankingKey(rows)).toEqual({ kpi: 'B', period: 'SEASON' });
    expect(rankingOf(rows, 'B', 'SEASON').map((r) => r.org_id)).toEqual(['Y', 'X']);
    expect(defaultRankingKey([])).toBeNull();
  });
});

describe('the KPIs shown as money', () => {
  it('are exactly the catalogue’s YUAN KPIs', async () => {
    const { KPI_IDS, KPIS } = await import('../../../../src/kpis/catalogue.js');
    const { MONEY_KPIS } = await import('./kpis');
    expect([...MONEY_KPIS].sort()).toEqual(KPI_IDS.filter((k) => KPIS[k].unit === 'YUAN').sort());
  });
});
