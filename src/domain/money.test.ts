import { expect, it } from 'vitest';
import { formatMoney, fromUnits, toUnits } from './money.js';

it('turns decimal text into exact units and back, signs included', () => {
  expect(toUnits('12.345', 2)).toBe(1234n);
  expect(toUnits('20', 2)).toBe(2000n);
  expect(toUnits('-0.05', 2)).toBe(-5n);
  expect(toUnits('0.05', 4) * toUnits('200', 4) * toUnits('0.8', 4)).toBe(8_000_000_000_000n);
  expect(fromUnits(1234n, 2)).toBe('12.34');
  expect(fromUnits(-5n, 2)).toBe('-0.05');
  expect(fromUnits(8_000_000_000_000n, 12)).toBe('8.000000000000');
  expect(fromUnits(7n, 0)).toBe('7');
  expect(formatMoney(fromUnits(toUnits('96500.5', 2), 2), 2)).toBe('96,500.50');
});
