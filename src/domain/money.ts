// Money shown to people: exact decimal text rounded half away from zero (四舍五入) to whole yuan or to
// cents, with thousands separators — never through a float.

/** "1234567.125" → "1,234,567.13" (places 2) or "1,234,567" (places 0); "-0.004" → "0.00". */
export function formatMoney(decimal: string, places: 0 | 2): string {
  const neg = decimal.trim().startsWith('-');
  const [int = '0', frac = ''] = decimal.trim().replace('-', '').split('.');
  const kept = `${frac}00`.slice(0, places);
  let units = BigInt(int) * 10n ** BigInt(places) + BigInt(kept || '0');
  if ((frac[places] ?? '0') >= '5') units += 1n;
  const scale = 10n ** BigInt(places);
  const whole = (units / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = places ? `.${(units % scale).toString().padStart(places, '0')}` : '';
  return `${neg && units > 0n ? '-' : ''}${whole}${cents}`;
}

/** Exact decimal text as an integer count of 10^-places ("12.345", 2 → 1234n; extra digits cut). */
export function toUnits(decimal: string, places: number): bigint {
  const t = decimal.trim();
  const neg = t.startsWith('-');
  const [int = '0', frac = ''] = t.replace(/^[-+]/, '').split('.');
  const units =
    BigInt(int || '0') * 10n ** BigInt(places) +
    BigInt(`${frac}${'0'.repeat(places)}`.slice(0, places) || '0');
  return neg ? -units : units;
}

/** An integer count of 10^-places as decimal text (1234n, 2 → "12.34"; -5n, 2 → "-0.05"). */
export function fromUnits(units: bigint, places: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(places + 1, '0');
  const text = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  return neg ? `-${text}` : text;
}
