// Calendar dates as 'YYYY-MM-DD' strings: exact, time-zone free.

export function isRealDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function addDays(s: string, n: number): string {
  const d = new Date(`${s}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The first day of the month `n` months after the month of `date` (n may be negative). */
export function monthStart(date: string, n = 0): string {
  const m = Number(date.slice(5, 7)) - 1 + n;
  const y = Number(date.slice(0, 4)) + Math.floor(m / 12);
  return `${y}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}-01`;
}

/** L of METRICS.md: month(D) when D is its last day, else the month before (its first day). */
export function lastCompleteMonth(asOf: string): string {
  return addDays(asOf, 1).endsWith('-01') ? monthStart(asOf) : monthStart(asOf, -1);
}

/** The same calendar day three years before a date (Feb 29 → Feb 28): the start of (D − 3 years, D]. */
export function threeYearsBefore(date: string): string {
  const md = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${Number(date.slice(0, 4)) - 3}-${md}`;
}
