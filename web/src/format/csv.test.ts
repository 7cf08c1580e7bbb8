import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

describe('CSV of what a table shows', () => {
  it('starts with a BOM, separates lines with CRLF and quotes what needs it', () => {
    expect(
      toCsv(
        ['机构', '金额'],
        [
          ['城关, 支行', '1234.50'],
          ['说"好"', 3],
        ],
      ),
    ).toBe('\uFEFF机构,金额\r\n"城关, 支行",1234.50\r\n"说""好""",3\r\n');
  });

  it('keeps a formula out of the spreadsheet: = + - @ and their full-width forms become text', () => {
    const csv = toCsv(['name'], [['=HYPERLINK("x")'], ['+1+1'], ['-2-2'], ['@SUM(A1)'], ['＝1'], ['\tx']]);
    expect(csv.split('\r\n').slice(1, 7)).toEqual([
      `"'=HYPERLINK(""x"")"`,
      "'+1+1",
      "'-2-2",
      "'@SUM(A1)",
      "'＝1",
      "'\tx",
    ]);
  });

  it('writes numbers and exact decimal strings as they are, empty for nothing', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [[-12.5, '-12.50', null, undefined]])).toBe(
      '\uFEFFa,b,c,d\r\n-12.5,-12.50,,\r\n',
    );
  });
});
