// KPI periods (METRICS.md "KPIs"): a target's period is a phase, a quarter, the season, or explicit
// dates. It is resolved against one season and clipped to it (a Q4 target counts from S); a period
// wholly outside the season is an error. Periods are named by a label that stays readable in files
// and on screen: SEASON, YEAR_END, NEW_YEAR, CONSOLIDATION, Q1…Q4, or "2026-12-01..2026-12-31".

import { PHASES } from '../config/season.js';
import type { ResolvedSeason } from '../domain/calendar.js';
import { isRealDate } from '../domain/dates.js';

export interface KpiPeriod {
  label: string;
  start: string;
  end: string;
}

export class PeriodError extends Error {}

const QUARTER = /^Q([1-4])$/;
const RANGE = /^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$/;

/** What a period may be written as, for messages. */
export const PERIOD_FORMS = `SEASON, ${PHASES.join(', ')}, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD`;

/** Resolve a period label for a season, clipped to it. */
export function resolvePeriod(label: string, season: ResolvedSeason): KpiPeriod {
  const text = label.trim().toUpperCase();
  let start: string;
  let end: string;
  if (text === 'SEASON') {
    ({ start, end } = season);
  } else if ((PHASES as readonly string[]).includes(text)) {
    ({ start, end } = season.phases.find((p) => p.phase === text) as { start: string; end: string });
  } else if (QUARTER.test(text)) {
    const q = Number(QUARTER.exec(text)?.[1]);
    // Q4 (and Q3) of the season's start year; Q1 and Q2 of the year the season ends in.
    const year = q >= 3 ? season.year : season.year + 1;
    const firstMonth = (q - 1) * 3 + 1;
    start = `${year}-${String(firstMonth).padStart(2, '0')}-01`;
    end = new Date(Date.UTC(year, firstMonth + 2, 0)).toISOString().slice(0, 10);
  } else if (RANGE.test(label.trim())) {
    const [, a, b] = RANGE.exec(label.trim()) as RegExpExecArray;
    if (!isRealDate(a as string) || !isRealDate(b as string))
      throw new PeriodError(`period "${label}": not a real date`);
    if ((b as string) < (a as string)) throw new PeriodError(`period "${label}": ends before it starts`);
    [start, end] = [a as string, b as string];
  } else {
    throw new PeriodError(`period "${label}": not one of ${PERIOD_FORMS}`);
  }
  if (end < season.start || start > season.end)
    throw new PeriodError(
      `period "${label}" (${start}..${end}) is wholly outside the season ${season.label} (${season.start}..${season.end})`,
    );
  const clipped = {
    start: start < season.start ? season.start : start,
    end: end > season.end ? season.end : end,
  };
  const canonical = RANGE.test(label.trim()) ? `${clipped.start}..${clipped.end}` : text;
  return { label: canonical, ...clipped };
}
