// The bank's clock: China Standard Time, UTC+8, no daylight saving. Timestamps are stored in UTC;
// what a person calls "22:00" or "today" is judged here.

export const BANK_UTC_OFFSET_HOURS = 8;
const HOUR_MS = 3_600_000;

/** An instant as a UTC TIMESTAMP text for SQL: 'YYYY-MM-DD HH:MM:SS.sss'. */
export function utcTimestamp(at: Date = new Date()): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/** HH:MM of an instant in bank time. */
export function bankClock(at: Date): string {
  return new Date(at.getTime() + BANK_UTC_OFFSET_HOURS * HOUR_MS).toISOString().slice(11, 16);
}

/** The bank's calendar date of an instant. */
export function bankDate(at: Date = new Date()): string {
  return new Date(at.getTime() + BANK_UTC_OFFSET_HOURS * HOUR_MS).toISOString().slice(0, 10);
}

/** The first instant after a bank calendar day, minus `hoursBack` hours. */
export function bankDayEnd(date: string, hoursBack = 0): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) + (24 - BANK_UTC_OFFSET_HOURS - hoursBack) * HOUR_MS);
}
