import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Calendar } from '../domain/calendar.js';
import { DEFAULT_MASKING } from '../domain/masking.js';
import { PACKAGE_ROOT } from '../paths.js';
import {
  DEFAULT_SEASON_FILE,
  loadSeasonConfig,
  parseSeasonConfig,
  SeasonConfigError,
  seasonJsonSchema,
} from './season.js';

const text = readFileSync(DEFAULT_SEASON_FILE, 'utf8');

it('loads the default season with every threshold, money kept as exact decimal strings', () => {
  const c = loadSeasonConfig();
  expect(c.season).toMatchObject({ start: '11-15', end: '03-31' });
  expect(c.thresholds).toMatchObject({
    silver_age: 60,
    payroll_churn_drop: '0.30',
    max_open_leads: 2,
    holdout_basis_points: 500,
  });
  expect(c.spreads).toMatchObject({ DEBIT_CARD: '0.018', TIME_DEPOSIT: '0.005', CREDIT_CARD: '0' });
  expect(c.fee_tiers.map((t) => [t.min_adb, t.rate])).toEqual([
    ['0', '0.0060'],
    ['50000', '0.0055'],
    ['200000', '0.0050'],
    ['1000000', '0.0045'],
  ]);
});

it('refuses a bad season file with the field named', () => {
  const bad = (edit: (s: string) => string) => () => parseSeasonConfig(edit(text), 'x.yaml');
  expect(bad((s) => s.replace('silver_age: 60', 'silver_age: sixty'))).toThrow(
    /^x\.yaml: thresholds\.silver_age: /,
  );
  expect(bad((s) => s.replace('silver_age: 60', 'silver_age: 60\n  silver_agee: 61'))).toThrow(
    /x\.yaml: thresholds: .*silver_agee/,
  );
  expect(bad((s) => s.replace('DEBIT_CARD: "0.018"', 'DEBIT_CARD: "-0.018"'))).toThrow(
    /spreads\.DEBIT_CARD: must be a non-negative decimal/,
  );
  expect(
    bad((s) => s.replace('{ min_adb: "50000", rate: "0.0055" }', '{ min_adb: "5000000", rate: "0.0055" }')),
  ).toThrow(/fee_tiers: tiers must be in increasing min_adb order/);
  expect(bad((s) => s.replace('"2027-01-01", kind: HOLIDAY', '"2027-02-30", kind: HOLIDAY'))).toThrow(
    /holidays\.0\.date: must be a date/,
  );
  expect(bad((s) => s.replace('start: "11-15"', 'start: "11-31"'))).toThrow(
    /season\.start: must be a real month and day/,
  );
  expect(bad(() => 'season: [')).toThrow(SeasonConfigError);
  expect(bad((s) => s.replace('payroll_churn_drop: "0.30"', 'payroll_churn_drop: 30'))).toThrow(
    /payroll_churn_drop: must be a fraction/,
  );
  expect(bad((s) => s.replace('start: "11-15"', 'start: "02-29"'))).toThrow(
    /season\.start: must be in September to December/,
  );
  expect(bad((s) => s.replace('end: "03-31"', 'end: "12-31"'))).toThrow(
    /season\.end: must be in January to June/,
  );
  expect(bad((s) => s.replace('end: "03-31"', 'end: "02-01"'))).toThrow(
    /season\.phases: season 2024: phases must cover/,
  );
  expect(bad((s) => s.replace('employer_tier_b_headcount: 50', 'employer_tier_b_headcount: 600'))).toThrow(
    /tier B thresholds must not exceed tier A/,
  );
  expect(
    bad((s) => s.replace(/phone: \{[^}]*\}/, 'phone: { keep_head: 3, keep_tail: 4, min_length: 7 }')),
  ).toThrow(/masking\.phone\.min_length: min_length must exceed keep_head \+ keep_tail/);
  expect(
    bad((s) =>
      s.replace(/phone: \{[^}]*\}/, 'phone: { keep_head: 3, keep_tail: 4, min_length: 8, hide: 1 }'),
    ),
  ).toThrow(/masking\.phone: .*hide/);
});

