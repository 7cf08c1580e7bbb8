// The dashboard's rankings: the org's children ranked among themselves for every KPI and period
// tracked at D (kpi_progress: rank by completion among siblings, ties sharing a rank), each with its
// rank a week before (the latest as-of ≤ D − 7, as in the weekly briefing) so the change shows as
// ↑2 / ↓1. Only children in the user's scope are listed; their ranks stay the ranks among all siblings.

import type { Db } from '../../db/types.js';
import { addDays } from '../../domain/dates.js';
import type { SqlParams } from '../scope.js';

export type RankingRow = {
  kpi: string;
  period: string;
  period_start: string;
  period_end: string;
  org_id: string;
  org_name: string | null;
  actual: string;
  target: string | null;
  completion: string | null;
  time_progress: string;
  gap: string | null;
  rank: number | null;
  ranked: number | null;
  laggard: boolean;
  rank_before: number | null;
  /** rank_before − rank: positive moved up; null when either is missing. */
  rank_change: number | null;
};

/**
 * `inScope` is the scope condition on `k.scope_id` built with `params` (which already holds D at $1
 * and the org at $2).
 */
export async function childRankings(db: Db, params: SqlParams, inScope: string): Promise<RankingRow[]> {
  const asOf = params.values[0] as string;
  const before = params.add(addDays(asOf, -7));
  const rows = await db.query<RankingRow>(
    `WITH prev AS (
       SELECT max(as_of) AS as_of FROM kpi_progress WHERE as_of <= CAST(${before} AS DATE)
     )
     SELECT k.kpi, k.period, k.period_start, k.period_end, k.scope_id AS org_id, o.org_name, k.actual, k.target,
            k.completion, k.time_progress, k.gap, k.rank, k.ranked, k.laggard, b.rank AS rank_before
       FROM kpi_progress k
       JOIN orgs o ON o.org_id = k.scope_id
       LEFT JOIN kpi_progress b
         ON b.as_of = (SELECT as_of FROM prev) AND b.scope_kind = 'ORG' AND b.scope_id = k.scope_id
        AND b.kpi = k.kpi AND b.period_start = k.period_start AND b.period_end = k.period_end
      WHERE k.as_of = CAST($1 AS DATE) AND k.scope_kind = 'ORG' AND k.parent_id = $2 AND ${inScope}
      ORDER BY k.kpi, k.period_start, k.period_end, k.rank NULLS LAST, k.scope_id`,
    params.values,
  );
  return rows.map((r) => {
    const rank = r.rank === null ? null : Number(r.rank);
    const rankBefore = r.rank_before === null ? null : Number(r.rank_before);
    return {
      ...r,
      rank,
      ranked: r.ranked === null ? null : Number(r.ranked),
      laggard: Boolean(r.laggard),
      rank_before: rankBefore,
      rank_change: rank === null || rankBefore === null ? null : rankBefore - rank,
    };
  });
}
