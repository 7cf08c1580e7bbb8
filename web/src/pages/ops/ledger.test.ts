import { describe, expect, it } from 'vitest';
import { defaultAsOf, dropDirProblem, isDate, ledgerRows, type RunRow } from './ledger';

const run = (o: Partial<RunRow>): RunRow => ({
  run_id: 1,
  as_of: '2026-12-15',
  stage: null,
  status: 'PUBLISHED',
  started_at: '2026-12-15T10:00:00.000Z',
  finished_at: '2026-12-15T10:00:12.340Z',
  message: null,
  host: 'h',
  pid: 1,
  config_file: 'config/season.yaml',
  config_sha256: 'abcdef0123456789abcdef',
  models: [],
  ...o,
});

describe('ledger rows', () => {
  it('sums models per stage in order, with the run’s duration and a short hash', () => {
    const [r] = ledgerRows([
      run({
        models: [
          { model: 'a', stage: 'features', rows: 10, seconds: 0.25 },
          { model: 'b', stage: 'features', rows: 5, seconds: 0.31, warnings: ['x', 'y'] },
          { model: 'c', stage: 'segments', rows: 7, seconds: 1 },
        ],
      }),
    ]);
    expect(r?.seconds).toBe(12.3);
    expect(r?.hashShort).toBe('abcdef012345');
    expect(r?.models).toBe(3);
    expect(r?.warnings).toBe(2);
    expect(r?.stages).toEqual([
      { stage: 'features', models: 2, rows: 15, seconds: 0.6, warnings: 2 },
      { stage: 'segments', models: 1, rows: 7, seconds: 1, warnings: 0 },
    ]);
  });

  it('has no duration or hash when unknown', () => {
    const [r] = ledgerRows([run({ finished_at: 'nonsense', config_sha256: null })]);
    expect(r?.seconds).toBeNull();
    expect(r?.hashShort).toBeNull();
  });

  it('defaults a new run to the newest run’s date', () => {
    expect(defaultAsOf([run({ as_of: '2026-12-14' }), run({ as_of: '2026-12-01' })], 'x')).toBe('2026-12-14');
    expect(defaultAsOf([], '2026-12-15')).toBe('2026-12-15');
  });
});

describe('form checks', () => {
  it('refuses a drop folder that is empty, absolute or climbs out', () => {
    expect(dropDirProblem('2026-12-15')).toBeNull();
    expect(dropDirProblem('fixes/customers')).toBeNull();
    expect(dropDirProblem('  ')).toBe('empty');
    expect(dropDirProblem('/etc')).toBe('absolute');
    expect(dropDirProblem('C:\\drops')).toBe('absolute');
    expect(dropDirProblem('a/../../b')).toBe('parent');
  });

  it('takes real dates only', () => {
    expect(isDate('2026-12-15')).toBe(true);
    expect(isDate('2026-02-30')).toBe(false);
    expect(isDate('2026-12-1')).toBe(false);
  });
});
