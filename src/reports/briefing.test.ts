// The weekly briefing's rows on the hand-made bank of testing.ts, on both engines: values as
// published, the change since the as-of a week before (exact), ordering, and the level, program, view
// and period filters; a date without published progress is refused with what to do.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { type Briefing, BriefingError, buildBriefing, leaders } from './briefing.js';
import { D, insertBriefingBank, OLDER, P } from './testing.js';

const config = loadSeasonConfig();

const ids = (b: Briefing) => b.kpis.map((k) => `${k.kpi}@${k.level}`);
const table = (b: Briefing, kpi: string, level = 'BRANCH') => {
  const k = b.kpis.find((x) => x.kpi === kpi && x.level === level);
  if (!k) throw new Error(`no ${kpi} at ${level}`);
  return k.rows;
};

describeEachEngine('weekly briefing rows', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
    await insertBriefingBank(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('lists every KPI with targets at the branches, in catalogue order, compared with the latest as-of ≤ D − 7', async () => {
    const b = await buildBriefing(db, config, { asOf: D });
    expect(b.previousAsOf).toBe(P); // not 2027-01-05 (after D − 7), not 2026-12-27 (older)
    expect(b.levels).toEqual(['BRANCH']);
    // PAYROLL_AMOUNT: only HQ has a target, yet the KPI and period have targets; MERCHANTS_NEW has none.
    expect(ids(b)).toEqual([
      'NEW_CUSTOMERS@BRANCH',
      'PAYROLL_AMOUNT@BRANCH',
      'SSC_GEN3_ISSUED@BRANCH',
      'DEPOSIT_ADB_GROWTH@BRANCH',
      'COUNTY_DEBIT_ISSUED@BRANCH',
    ]);
    expect(b.season).toEqual({ label: '2026-27', start: '2026-11-15', end: '2027-03-31', daysLeft: 80 });
    expect(b.phase).toMatchObject({
      phase: 'NEW_YEAR',
      zh: '新春攻坚',
      slogan: '开门红',
      end: '2027-02-20',
      daysLeft: 41,
    });
    expect(b.headline).toBeNull(); // no pipeline run published org_measures_history
  });

  it('shows actual, target, completion, time progress, gap, rank, laggard and the week’s changes', async () => {
    const rows = table(await buildBriefing(db, config, { asOf: D }), 'NEW_CUSTOMERS');
    // Siblings by rank; counts are whole numbers.
    expect(rows.map((r) => [r.scope_id, r.name, r.actual, r.target, r.rank, r.ranked, r.laggard])).toEqual([
      ['B2', '上海分行', '560', '1000', 1, 5, false],
      ['B1', '北京分行', '620', '1200', 2, 5, false],
      ['B4', '深圳分行', '500', '1200', 3, 5, false],
      ['B5', '成都分行', '400', '1400', 4, 5, true], // gap −13.0 % < −10 %
      ['B3', '广州分行', '300', '1200', 5, 5, true], // bottom 20 % of five
    ]);
    const b1 = rows[1];
    expect(b1).toMatchObject({
      completion: '0.5166670000',
      time_progress: '0.4160580000', // 57 / 137 days
      gap: '0.1006090000',
      period: 'SEASON',
      period_start: '2026-11-15',
      period_end: '2027-03-31',
      parent_id: 'H',
      parent_name: '总行',
      daily_needed: null, // not a balance KPI
      previous_actual: '400',
      delta_actual: '220',
      previous_rank: 3,
      delta_rank: 1, // 3rd → 2nd: ↑1
    });
    expect(rows.map((r) => [r.scope_id, r.delta_actual, r.delta_rank])).toEqual([
      ['B2', '0', 0],
      ['B1', '220', 1],
      ['B4', '20', -1],
      ['B5', null, null], // no row a week before
      ['B3', '50', -1],
    ]);
  });

  it('computes the change of money exactly and shows the daily increase needed of balance KPIs', async () => {
    const rows = table(await buildBriefing(db, config, { asOf: D }), 'DEPOSIT_ADB_GROWTH');
    const by = Object.fromEntries(rows.map((r) => [r.scope_id, r]));
    expect(by.B1).toMatchObject({
      actual: '1234567.89',
      previous_actual: '1000000.10',
      delta_actual: '234567.79',
      daily_needed: '47067.90', // (5,000,000.00 − 1,234,567.89) / 80 days
    });
    expect(by.B2).toMatchObject({ actual: '-20000.50', delta_actual: '-30000.75', laggard: true, rank: 5 });
    expect(rows.map((r) => r.scope_id)).toEqual(['B3', 'B5', 'B4', 'B1', 'B2']);
  });

  it('lists rows without a target, unranked, after the ranked ones', async () => {
    const rows = table(await buildBriefing(db, config, { asOf: D }), 'PAYROLL_AMOUNT');
    expect(rows.map((r) => [r.scope_id, r.target, r.completion, r.rank, r.period])).toEqual([
      ['B1', null, null, null, 'Q4'],
      ['B2', null, null, null, 'Q4'],
      ['B3', null, null, null, 'Q4'],
      ['B4', null, null, null, 'Q4'],
      ['B5', null, null, null, 'Q4'],
    ]);
    expect(rows[0]?.time_progress).toBe('1.0000000000'); // Q4 is over
  });

  it('orders periods by their dates (start, then end), and siblings by rank within them', async () => {
    const rows = table(await buildBriefing(db, config, { asOf: D }), 'SSC_GEN3_ISSUED');
    expect(rows.map((r) => `${r.period}:${r.scope_id}:${r.rank}`)).toEqual([
      'Q4:B1:1', // Q4 and SEASON both start at S; Q4 ends first
      'Q4:B4:2',
      'Q4:B2:3',
      'Q4:B3:4',
      'Q4:B5:5',
      'SEASON:B1:1',
      'SEASON:B2:2',
      'Q1:B1:1', // 14.0 %
      'Q1:B4:2', // 13.3 %
      'Q1:B2:3',
      'Q1:B3:4',
      'Q1:B5:5',
    ]);
  });

  it('shows outlets with their parent (ranks are among siblings) and staff with their org', async () => {
    const outlets = await buildBriefing(db, config, { asOf: D, level: 'OUTLET' });
    expect(outlets.levels).toEqual(['OUTLET']);
    expect(
      table(outlets, 'NEW_CUSTOMERS', 'OUTLET').map((r) => [
        r.scope_id,
        r.name,
        r.parent_name,
        r.rank,
        r.ranked,
      ]),
    ).toEqual([
      ['O1', '海淀中关村网点', '北京海淀支行', 1, 2],
      ['O2', '海淀学院路网点', '北京海淀支行', 2, 2],
      ['O3', '浦东陆家嘴网点', '上海浦东支行', null, null], // no target: not ranked
    ]);
    const staff = await buildBriefing(db, config, { asOf: D, level: 'STAFF' });
    expect(ids(staff)).toEqual(['NEW_CUSTOMERS@STAFF', 'SSC_GEN3_ISSUED@STAFF']);
    expect(
      table(staff, 'NEW_CUSTOMERS', 'STAFF').map((r) => [
        r.scope_id,
        r.name,
        r.parent_id,
        r.parent_name,
        r.rank,
      ]),
    ).toEqual([
      ['ST01', '张伟', 'O1', '海淀中关村网点', 1],
      ['ST02', '李娜', 'O1', '海淀中关村网点', 2],
      ['ST03', '王芳', 'O2', '海淀学院路网点', 1],
    ]);
    const sub = await buildBriefing(db, config, { asOf: D, level: 'SUBBRANCH' });
    expect(table(sub, 'NEW_CUSTOMERS', 'SUBBRANCH').map((r) => r.scope_id)).toEqual(['S1', 'S2']);
  });

  it('keeps the KPIs of one program and of all programs with --program', async () => {
    const b = await buildBriefing(db, config, { asOf: D, program: 'PAYROLL' });
    expect(ids(b)).toEqual([
      'NEW_CUSTOMERS@BRANCH',
      'PAYROLL_AMOUNT@BRANCH',
      'SSC_GEN3_ISSUED@BRANCH',
      'DEPOSIT_ADB_GROWTH@BRANCH',
    ]);
    const county = await buildBriefing(db, config, { asOf: D, program: 'COUNTY' });
    expect(ids(county)).toEqual([
      'NEW_CUSTOMERS@BRANCH',
      'DEPOSIT_ADB_GROWTH@BRANCH',
      'COUNTY_DEBIT_ISSUED@BRANCH',
    ]);
  });

  it('restricts KPIs, periods and levels to a configured view (ssc_gen3)', async () => {
    const b = await buildBriefing(db, config, { asOf: D, view: 'ssc_gen3' });
    expect(b.view).toEqual({
      name: 'ssc_gen3',
      title: { zh: '三代社保卡专项考核', en: 'Gen-3 social security card assessment' },
    });
    expect(b.levels).toEqual(['BRANCH', 'OUTLET', 'STAFF']);
    expect(ids(b)).toEqual(['SSC_GEN3_ISSUED@BRANCH', 'SSC_GEN3_ISSUED@OUTLET', 'SSC_GEN3_ISSUED@STAFF']);
    // Q4 and Q1 only: the SEASON target is not part of the assessment.
    expect(new Set(table(b, 'SSC_GEN3_ISSUED').map((r) => r.period))).toEqual(new Set(['Q4', 'Q1']));
    expect(table(b, 'SSC_GEN3_ISSUED', 'STAFF').map((r) => `${r.period}:${r.scope_id}`)).toEqual([
      'Q4:ST01',
      'Q4:ST02',
    ]);

    const outlets = await buildBriefing(db, config, {
      asOf: D,
      view: 'ssc_gen3',
      level: 'OUTLET',
      period: 'Q1',
    });
    expect(ids(outlets)).toEqual(['SSC_GEN3_ISSUED@OUTLET']);
    expect(table(outlets, 'SSC_GEN3_ISSUED', 'OUTLET').map((r) => `${r.period}:${r.scope_id}`)).toEqual([
      'Q1:O1',
      'Q1:O2',
      'Q1:O3',
    ]);
    await expect(
      buildBriefing(db, config, { asOf: D, view: 'ssc_gen3', level: 'SUBBRANCH' }),
    ).rejects.toThrow('level SUBBRANCH is not in the view (levels: BRANCH, OUTLET, STAFF)');
    await expect(buildBriefing(db, config, { asOf: D, view: 'ssc_gen3', period: 'SEASON' })).rejects.toThrow(
      'period SEASON is not in the view (periods: Q4, Q1)',
    );
    await expect(buildBriefing(db, config, { asOf: D, view: 'nope' })).rejects.toThrow(
      'no briefing view "nope" in the season file (views: ssc_gen3)',
    );
  });

  it('filters one period with --period, matched on its dates', async () => {
    const b = await buildBriefing(db, config, { asOf: D, period: 'q4' });
    expect(ids(b)).toEqual(['PAYROLL_AMOUNT@BRANCH', 'SSC_GEN3_ISSUED@BRANCH']);
    // YEAR_END has the same dates as the clipped Q4 in 2026-27.
    expect(ids(await buildBriefing(db, config, { asOf: D, period: 'YEAR_END' }))).toEqual(ids(b));
    await expect(buildBriefing(db, config, { asOf: D, period: 'Q5' })).rejects.toBeInstanceOf(BriefingError);
  });

  it('refuses a date without published KPI progress, saying what to run', async () => {
    await expect(buildBriefing(db, config, { asOf: '2027-01-11' })).rejects.toThrow(
      'no KPI progress published for 2027-01-11: run `wangji run --as-of 2027-01-11` first',
    );
  });

  it('compares with an as-of exactly D − 7, and has no previous week for the first briefing', async () => {
    expect((await buildBriefing(db, config, { asOf: P })).previousAsOf).toBe(OLDER); // P − 7
    const first = await buildBriefing(db, config, { asOf: OLDER });
    expect(first.previousAsOf).toBeNull();
    const rows = table(first, 'NEW_CUSTOMERS');
    expect(rows.map((r) => [r.scope_id, r.delta_actual, r.delta_rank])).toEqual([['B1', null, null]]);
  });

  it('picks the top three and bottom three by completion across the level', async () => {
    const b = await buildBriefing(db, config, { asOf: D });
    const k = b.kpis.find((x) => x.kpi === 'NEW_CUSTOMERS');
    const [l] = leaders(k as NonNullable<typeof k>);
    expect(l?.top.map((r) => r.scope_id)).toEqual(['B2', 'B1', 'B4']);
    expect(l?.bottom.map((r) => r.scope_id)).toEqual(['B3', 'B5']); // worst first; never repeats the top
    const payroll = b.kpis.find((x) => x.kpi === 'PAYROLL_AMOUNT');
    expect(leaders(payroll as NonNullable<typeof payroll>)).toEqual([]); // nobody has a completion
  });

  it('shows the HQ headline measures of org_measures_history at D when a run published them', async () => {
    await db.exec(`CREATE TABLE org_measures_history (as_of DATE, org_id VARCHAR, customers BIGINT,
      new_customers BIGINT, existing_customers BIGINT, aum_d DECIMAL(38,2), deposits_d DECIMAL(38,2),
      adb_mtd DECIMAL(38,10), value_season DECIMAL(38,2))`);
    await db.exec(`INSERT INTO org_measures_history VALUES
      (DATE '2027-01-10', 'H', 20000, 2380, 17620, 1234567890.12, 987654321.98, 876543210.1234567891, 4567890.55),
      (DATE '2027-01-10', 'B1', 5000, 620, 4380, 1.00, 1.00, 1.0, 1.00),
      (DATE '2027-01-03', 'H', 19000, 2010, 16990, 2.00, 2.00, 2.0, 2.00)`);
    const b = await buildBriefing(db, config, { asOf: D });
    expect(b.headline).toEqual({
      org_id: 'H',
      org_name: '总行',
      customers: 20000,
      aum_d: '1234567890.12',
      deposits_d: '987654321.98',
      adb_mtd: '876543210.1234567891',
      value_season: '4567890.55',
    });
    await db.exec('DROP TABLE org_measures_history');
  });
});
