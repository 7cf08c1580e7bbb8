// The product rules for one holder (PAD product matches), as arbitration applies them in SQL.

import { expect, it } from 'vitest';
import { coversDivision, type Holder, type ProductRow, productBlock } from './suitability.js';

const product = (p: Partial<ProductRow>): ProductRow => ({
  product_code: 'P',
  product_name: 'p',
  category: 'WEALTH',
  risk_rating: null,
  min_age: null,
  max_age: null,
  division_codes: null,
  ...p,
});
const holder = (h: Partial<Holder>): Holder => ({
  age: 40,
  risk_level: 'C3',
  division_code: '420102',
  holds: new Set(),
  ...h,
});

it('never offers a 70-year-old C4 customer an R3 product, and R1–R2 only from 65', () => {
  expect(productBlock(product({ risk_rating: 'R3' }), holder({ age: 70, risk_level: 'C4' }), 65)).toBe(
    'ELDERLY_RISK',
  );
  expect(productBlock(product({ risk_rating: 'R2' }), holder({ age: 70, risk_level: 'C4' }), 65)).toBeNull();
  expect(productBlock(product({ risk_rating: 'R3' }), holder({ age: 64, risk_level: 'C4' }), 65)).toBeNull();
  expect(productBlock(product({ risk_rating: 'R3' }), holder({ age: 65, risk_level: 'C5' }), 65)).toBe(
    'ELDERLY_RISK',
  );
});

it('needs a risk level at least the rating; none: unrated products only', () => {
  expect(productBlock(product({ risk_rating: 'R4' }), holder({ risk_level: 'C3' }), 65)).toBe('RISK_LEVEL');
  expect(productBlock(product({ risk_rating: 'R1' }), holder({ risk_level: null }), 65)).toBe('RISK_LEVEL');
  expect(productBlock(product({}), holder({ risk_level: null }), 65)).toBeNull();
});

it('checks the product’s ages, regions and what the holder already has', () => {
  expect(productBlock(product({ min_age: 18 }), holder({ age: 17 }), 65)).toBe('PRODUCT_AGE');
  expect(productBlock(product({ max_age: 17 }), holder({ age: 18 }), 65)).toBe('PRODUCT_AGE');
  expect(productBlock(product({ min_age: 0, max_age: 17 }), holder({ age: null }), 65)).toBe('PRODUCT_AGE');
  expect(
    productBlock(product({ division_codes: '420000|110101' }), holder({ division_code: '420102' }), 65),
  ).toBeNull();
  expect(productBlock(product({ division_codes: '420200' }), holder({ division_code: '420102' }), 65)).toBe(
    'PRODUCT_REGION',
  );
  expect(productBlock(product({ product_code: 'X' }), holder({ holds: new Set(['X']) }), 65)).toBe(
    'HOLDS_PRODUCT',
  );
  expect(coversDivision('420000', '429021')).toBe(true);
  expect(coversDivision('420200', '420281')).toBe(true);
  expect(coversDivision('420102', '420103')).toBe(false);
});
