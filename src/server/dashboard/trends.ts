// The dashboard's trends: an org's headline measures (G3) and segment sizes at every published data
// date of the season so far (org_measures_history, segment_sizes keep each as-of as published), and
// the measures a week before D (the latest as-of ≤ D − 7, the weekly briefing's comparison) for the
// "change since last week" beside each headline figure.

import type { Db } from '../../db/types.js';
import { addDays } from '../../domain/dates.js';

export type MeasurePoint = {
  as_of: string;
  customers: number;
  new_customers: number;
  existing_customers: number;
  aum_d: string;
  deposits_d: string;
  adb_mtd: string;
  value_season: string;
};

export type SegmentPoint = {
  as_of: string;
  segment: string;
  members: number;
};

const MEASURES = `h.as_of, h.customers, h.new_customers, h.existing_customers, h.aum_d, h.deposits_d, h.adb_mtd, h.value_season`;

const toPoint = (r: MeasurePoint): MeasurePoint => ({
  ...r,
  customers: Number(r.customers),
  new_customers: Number(r.new_customers),
  existing_customers: Number(r.existing_customers),
});

/** The org's measures at every as-of in [from, D], oldest first. */
export async function measureTrend(
  db: Db,
  orgId: string,
  from: string,
  asOf: string,
): Promise<MeasurePoint[]> {
  const rows = await db.query<MeasurePoint>(
    `SELECT ${MEASURES} FROM org_measures_history h
      WHERE h.org_id = $1 AND h.as_of >= CAST($2 AS DATE) AND h.as_of <= CAST($3 AS DATE)
      ORDER BY h.as_of`,
    [orgId, from, asOf],
  );
  return rows.map(toPoint);
}

/** The org's measures at the latest as-of a week or more before D (null when none was published). */
export async function measuresWeekBefore(db: Db, orgId: string, asOf: string): Promise<MeasurePoint | null> {
  const [row] = await db.query<MeasurePoint>(
    `SELECT ${MEASURES} FROM org_measures_history h
      WHERE h.org_id = $1
        AND h.as_of = (SELECT max(as_of) FROM org_measures_history WHERE org_id = $1 AND as_of <= CAST($2 AS DATE))`,
    [orgId, addDays(asOf, -7)],
  );
  return row ? toPoint(row) : null;
}

/** The org's segment sizes at every as-of in [from, D], oldest first, segments in name order. */
export async function segmentTrend(
  db: Db,
  orgId: string,
  from: string,
  asOf: string,
): Promise<SegmentPoint[]> {
  const rows = await db.query<SegmentPoint>(
    `SELECT as_of, segment, members FROM segment_sizes
      WHERE org_id = $1 AND as_of >= CAST($2 AS DATE) AND as_of <= CAST($3 AS DATE)
      ORDER BY as_of, segment`,
    [orgId, from, asOf],
  );
  return rows.map((r) => ({ ...r, members: Number(r.members) }));
}
