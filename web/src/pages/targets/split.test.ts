import { describe, expect, it } from 'vitest';
import { checkEdits, editedTargets, fromUnits, toUnits } from './split';
import { fileType, parseProblems } from './upload';

const rows = [
  { scope_id: 'O1', name: '网点一', measure: '7', target: '538' },
  { scope_id: 'O2', name: '网点二', measure: '6', target: '462' },
];

describe('target split edits', () => {
  it('reads and writes exact decimals in units', () => {
    expect(toUnits('1,234.50', 2)).toBe(123450n);
    expect(toUnits('12.345', 2)).toBeNull();
    expect(toUnits('12.300', 2)).toBe(1230n);
    expect(toUnits('abc', 2)).toBeNull();
    expect(toUnits('-5', 0)).toBe(-5n);
    expect(fromUnits(123456n, 2)).toBe('1234.56');
    expect(fromUnits(5n, 2)).toBe('0.05');
    expect(fromUnits(-5n, 2)).toBe('-0.05');
    expect(fromUnits(42n, 0)).toBe('42');
    // 0.1 + 0.2 in fen, exactly.
    expect(fromUnits((toUnits('0.1', 2) as bigint) + (toUnits('0.2', 2) as bigint), 2)).toBe('0.30');
  });

  it('the proportional split balances; an edit shows the difference until another takes it back', () => {
    expect(checkEdits('1000', 'COUNT', rows, {})).toMatchObject({
      balanced: true,
      difference: '0',
      edited: [],
    });
    expect(checkEdits('1000', 'COUNT', rows, { O1: '540' })).toMatchObject({
      balanced: false,
      sum: '1002',
      difference: '2',
      edited: ['O1'],
    });
    expect(checkEdits('1000', 'COUNT', rows, { O1: '540', O2: '460' })).toMatchObject({
      balanced: true,
      edited: ['O1', 'O2'],
    });
  });

  it('says what is wrong with a value: not a number, negative, a fraction of a count, past the fen', () => {
    const c = checkEdits('1000', 'COUNT', rows, { O1: 'x', O2: '1.5' });
    expect(c.problems).toEqual({ O1: 'notNumber', O2: 'tooPrecise' });
    expect(c.balanced).toBe(false);
    expect(c.sum).toBeNull();
    expect(checkEdits('1000', 'COUNT', rows, { O1: '-1' }).problems.O1).toBe('negative');
    const yuan = [
      { scope_id: 'A', name: null, measure: '1', target: '0.10' },
      { scope_id: 'B', name: null, measure: '1', target: '0.20' },
    ];
    expect(checkEdits('0.30', 'YUAN', yuan, {})).toMatchObject({ balanced: true, sum: '0.30' });
    expect(checkEdits('0.30', 'YUAN', yuan, { A: '0.105' }).problems.A).toBe('tooPrecise');
    expect(editedTargets('YUAN', yuan, { A: '0.1' })).toEqual([
      { scope_id: 'A', target: '0.10' },
      { scope_id: 'B', target: '0.20' },
    ]);
  });

  it('splits the server report into row, column and message', () => {
    expect(
      parseProblems([
        'row 3, column kpi: "NO_SUCH_KPI" is not a KPI (the KPIs are listed in docs/targets.md)',
        'row 1: the header lacks target (目标)',
        'something else',
      ]),
    ).toEqual([
      {
        key: 0,
        row: 3,
        column: 'kpi',
        message: '"NO_SUCH_KPI" is not a KPI (the KPIs are listed in docs/targets.md)',
      },
      { key: 1, row: 1, column: null, message: 'the header lacks target (目标)' },
      { key: 2, row: null, column: null, message: 'something else' },
    ]);
    expect(fileType('t.CSV')).toBe('text/csv');
    expect(fileType('t.xlsx')).toContain('spreadsheetml');
    expect(fileType('t.xls')).toBeNull();
  });
});
