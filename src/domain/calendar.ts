// The season calendar (METRICS.md "Calendar"): phases from the real calendar — the Lantern Festival
// from the lunar calendar (lunar-typescript) — and working days from `chinese-days`, with the season
// config's holidays and make-up working days on top (the package has no 2027 data yet). chinese-days is
// CommonJS without named exports that Node can see: imported as its default object.

import chineseDays from 'chinese-days';
import { Lunar } from 'lunar-typescript';
import type { Phase, SeasonConfig } from '../config/season.js';
import { addDays, isRealDate } from './dates.js';

export interface ResolvedPhase {
  phase: Phase;
  start: string;
  end: string;
  days: number;
  workingDays: number;
}

export interface ResolvedSeason {
  /** The season's start year; its label is e.g. 2026-27. */
  year: number;
  label: string;
  start: string;
  end: string;
  days: number;
  springFestival: string;
  lanternFestival: string;
  phases: ResolvedPhase[];
  /** Where each calendar year's holidays come from. */
  holidaySources: { year: number; source: 'chinese-days' | 'season config' | 'weekends only' }[];
  /** Holidays (days off that are not weekends, or named) within the season. */
  holidays: { date: string; name: string }[];
}

export const PHASE_NAMES: Record<Phase, { zh: string; slogan: string; en: string }> = {
  YEAR_END: { zh: '岁末收官', slogan: '收官红', en: 'year-end sprint' },
  NEW_YEAR: { zh: '新春攻坚', slogan: '开门红', en: 'new-year push' },
  CONSOLIDATION: { zh: '旺季巩固', slogan: '红上红', en: 'consolidation' },
};

const ymd = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** 正月初一 and 正月十五 of a Gregorian year. */
export function lunarNewYear(year: number): { springFestival: string; lanternFestival: string } {
  const s = Lunar.fromYmd(year, 1, 1).getSolar();
  const l = Lunar.fromYmd(year, 1, 15).getSolar();
  return {
    springFestival: ymd(s.getYear(), s.getMonth(), s.getDay()),
    lanternFestival: ymd(l.getYear(), l.getMonth(), l.getDay()),
  };
}

export const daysBetweenInclusive = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;

/**
 * Whether `chinese-days` carries a year's official arrangement: New Year's Day is then a named holiday
 * ("New Year's Day,元旦,1"); a year it lacks gives only the weekday name.
 */
function packageCoversYear(year: number): boolean {
  return chineseDays.getDayDetail(`${year}-01-01`).name.includes(',');
}

export class Calendar {
  private readonly overrides: Map<string, { kind: 'HOLIDAY' | 'WORKDAY'; name: string }>;

  constructor(private readonly config: SeasonConfig) {
    this.overrides = new Map(config.holidays.map((h) => [h.date, { kind: h.kind, name: h.name }]));
  }

  /** The package when it has the year (the config's days then apply on top of it), else the config, else weekends. */
  holidaySource(year: number): 'chinese-days' | 'season config' | 'weekends only' {
    if (packageCoversYear(year)) return 'chinese-days';
    return this.config.holidays.some((h) => h.date.startsWith(`${year}-`))
      ? 'season config'
      : 'weekends only';
  }

