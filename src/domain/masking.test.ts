import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import {
  configureMasking,
  DEFAULT_MASKING,
  mask,
  maskingRules,
  maskSql,
  type PersonalKind,
} from './masking.js';

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
  // A value as short as what would be kept is starred whole: nothing is ever shown in full.
  expect(mask('phone', '1380000')).toBe('*******');
  expect(mask('id_no', '4201021990')).toBe('**********');
  expect(mask('account', '12345')).toBe('*2345');
});

/** Stricter rules a bank might set: names all stars, phones the last 2 only, accounts the last 3. */
const STRICT = {
  name: { keep_head: 0, keep_tail: 0, min_length: 1, short: 'STARS' as const },
  phone: { keep_head: 0, keep_tail: 2, min_length: 6, short: 'STARS' as const },
  account: { keep_head: 0, keep_tail: 3, min_length: 8, short: 'STARS' as const },
};

it('masks by the configured rule of each field, the others keeping their default', () => {
  try {
    configureMasking(STRICT);
    expect(mask('name', '张三伟')).toBe('***');
    expect(mask('name', '张三')).toBe('**');
    expect(mask('phone', '13800000000')).toBe('*********00');
    expect(mask('account', '6228480000000000018')).toBe('****************018');
    expect(mask('id_no', '420102199001011001')).toBe('420102********1001');
    expect(maskingRules().id_no).toEqual(DEFAULT_MASKING.id_no);
    expect(() =>
      configureMasking({ phone: { keep_head: 3, keep_tail: 4, min_length: 7, short: 'STARS' } }),
    ).toThrow(/min_length must exceed/);
  } finally {
    configureMasking();
  }
  expect(mask('name', '张三伟')).toBe('张*伟');
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
  ['phone', '1380000'],
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

  const agree = async () => {
    for (const [kind, value] of samples) {
      const [row] = await db.query<{ m: string }>(`SELECT ${maskSql(kind, 'CAST($1 AS VARCHAR)')} AS m`, [
        value,
      ]);
      expect([kind, value, row?.m]).toEqual([kind, value, mask(kind, value)]);
    }
  };

  it('for every kind of personal value', agree);

  it('with configured rules too', async () => {
    try {
      configureMasking(STRICT);
      await agree();
    } finally {
      configureMasking();
    }
  });
});
