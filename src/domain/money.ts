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
