import { expect, it } from 'vitest';
import { yuan } from './headline.js';

it('shows money in whole yuan with separators, rounded half away from zero from the exact text', () => {
  expect(yuan('12345678.49')).toBe('12,345,678');
  expect(yuan('12345678.50')).toBe('12,345,679');
  expect(yuan('-1234.5000000000')).toBe('-1,235');
  expect(yuan('-0.40')).toBe('0');
  expect(yuan('999.99')).toBe('1,000');
});
