import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { Rng } from '../generator/random.js';

/** a / b to `scale` decimals, half away from zero, in exact integer arithmetic (a, b as decimal strings). */
function ratioExact(a: string, b: string, scale = 10): string | null {
  const scaled = (x: string) => {
    const [i, f = ''] = x.replace('-', '').split('.');
    return BigInt(`${i}${f.padEnd(12, '0')}`) * (x.startsWith('-') ? -1n : 1n);
  };
  const A = scaled(a);
  const B = scaled(b);
  if (B === 0n) return null;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  const q = (abs(A) * 2n * 10n ** BigInt(scale) + abs(B)) / (2n * abs(B));
  const digits = q.toString().padStart(scale + 1, '0');
  const neg = A < 0n !== B < 0n && q !== 0n;
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

describeEachEngine('dialect.ratio: exact division to DECIMAL(38,10)', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => db?.close());

  it('agrees with exact integer arithmetic, halves rounded away from zero', async () => {
    const r = new Rng(3, 'ratio');
    const cases: [string, string][] = [
      ['10', '3'],
      ['-10', '3'],
      ['2', '3'],
      ['1', '8'],
      ['0.00000000005', '1'], // exactly half of the last digit: rounds up
      ['-0.00000000005', '1'], // … and away from zero below it
      ['0.00000000004', '1'],
      ['1', '0'],
      ['0', '7'],
      ['123456789012.34', '0.07'],
      ['200000000.02', '200000000.01'], // a large divisor: rounding twice would give …0001
      ['987654321098.76', '123456789.01'],
    ];
    for (let i = 0; i < 200; i++) {
      const a = `${r.chance(0.2) ? '-' : ''}${r.int(0, 99_999_999)}.${String(r.int(0, 99)).padStart(2, '0')}`;
      const b = `${r.int(0, 9_999)}.${String(r.int(1, 99)).padStart(2, '0')}`;
      cases.push([a, b]);
    }
    await db.exec('CREATE TABLE ratio_t (i INTEGER, a DECIMAL(38,12), b DECIMAL(38,12))');
    for (let i = 0; i < cases.length; i += 50) {
      const part = cases.slice(i, i + 50);
      await db.execute(
        `INSERT INTO ratio_t VALUES ${part.map((_, k) => `(${i + k}, CAST($${2 * k + 1} AS DECIMAL(38,12)), CAST($${2 * k + 2} AS DECIMAL(38,12)))`).join(', ')}`,
        part.flat(),
      );
    }
    const rows = await db.query<{ q: string | null }>(
      `SELECT ${db.dialect.ratio('a', 'b')} AS q FROM ratio_t ORDER BY i`,
    );
    const strip = (v: string | null) => (v === null ? null : v.replace(/^-(0\.0+)$/, '$1'));
    expect(rows.map((x) => strip(x.q))).toEqual(cases.map(([a, b]) => ratioExact(a, b)));
    // Money divided once (value_season's / 360) rounds straight to cents.
    const cents = await db.query<{ q: string | null }>(
      `SELECT ${db.dialect.ratio('a', 'b', 2)} AS q FROM ratio_t ORDER BY i`,
    );
    expect(cents.map((x) => strip(x.q))).toEqual(cases.map(([a, b]) => ratioExact(a, b, 2)));
    const [half] = await db.query<{ up: string; down: string }>(
      `SELECT ${db.dialect.ratio('CAST(1.8 AS DECIMAL(18,2))', '360', 2)} AS up, ${db.dialect.ratio('CAST(-1.8 AS DECIMAL(18,2))', '360', 2)} AS down`,
    );
    expect(half).toEqual({ up: '0.01', down: '-0.01' }); // 0.005 and −0.005: away from zero
  });
});

describeEachEngine('dialect.binaryText: text ordered byte by byte on both engines', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => db?.close());

  it('picks the same smallest id whatever the database locale', async () => {
    // '-' (0x2D) sorts before '1' (0x31) by bytes; a locale collation may ignore the hyphen.
    const [r] = await db.query<{ lo: string; hi: string }>(
      `SELECT min(${db.dialect.binaryText('x')}) AS lo, max(${db.dialect.binaryText('x')}) AS hi
         FROM (VALUES ('A1'), ('A-2'), ('a0'), ('B')) t(x)`,
    );
    expect(r).toEqual({ lo: 'A-2', hi: 'a0' });
  });
});
