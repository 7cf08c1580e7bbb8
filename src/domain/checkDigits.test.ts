import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { Rng } from '../generator/random.js';
import {
  idCardCheckChar,
  idCardValidSql,
  isValidCardNumber,
  isValidIdCard,
  isValidUscc,
  luhnCheckDigit,
  luhnValidSql,
  usccCheckChar,
  usccValidSql,
} from './checkDigits.js';

it('accepts published valid identifiers and refuses altered ones', () => {
  expect(isValidIdCard('11010519491231002X')).toBe(true); // GB 11643-1999 example
  expect(isValidIdCard('110105194912310021')).toBe(false);
  expect(isValidIdCard('110105491231002')).toBe(true); // legacy 15-digit
  expect(isValidIdCard('11010519491231002x')).toBe(false); // the loader upper-cases before checking
  expect(isValidUscc('91350100M000100Y43')).toBe(true);
  expect(isValidUscc('91350100M000100Y44')).toBe(false);
  expect(isValidUscc('91350100M000100I43')).toBe(false); // I is not in the character set
  expect(isValidCardNumber('4111111111111111')).toBe(true);
  expect(isValidCardNumber('4111111111111112')).toBe(false);
  expect(isValidCardNumber('411111111111111')).toBe(false); // 15 digits
  expect(isValidCardNumber(`622848000000000001${luhnCheckDigit('622848000000000001')}`)).toBe(true);
});

/** Random candidates, half of them valid, of every length the rules care about. */
function candidates(): { id: string[]; uscc: string[]; card: string[] } {
  const r = new Rng(7, 'check-digits');
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const id: string[] = [];
  const uscc: string[] = [];
  const card: string[] = [];
  for (let i = 0; i < 300; i++) {
    const body = r.digits(17);
    id.push(body + (i % 2 ? idCardCheckChar(body) : r.pick([...'0123456789X'])));
    let u = '';
    for (let k = 0; k < 17; k++) u += r.pick([...chars]);
    uscc.push(u + (i % 2 ? usccCheckChar(u) : r.pick([...chars])));
    const len = r.int(15, 20);
    const c = r.digits(len - 1);
    card.push(c + (i % 2 ? luhnCheckDigit(c) : String(r.int(0, 9))));
  }
  id.push('110105491231002', '11010519491231002X', 'ABC', '');
  return { id, uscc, card };
}

describeEachEngine('check digits in SQL agree with TypeScript', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => db?.close());

  const cases = candidates();
  const kinds = [
    ['ID card', cases.id, idCardValidSql, isValidIdCard],
    ['USCC', cases.uscc, usccValidSql, isValidUscc],
    ['card Luhn', cases.card, luhnValidSql, isValidCardNumber],
  ] as const;
  for (const [label, values, toSql, inTs] of kinds) {
    it(label, async () => {
      await db.exec(`DROP TABLE IF EXISTS cd_t; CREATE TABLE cd_t (i INTEGER, x VARCHAR)`);
      const params = values.flatMap((v, i) => [i, v]);
      await db.execute(
        `INSERT INTO cd_t VALUES ${values.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`,
        params,
      );
      const rows = await db.query<{ ok: boolean }>(
        `SELECT ${toSql('x', db.dialect.fullMatch)} AS ok FROM cd_t ORDER BY i`,
      );
      expect(rows.map((r) => r.ok)).toEqual(values.map((v) => inTs(v)));
      expect(values.filter((v) => inTs(v)).length).toBeGreaterThan(100);
    });
  }
});