  /** A working day: the season config's entry for the day, else `chinese-days` for the years it covers, else Mon–Fri. */
  isWorkday(date: string): boolean {
    const o = this.overrides.get(date);
    if (o) return o.kind === 'WORKDAY';
    const year = Number(date.slice(0, 4));
    if (packageCoversYear(year)) return chineseDays.isWorkday(date);
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  workingDays(a: string, b: string): number {
    let n = 0;
    for (let d = a; d <= b; d = addDays(d, 1)) if (this.isWorkday(d)) n++;
    return n;
  }

  /** The season that starts in `year` (S of `year` … Mar 31 of the next year), with its phases. */
  season(year: number): ResolvedSeason {
    const { start: startMd, end: endMd } = this.config.season;
    const start = `${year}-${startMd}`;
    const end = `${year + 1}-${endMd}`;
    const { springFestival, lanternFestival } = lunarNewYear(year + 1);
    const over = this.config.season.phases[String(year)] ?? {};
    const bounds: Record<Phase, { start: string; end: string }> = {
      YEAR_END: { start, end: over.YEAR_END?.end ?? `${year}-12-31` },
      NEW_YEAR: { start: `${year + 1}-01-01`, end: over.NEW_YEAR?.end ?? lanternFestival },
      CONSOLIDATION: { start: addDays(lanternFestival, 1), end },
    };
    bounds.NEW_YEAR.start = over.NEW_YEAR?.start ?? addDays(bounds.YEAR_END.end, 1);
    bounds.CONSOLIDATION.start = over.CONSOLIDATION?.start ?? addDays(bounds.NEW_YEAR.end, 1);
    bounds.YEAR_END.start = over.YEAR_END?.start ?? start;
    bounds.CONSOLIDATION.end = over.CONSOLIDATION?.end ?? end;
    const phases = (['YEAR_END', 'NEW_YEAR', 'CONSOLIDATION'] as const).map((phase) => ({
      phase,
      ...bounds[phase],
      days: daysBetweenInclusive(bounds[phase].start, bounds[phase].end),
      workingDays: this.workingDays(bounds[phase].start, bounds[phase].end),
    }));
    checkContiguous(year, start, end, phases);
    const holidays: { date: string; name: string }[] = [];
    for (let d = start; d <= end; d = addDays(d, 1)) {
      const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
      const o = this.overrides.get(d);
      if (o?.kind === 'HOLIDAY') holidays.push({ date: d, name: o.name });
      else if (!o && !this.isWorkday(d) && dow !== 0 && dow !== 6)
        holidays.push({ date: d, name: packageHolidayName(d) });
    }
    return {
      year,
      label: `${year}-${String(year + 1).slice(2)}`,
      start,
      end,
      days: daysBetweenInclusive(start, end),
      springFestival,
      lanternFestival,
      phases,
      holidaySources: [year, year + 1].map((y) => ({ year: y, source: this.holidaySource(y) })),
      holidays,
    };
  }

  /** The season a date falls in (by its start year), or null between seasons. */
  seasonOf(date: string): ResolvedSeason | null {
    if (!isRealDate(date)) throw new Error(`not a date: ${date}`);
    const y = Number(date.slice(0, 4));
    for (const year of [y, y - 1]) {
      const s = this.season(year);
      if (date >= s.start && date <= s.end) return s;
    }
    return null;
  }

  /**
   * S for an as-of date: the start of the season the date is in or, between seasons (Apr 1 … S − 1),
   * of the coming season — so that season-to-date figures are empty (0) before it starts.
   */
  seasonStartFor(date: string): string {
    const current = this.seasonOf(date);
    if (current) return current.start;
    return this.season(Number(date.slice(0, 4))).start;
  }

  /** The phase of a date, or null outside the season. */
  phaseOf(date: string): ResolvedPhase | null {
    return this.seasonOf(date)?.phases.find((p) => date >= p.start && date <= p.end) ?? null;
  }
}

/** The Chinese name `chinese-days` gives a holiday ("Spring Festival,春节,4" → 春节). */
function packageHolidayName(date: string): string {
  return chineseDays.getDayDetail(date).name.split(',')[1] ?? '法定节假日';
}

function checkContiguous(year: number, start: string, end: string, phases: ResolvedPhase[]): void {
  const [a, b, c] = phases as [ResolvedPhase, ResolvedPhase, ResolvedPhase];
  const ok =
    a.start === start &&
    c.end === end &&
    addDays(a.end, 1) === b.start &&
    addDays(b.end, 1) === c.start &&
    phases.every((p) => p.start <= p.end);
  if (!ok) {
    throw new Error(
      `season ${year}: phases must cover ${start} … ${end} without gaps or overlaps (${phases.map((p) => `${p.phase} ${p.start}…${p.end}`).join(', ')})`,
    );
  }
}
