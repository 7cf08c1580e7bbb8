// Each outlet's pension pay-day calendar (PLAYBOOK "Field operations", P8): the PENSION programs of the
// benefit-policy table covering the outlet's division (a program's division_code covers every code
// under it: 420000 covers 42xxxx, 420200 covers 4202xx), in force during the month, on their pay_day —
// so that outlets staff up and serve silver customers on those days. A pay_day past the month's end
// (31 in February) falls on the month's last day.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { addDays, monthStart } from '../domain/dates.js';
import { coversDivision } from '../leads/suitability.js';
import { day, num, str } from './common.js';

export const pensionDayView = z.object({
  date: z.string(),
  programs: z.array(
    z.object({
      program_id: z.string(),
      program_name: z.string().nullable(),
      division_code: z.string().nullable(),
      into_ssc: z.string().nullable(),
      pay_day: z.number(),
    }),
  ),
});

export const outletCalendar = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  division_code: z.string().nullable(),
  days: z.array(pensionDayView),
});

export type OutletCalendar = z.infer<typeof outletCalendar>;

/** The calendars of the outlets given, for the month of `month` (YYYY-MM). */
export async function pensionCalendars(
  db: Db,
  outlets: { org_id: string; org_name: string | null; division_code: string | null }[],
  month: string,
): Promise<OutletCalendar[]> {
  const first = `${month}-01`;
  const last = addDays(monthStart(first, 1), -1);
  const lastDay = Number(last.slice(8, 10));
  const programs = await db.query(
    `SELECT program_id, program_name, division_code, into_ssc, pay_day FROM benefit_programs
      WHERE kind = 'PENSION' AND pay_day IS NOT NULL AND division_code IS NOT NULL
        AND (start_date IS NULL OR start_date <= CAST($1 AS DATE))
        AND (end_date IS NULL OR end_date >= CAST($2 AS DATE))
      ORDER BY program_id`,
    [last, first],
  );
  return outlets.map((o) => {
    const days = new Map<string, z.infer<typeof pensionDayView>['programs']>();
    for (const p of programs) {
      const code = str(p.division_code) as string;
      if (!o.division_code || !coversDivision(code, o.division_code)) continue;
      const payDay = num(p.pay_day) as number;
      if (payDay < 1) continue;
      const date = `${month}-${String(Math.min(payDay, lastDay)).padStart(2, '0')}`;
      days.set(date, [
        ...(days.get(date) ?? []),
        {
          program_id: String(p.program_id),
          program_name: str(p.program_name),
          division_code: code,
          into_ssc: str(p.into_ssc),
          pay_day: payDay,
        },
      ]);
    }
    return {
      org_id: o.org_id,
      org_name: o.org_name,
      division_code: o.division_code,
      days: [...days.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([date, list]) => ({ date: day(date) as string, programs: list })),
    };
  });
}