it('ships the masking rules of every personal field, the defaults of src/domain/masking.ts', () => {
  expect(loadSeasonConfig().masking).toEqual(DEFAULT_MASKING);
});

it('ships a JSON schema that matches the zod schema', () => {
  const shipped = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'season', 'season.schema.json'), 'utf8'));
  expect(shipped).toEqual(JSON.parse(JSON.stringify(seasonJsonSchema())));
});

it('resolves the phases from the real calendar (2026-27: Spring Festival 2027-02-06, Lantern 2027-02-20)', () => {
  const cal = new Calendar(loadSeasonConfig());
  const s = cal.season(2026);
  expect([s.label, s.start, s.end, s.springFestival, s.lanternFestival]).toEqual([
    '2026-27',
    '2026-11-15',
    '2027-03-31',
    '2027-02-06',
    '2027-02-20',
  ]);
  expect(s.phases.map((p) => [p.phase, p.start, p.end, p.days])).toEqual([
    ['YEAR_END', '2026-11-15', '2026-12-31', 47],
    ['NEW_YEAR', '2027-01-01', '2027-02-20', 51],
    ['CONSOLIDATION', '2027-02-21', '2027-03-31', 39],
  ]);
  expect(cal.season(2025).lanternFestival).toBe('2026-03-03');
  expect(cal.phaseOf('2026-11-14')).toBeNull();
  expect(cal.phaseOf('2026-11-15')?.phase).toBe('YEAR_END');
  expect(cal.phaseOf('2027-02-20')?.phase).toBe('NEW_YEAR');
  expect(cal.phaseOf('2027-03-31')?.phase).toBe('CONSOLIDATION');
  expect(cal.phaseOf('2027-04-01')).toBeNull();
});

it('lets a season move a phase boundary, and refuses gaps', () => {
  const moved = parseSeasonConfig(
    text.replace('phases: {}', 'phases: { "2026": { NEW_YEAR: { end: "2027-02-21" } } }'),
  );
  expect(new Calendar(moved).season(2026).phases.map((p) => p.end)).toEqual([
    '2026-12-31',
    '2027-02-21',
    '2027-03-31',
  ]);
  expect(() =>
    parseSeasonConfig(
      text.replace('phases: {}', 'phases: { "2026": { CONSOLIDATION: { start: "2027-03-01" } } }'),
    ),
  ).toThrow(/season 2026: phases must cover 2026-11-15 … 2027-03-31 without gaps or overlaps/);
});

it('knows working days: chinese-days where it has the year, the season config on top, else weekdays', () => {
  const cal = new Calendar(loadSeasonConfig());
  expect(cal.isWorkday('2026-01-04')).toBe(true); // a Sunday made a working day (2026 notice)
  expect(cal.isWorkday('2026-02-17')).toBe(false); // Spring Festival 2026
  expect(cal.isWorkday('2027-01-01')).toBe(false); // from the season config
  expect(cal.isWorkday('2027-02-05')).toBe(false); // 除夕 2027, a Friday
  expect(cal.isWorkday('2027-01-04')).toBe(true);
  expect(cal.isWorkday('2027-01-09')).toBe(false); // a Saturday
  expect(cal.season(2026).holidaySources).toEqual([
    { year: 2026, source: 'chinese-days' },
    { year: 2027, source: 'season config' },
  ]);
  expect(cal.holidaySource(2029)).toBe('weekends only');
  expect(cal.holidaySource(2028)).toBe('weekends only'); // Jan 1 2028 is a Saturday: not a sign of data
  // A day added in the config applies on top of the package's year; it does not replace it.
  const extra = new Calendar(
    parseSeasonConfig(
      text.replace('holidays:', 'holidays:\n  - { date: "2026-03-09", kind: HOLIDAY, name: 测试 }'),
    ),
  );
  expect(extra.isWorkday('2026-03-09')).toBe(false);
  expect(extra.isWorkday('2026-02-17')).toBe(false);
  expect(extra.isWorkday('2026-01-04')).toBe(true);
  expect(extra.season(2025).phases[1]?.workingDays).toBe(cal.season(2025).phases[1]?.workingDays);
});
