// Uplift per activity (PLAYBOOK.md step 3), intention to treat: the conversion rate of treated leads
// minus that of control leads, over leads whose attribution window has closed by D (CLOSED) and, shown
// apart, over every lead so far (TO_DATE), with a 95 % interval from the unpooled Wald standard error
// of a difference of two proportions. "INSUFFICIENT" when either group has fewer than «30» leads.

import type { SeasonConfig } from '../config/season.js';
import type { Db, SqlValue } from '../db/types.js';
import { insertRows } from './tables.js';

export interface UpliftFigures {
  treatedLeads: number;
  treatedConverted: number;
  controlLeads: number;
  controlConverted: number;
}

export interface UpliftResult {
  treatedRate: number | null;
  controlRate: number | null;
  uplift: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  status: 'OK' | 'INSUFFICIENT';
}

/** The estimate and its 95 % Wald interval (z = 1.959964). */
export function upliftOf(f: UpliftFigures, minGroup: number): UpliftResult {
  const p1 = f.treatedLeads ? f.treatedConverted / f.treatedLeads : null;
  const p0 = f.controlLeads ? f.controlConverted / f.controlLeads : null;
  const sufficient = f.treatedLeads >= minGroup && f.controlLeads >= minGroup;
  if (p1 === null || p0 === null)
    return {
      treatedRate: p1,
      controlRate: p0,
      uplift: null,
      ciLow: null,
      ciHigh: null,
      status: 'INSUFFICIENT',
    };
  const diff = p1 - p0;
  const se = Math.sqrt((p1 * (1 - p1)) / f.treatedLeads + (p0 * (1 - p0)) / f.controlLeads);
  return {
    treatedRate: p1,
    controlRate: p0,
    uplift: diff,
    ciLow: sufficient ? diff - 1.959964 * se : null,
    ciHigh: sufficient ? diff + 1.959964 * se : null,
    status: sufficient ? 'OK' : 'INSUFFICIENT',
  };
}

/** A rate as exact decimal text with 6 places (the column's scale). */
const dec = (x: number | null) => (x === null ? null : x.toFixed(6));

export async function publishUplift(db: Db, config: SeasonConfig, asOf: string): Promise<void> {
  const D = `CAST('${asOf}' AS DATE)`;
  const rows = await db.query<{
    season_start: string;
    activity_id: string;
    is_control: boolean;
    n: number;
    converted: number;
    n_closed: number;
    converted_closed: number;
  }>(
    `SELECT l.season_start, l.activity_id, l.is_control,
            CAST(count(*) AS BIGINT) AS n,
            CAST(sum(CASE WHEN c.lead_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS converted,
            CAST(sum(CASE WHEN l.created_on + coalesce(a.window_days, ${config.thresholds.attribution_days}) <= ${D} THEN 1 ELSE 0 END) AS BIGINT) AS n_closed,
            CAST(sum(CASE WHEN c.lead_id IS NOT NULL AND l.created_on + coalesce(a.window_days, ${config.thresholds.attribution_days}) <= ${D} THEN 1 ELSE 0 END) AS BIGINT) AS converted_closed
       FROM leads l
       LEFT JOIN lc_activities a ON a.activity_id = l.activity_id
       LEFT JOIN conversions c ON c.lead_id = l.lead_id
      WHERE NOT l.service
      GROUP BY l.season_start, l.activity_id, l.is_control`,
  );
  const groups = new Map<
    string,
    { season: string; activity: string; t?: (typeof rows)[number]; c?: (typeof rows)[number] }
  >();
  for (const r of rows) {
    const key = `${r.season_start}|${r.activity_id}`;
    const g = groups.get(key) ?? { season: r.season_start, activity: r.activity_id };
    if (r.is_control) g.c = r;
    else g.t = r;
    groups.set(key, g);
  }
  await db.exec('DELETE FROM uplift');
  const values: SqlValue[][] = [];
  for (const g of [...groups.values()].sort((a, b) =>
    a.season + a.activity < b.season + b.activity ? -1 : 1,
  ))
    for (const scope of ['CLOSED', 'TO_DATE'] as const) {
      const closed = scope === 'CLOSED';
      const f: UpliftFigures = {
        treatedLeads: Number((closed ? g.t?.n_closed : g.t?.n) ?? 0),
        treatedConverted: Number((closed ? g.t?.converted_closed : g.t?.converted) ?? 0),
        controlLeads: Number((closed ? g.c?.n_closed : g.c?.n) ?? 0),
        controlConverted: Number((closed ? g.c?.converted_closed : g.c?.converted) ?? 0),
      };
      const u = upliftOf(f, config.thresholds.holdout_min_group);
      values.push([
        asOf,
        g.season,
        g.activity,
        scope,
        f.treatedLeads,
        f.treatedConverted,
        f.controlLeads,
        f.controlConverted,
        dec(u.treatedRate),
        dec(u.controlRate),
        dec(u.uplift),
        dec(u.ciLow),
        dec(u.ciHigh),
        u.status,
      ]);
    }
  await insertRows(db, 'uplift', values);
}
