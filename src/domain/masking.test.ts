import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { mask, maskSql, type PersonalKind } from './masking.js';

it('masks as bank staff expect (张*伟, 138****0000, 420102********1001)', () => {
  expect(mask('name', '张三伟')).toBe('张*伟');
  expect(mask('name', '张三')).toBe('张*');
  expect(mask('name', '欧阳娜娜')).toBe('欧**娜');
  expect(mask('name', '张')).toBe('*');
  expect(mask('phone', '13800000000')).toBe('138****0000');
  expect(mask('id_no', '420102199001011001')).toBe('420102********1001');
  expect(mask('account', '6228480000000000018')).toBe('***************0018');
  expect(mask('phone', '12345')).toBe('*****');
  expect(mask('name', null)).toBeNull();
});

const samples: [PersonalKind, string][] = [
  ['name', '张三伟'],
  ['name', '张三'],
  ['name', '张'],
  ['name', 'John Smith'],
  ['name', ''],
  ['phone', '13800000000'],
  ['phone', '+86 138 0000 0000'],
  ['phone', '123'],
  ['id_no', '420102199001011001'],
  ['id_no', 'E12345678'],
  ['id_no', '110105491231002'],
  ['account', '6228480000000000018'],
  ['account', 'GB29NWBK60161331926819'],
  ['account', '1234'],
];

describeEachEngine('masking in SQL agrees with TypeScript', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => db?.close());

  it('for every kind of personal value', async () => {
    for (const [kind, value] of samples) {
      const [row] = await db.query<{ m: string }>(`SELECT ${maskSql(kind, 'CAST($1 AS VARCHAR)')} AS m`, [
        value,
      ]);
      expect([kind, value, row?.m]).toEqual([kind, value, mask(kind, value)]);
    }
  });
});
