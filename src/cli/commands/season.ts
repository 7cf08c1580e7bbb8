// wangji season show: the resolved season — phases with their dates and working days, the Spring and
// Lantern Festivals, where each year's holidays come from. wangji season schema: the JSON schema.

import { loadSeasonConfig, seasonJsonSchema } from '../../config/season.js';
import { Calendar, PHASE_NAMES, type ResolvedSeason } from '../../domain/calendar.js';
import { type Output, renderTable } from '../output.js';

export interface SeasonShowOptions {
  config?: string;
  /** The season's start year; default: the season of `today`, or the next one between seasons. */
  season?: number;
  today: string;
}

export function resolveShownSeason(o: SeasonShowOptions): ResolvedSeason {
  const calendar = new Calendar(loadSeasonConfig(o.config));
  if (o.season !== undefined) return calendar.season(o.season);
  const current = calendar.seasonOf(o.today);
  if (current) return current;
  const y = Number(o.today.slice(0, 4));
  const thisYear = calendar.season(y);
  return o.today < thisYear.start ? thisYear : calendar.season(y + 1);
}

export function seasonShowCommand(o: SeasonShowOptions, out: Output): number {
  const s = resolveShownSeason(o);
  out.result(s, () => [
    `${s.label} 旺季 season: ${s.start} → ${s.end} (${s.days} days)`,
    '',
    ...renderTable(
      ['phase', '', 'start', 'end', 'days', 'working days'],
      s.phases.map((p) => [
        `${PHASE_NAMES[p.phase].zh} ${PHASE_NAMES[p.phase].slogan}`,
        p.phase,
        p.start,
        p.end,
        p.days,
        p.workingDays,
      ]),
    ),
    '',
    `春节 Spring Festival ${s.springFestival} · 元宵节 Lantern Festival ${s.lanternFestival}`,
    `节假日 Holidays in the season: ${s.holidays.map((h) => `${h.date} ${h.name}`).join(', ') || '(none)'}`,
    ...s.holidaySources.map(
      (h) =>
        `  ${h.year}: ${h.source === 'chinese-days' ? 'official arrangement from chinese-days' : h.source === 'season config' ? 'from the season config (holidays:)' : 'weekends only — no holiday data: add the year under holidays: in the season config'}`,
    ),
  ]);
  return 0;
}

export function seasonSchemaCommand(out: Output): number {
  process.stdout.write(`${JSON.stringify(seasonJsonSchema(), null, 2)}\n`);
  void out;
  return 0;
}
