import { describe, expect, it } from 'vitest';
import type { MerchantRow } from './api';
import { filterMerchants, rateMove, sumMoney, tierRates } from './logic';

const m = (id: string, o: Partial<MerchantRow> = {}): MerchantRow => ({
  merchant_id: id,
  merchant_name: `商户${id}`,
  merchant_type: 'STREET',
  owner_name: '张*丰',
  org_id: 'O1',
  org_name: '网点一',
  merchant_adb: '1000.00',
  acq_amount_90: '100000.00',
  fee_income_90: '600.00',
  fee_cost_90: '300.00',
  coverage_ok: true,
  tier_rate: '0.0060',
  current_rate: '0.0060',
  proposed_rate: '0.0060',
  fee_income_change_90: '0.00',
  ...o,
});

describe('rateMove', () => {
  it('tells a discount, a rise, no change and unknown', () => {
    expect(rateMove({ current_rate: '0.0060', proposed_rate: '0.0055' })).toBe('down');
    expect(rateMove({ current_rate: '0.0045', proposed_rate: '0.0050' })).toBe('up');
    expect(rateMove({ current_rate: '0.006', proposed_rate: '0.0060' })).toBe('same');
    expect(rateMove({ current_rate: null, proposed_rate: '0.0060' })).toBe('none');
  });
});

describe('filterMerchants', () => {
  const rows = [
    m('M1'),
    m('M2', { merchant_type: 'CHAIN', proposed_rate: '0.0050', tier_rate: '0.0050' }),
    m('M3', { merchant_name: '菜场老李', current_rate: '0.0040' }),
  ];
  it('filters by type, move, tier and text', () => {
    expect(filterMerchants(rows, { type: 'CHAIN' }).map((r) => r.merchant_id)).toEqual(['M2']);
    expect(filterMerchants(rows, { move: 'up' }).map((r) => r.merchant_id)).toEqual(['M3']);
    expect(filterMerchants(rows, { move: 'down' }).map((r) => r.merchant_id)).toEqual(['M2']);
    expect(filterMerchants(rows, { tier: '0.0060' }).map((r) => r.merchant_id)).toEqual(['M1', 'M3']);
    expect(filterMerchants(rows, { text: '老李' }).map((r) => r.merchant_id)).toEqual(['M3']);
    expect(filterMerchants(rows, {})).toHaveLength(3);
  });
  it('lists the tier rates lowest first', () => {
    expect(tierRates(rows)).toEqual(['0.0050', '0.0060']);
  });
});

describe('sumMoney', () => {
  it('adds decimal strings exactly, negatives included', () => {
    expect(sumMoney(['0.10', '0.20', null, '-0.05'])).toBe('0.25');
    expect(sumMoney(['-12.30', '2.3'])).toBe('-10.00');
    expect(sumMoney([])).toBe('0.00');
    expect(sumMoney(Array(10).fill('0.10'))).toBe('1.00');
  });
});
