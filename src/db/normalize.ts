// Shared value normalisation at the Db boundary (see types.ts).

/** An integer that arrived as text: a number when it is exact, else the text. */
export function exactInteger(s: string): number | string {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC, no zone) → 'YYYY-MM-DDTHH:MM:SS.sssZ'. */
export function isoTimestamp(s: string): string {
  const [date, time = '00:00:00'] = s.split(/[ T]/);
  const [hms = '00:00:00', frac = ''] = time.replace(/[+-]\d\d(:?\d\d)?$|Z$/, '').split('.');
  return `${date}T${hms}.${`${frac}000`.slice(0, 3)}Z`;
}
