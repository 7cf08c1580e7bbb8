// Decimal strings as the API sends money and ratios ("-12.50"): compared exactly, never through floats.

/** Compare two decimal strings exactly (−1, 0, 1). */
export function compareDecimal(a: string, b: string): number {
  const parse = (s: string) => {
    const t = s.trim();
    const neg = t.startsWith('-');
    const [i = '0', f = ''] = t.replace(/^[-+]/, '').split('.');
    return { neg, i: i.replace(/^0+(?=\d)/, ''), f };
  };
  const x = parse(a);
  const y = parse(b);
  const len = Math.max(x.f.length, y.f.length);
  const ux = BigInt(`${x.i}${x.f.padEnd(len, '0')}`) * (x.neg ? -1n : 1n);
  const uy = BigInt(`${y.i}${y.f.padEnd(len, '0')}`) * (y.neg ? -1n : 1n);
  return ux < uy ? -1 : ux > uy ? 1 : 0;
}

/** For sorting a column: exact, and an empty value below every number. */
export function byDecimal(a: string | null | undefined, b: string | null | undefined): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return compareDecimal(a, b);
}
