// The generator's calendar: days as integers (days since 1970-01-01, UTC) for speed, with their
// 'YYYY-MM-DD' text cached; the season and the history window.

import { isRealDate, monthStart } from '../domain/dates.js';

const MS_PER_DAY = 86_400_000;

export const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
const textCache = new Map<number, string>();
export function dateOf(day: number): string {
  let s = textCache.get(day);
  if (!s) {
    s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    textCache.set(day, s);
  }
  return s;
}

export { monthStart } from '../domain/dates.js';

export const daysInMonth = (firstOfMonth: string) => dayOf(monthStart(firstOfMonth, 1)) - dayOf(firstOfMonth);

export interface Season {
  /** The season's first day S (default Nov 15). */
  start: string;
  /** Mar 31 after S. */
  end: string;
  asOf: string;
  /** The first day of the month 13 months before S: the first day with payroll, balances and the like. */
  historyStart: string;
  /** 3 years before as-of: remittances (and the customers behind them) reach back this far. */
  remittanceStart: string;
}

/** The season as-of falls in; as-of must be a day of a season (S … Mar 31). */
export function seasonOf(asOf: string, startMonthDay = '11-15'): Season {
  if (!isRealDate(asOf)) throw new Error(`as-of ${asOf} is not a date YYYY-MM-DD`);
  if (!/^\d{2}-\d{2}$/.test(startMonthDay) || !isRealDate(`2025-${startMonthDay}`)) {
    throw new Error(`season start ${startMonthDay} is not MM-DD`);
  }
  const y = Number(asOf.slice(0, 4));
  const md = asOf.slice(5);
  const startYear = md >= startMonthDay ? y : y - 1;
  const start = `${startYear}-${startMonthDay}`;
  const end = `${startYear + 1}-03-31`;
  if (asOf > end || (md >= '04-01' && md < startMonthDay)) {
    throw new Error(`as-of ${asOf} is outside a season (${startMonthDay} … 03-31)`);
  }
  // From the first day of the month 13 months before S, so that W13 is whole for every D of the season
  // (for D in Nov 15–29, L − 12 is the October of the year before).
  const historyStart = monthStart(start, -13);
  const remittanceStart = `${y - 3}${asOf.slice(4, 10) === '-02-29' ? '-02-28' : asOf.slice(4)}`;
  return { start, end, asOf, historyStart, remittanceStart };
}

/** The demo's data date: yesterday (T-1) when that is a season day, else the nearest season day before. */
export function defaultAsOf(today: string, startMonthDay = '11-15'): string {
  const yesterday = dateOf(dayOf(today) - 1);
  try {
    seasonOf(yesterday, startMonthDay);
    return yesterday;
  } catch {
    const y = Number(yesterday.slice(0, 4));
    const md = yesterday.slice(5);
    // Between seasons: the last day of the season that ended; before the season start in Nov: same.
    return md < startMonthDay ? `${y}-03-31` : `${y + 1}-03-31`;
  }
}
