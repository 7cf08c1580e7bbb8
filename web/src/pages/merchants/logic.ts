// The merchants page's pure logic (unit-tested): which way the proposed rate moves, the filters the
// page applies on the rows the server sent, and exact sums of money (decimal strings, in fen).
import type { MerchantRow } from './api';

export type Move = 'down' | 'up' | 'same' | 'none';

/** The proposal against the current rate: a discount (down), a rise (up), unchanged, or unknown. */
export function rateMove(m: Pick<MerchantRow, 'current_rate' | 'proposed_rate'>): Move {
  if (m.current_rate === null || m.proposed_rate === null) return 'none';
  const c = Number(m.current_rate);
  const p = Number(m.proposed_rate);
  // Rates have at most 6 places: compared in millionths.
  const d = Math.round(p * 1e6) - Math.round(c * 1e6);
  return d < 0 ? 'down' : d > 0 ? 'up' : 'same';
}

export interface MerchantFilters {
  type?: string;
  move?: Move;
  tier?: string;
  text?: string;
}

export function filterMerchants(rows: MerchantRow[], f: MerchantFilters): MerchantRow[] {
  const q = (f.text ?? '').trim().toLowerCase();
  return rows.filter(
    (m) =>
      (!f.type || m.merchant_type === f.type) &&
      (!f.move || rateMove(m) === f.move) &&
      (!f.tier || m.tier_rate === f.tier) &&
      (!q || m.merchant_id.toLowerCase().includes(q) || (m.merchant_name ?? '').toLowerCase().includes(q)),
  );
}

/** The tier rates present, lowest first (the tiers of M5). */
export function tierRates(rows: MerchantRow[]): string[] {
  return [...new Set(rows.map((m) => m.tier_rate).filter((r): r is string => r !== null))].sort(
    (a, b) => Number(a) - Number(b),
  );
}

/** Σ of decimal strings, exact (to the fen), as a decimal string. */
export function sumMoney(values: (string | null)[]): string {
  let fen = 0n;
  for (const v of values) {
    if (v === null) continue;
    const neg = v.trim().startsWith('-');
    const [i = '0', f = ''] = v.trim().replace(/^[-+]/, '').split('.');
    const u = BigInt(i || '0') * 100n + BigInt(`${f}00`.slice(0, 2));
    fen += neg ? -u : u;
  }
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
