import { describe, expect, it } from 'vitest';
import {
  formatChange,
  formatCount,
  formatDate,
  formatDateTime,
  formatMoney,
  formatPercent,
  formatPoints,
  formatRankChange,
  formatWan,
  formatYuan,
} from './format';

describe('numbers as bank staff read them', () => {
  it('counts and yuan with thousands separators', () => {
    expect(formatCount(20000)).toBe('20,000');
    expect(formatCount('971')).toBe('971');
    expect(formatCount(null)).toBe('—');
    expect(formatYuan('92181853.58')).toBe('¥92,181,853.58');
    expect(formatYuan(-12.5)).toBe('-¥12.50');
    expect(formatYuan('not a number')).toBe('—');
  });

  it('large amounts in 万 and 亿 (English: K, M, B)', () => {
    expect(formatMoney('92181853.58')).toBe('¥9,218.19万');
    expect(formatMoney('195629038')).toBe('¥1.96亿');
    expect(formatMoney('9999.99')).toBe('¥9,999.99');
    expect(formatMoney(-250000)).toBe('-¥25.00万');
    expect(formatMoney('92181853.58', 'en')).toBe('¥92.18M');
    expect(formatMoney('1956290380', 'en')).toBe('¥1.96B');
    expect(formatMoney(78497.06, 'en')).toBe('¥78.5K');
    expect(formatWan('92181853.58')).toBe('9,218.19');
    expect(formatWan(null)).toBe('—');
  });

  it('percentages with one decimal and differences in points', () => {
    expect(formatPercent('0.1230039777')).toBe('12.3%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPoints('-0.0335132352')).toBe('-3.4 个百分点');
    expect(formatPoints('0.0326', 'en')).toBe('+3.3 pp');
  });

  it('signed changes', () => {
    expect(formatChange(58, 'count')).toBe('+58');
    expect(formatChange(-1234, 'count')).toBe('-1,234');
    expect(formatChange(-123000, 'money')).toBe('-¥12.30万');
    expect(formatChange(0, 'money')).toBe('¥0.00');
    expect(formatChange(null, 'money')).toBe('—');
  });

  it('dates as YYYY-MM-DD by the bank clock', () => {
    expect(formatDate('2026-12-01')).toBe('2026-12-01');
    // 17:30 UTC is 01:30 the next day in Shanghai.
    expect(formatDate('2026-12-01T17:30:00.000Z')).toBe('2026-12-02');
    expect(formatDateTime('2026-12-01T02:05:00Z')).toBe('2026-12-01 10:05');
    expect(formatDate(null)).toBe('—');
    expect(formatDateTime('garbage')).toBe('—');
  });

  it('rank changes as arrows', () => {
    expect(formatRankChange(2)).toEqual({ text: '↑2', dir: 'up' });
    expect(formatRankChange(-1)).toEqual({ text: '↓1', dir: 'down' });
    expect(formatRankChange(0)).toEqual({ text: '0', dir: 'same' });
    expect(formatRankChange(null)).toEqual({ text: '—', dir: 'same' });
  });
});
