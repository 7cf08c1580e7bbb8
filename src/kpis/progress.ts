// kpi_progress (METRICS.md "KPIs (X3)"): the credits of kpi_credits — and LEADS_CONVERTED from the
// lead lifecycle's conversions — rolled up the org tree, against the targets in force, with completion,
// time progress, gap, rank among siblings and the laggard flag. Runs in the publish transaction, after
// the lifecycle, and replaces the rows of the run's as-of only (the history is kept for the weekly
// briefing's week-over-week change).
//
// Choices a bank analyst would make where the definitions leave room (docs/decisions.md):
// - a credit whose org is empty or unknown counts at the HQ org (the bank's total stays whole);
// - completion and time progress are exact ratios stored as DECIMAL(38,10), rounded half away from
//   zero (METRICS.md); completion divides the unrounded credit (ADB growth: amount / (divisor × target));
//   gap is their difference; ranks and laggards are decided on those stored values;
// - rows without a parent (HQ) and the remote-banking centre are not ranked;
// - a STAFF row's parent is the staff member's org; staff rows exist for periods with staff targets.

import type { SeasonConfig } from '../config/season.js';
import { quoteString } from '../db/dialect.js';
import type { Db } from '../db/types.js';
import { dateLiteral } from '../extracts/checks.js';
import { KPI_IDS, KPIS } from './catalogue.js';

export async function publishKpiProgress(
  db: Db,
  o: { asOf: string; seasonStart: string; config: SeasonConfig },
): Promise<number> {
  const D = dateLiteral(o.asOf);
  const r = db.dialect.ratio;
  const programCase = `CASE p.kpi ${KPI_IDS.map((k) => `WHEN ${quoteString(k)} THEN ${quoteString(KPIS[k].program)}`).join(' ')} END`;
  const balanceKpis = KPI_IDS.filter((k) => KPIS[k].balance)
    .map(quoteString)
    .join(', ');
  const gapLimit = o.config.thresholds.laggard_gap;
  const share = o.config.thresholds.laggard_bottom_share;
  await db.execute(`DELETE FROM kpi_progress WHERE as_of = ${D}`);
  return db.execute(`INSERT INTO kpi_progress
    WITH root AS (
      SELECT min(org_id) AS org_id FROM orgs WHERE level = 'HQ'
    ),
    credits AS (
      SELECT kpi, period_start, period_end, org_id, staff_id, amount, divisor FROM kpi_credits
      UNION ALL
      -- LEADS_CONVERTED: treated leads whose conversion event date is in the period, credited to the task's
      -- org and staff; service tasks (EMPLOYER_VISIT) are visit coverage, not conversions (PLAYBOOK).
      SELECT p.kpi, p.period_start, p.period_end, v.credit_org_id, v.credit_staff_id, CAST(count(*) AS DECIMAL(38,2)), 1
        FROM conversions v
        JOIN kpi_periods p ON p.kpi = 'LEADS_CONVERTED' AND v.event_date >= p.period_start AND v.event_date <= p.last_day
       WHERE NOT v.is_control AND NOT v.service AND v.task_id IS NOT NULL AND v.season_start = ${dateLiteral(o.seasonStart)}
       GROUP BY p.kpi, p.period_start, p.period_end, v.credit_org_id, v.credit_staff_id
    ),
    placed AS (
      SELECT c.kpi, c.period_start, c.period_end,
             CASE WHEN o.org_id IS NULL THEN (SELECT org_id FROM root) ELSE c.org_id END AS org_id,
             c.staff_id, c.amount
        FROM credits c LEFT JOIN orgs o ON o.org_id = c.org_id
    ),
    org_sums AS (
      SELECT x.kpi, x.period_start, x.period_end, oc.ancestor_id AS org_id, sum(x.amount) AS amount
        FROM placed x JOIN org_closure oc ON oc.org_id = x.org_id
       GROUP BY x.kpi, x.period_start, x.period_end, oc.ancestor_id
    ),
    staff_sums AS (
      SELECT kpi, period_start, period_end, staff_id, sum(amount) AS amount
        FROM placed WHERE staff_id IS NOT NULL
       GROUP BY kpi, period_start, period_end, staff_id
    ),
    divisors AS (
      SELECT kpi, period_start, period_end, max(divisor) AS divisor FROM kpi_credits GROUP BY kpi, period_start, period_end
    ),
    scopes AS (
      SELECT p.kpi, p.period, p.period_start, p.period_end, p.last_day, 'ORG' AS scope_kind, o.org_id AS scope_id,
             o.level AS scope_level, o.parent_id, coalesce(s.amount, 0) AS amount
        FROM kpi_periods p CROSS JOIN orgs o
        LEFT JOIN org_sums s ON s.kpi = p.kpi AND s.period_start = p.period_start AND s.period_end = p.period_end AND s.org_id = o.org_id
      UNION ALL
      SELECT p.kpi, p.period, p.period_start, p.period_end, p.last_day, 'STAFF', st.staff_id, 'STAFF', st.org_id,
             coalesce(s.amount, 0)
        FROM kpi_periods p CROSS JOIN staff st
        LEFT JOIN staff_sums s ON s.kpi = p.kpi AND s.period_start = p.period_start AND s.period_end = p.period_end AND s.staff_id = st.staff_id
       WHERE p.with_staff
    ),
    measured AS (
      SELECT s.*, coalesce(d.divisor, 1) AS divisor,
             CAST(${r('s.amount', 'coalesce(d.divisor, 1)', 2)} AS DECIMAL(20,2)) AS actual, t.target,
             CAST(${r('s.last_day - s.period_start + 1', 's.period_end - s.period_start + 1', 10)} AS DECIMAL(38,10)) AS time_progress
        FROM scopes s
        LEFT JOIN divisors d ON d.kpi = s.kpi AND d.period_start = s.period_start AND d.period_end = s.period_end
        LEFT JOIN kpi_targets t ON t.kpi = s.kpi AND t.scope_kind = s.scope_kind AND t.scope_id = s.scope_id
                               AND t.period_start = s.period_start AND t.period_end = s.period_end
    ),
    completed AS (
      SELECT m.*, CASE WHEN m.target > 0 THEN CAST(${r('m.amount', 'm.divisor * m.target', 10)} AS DECIMAL(38,10)) END AS completion
        FROM measured m
    ),
    ranked AS (
      SELECT c.*, c.completion - c.time_progress AS gap,
             CASE WHEN c.completion IS NOT NULL AND c.parent_id IS NOT NULL AND c.scope_level <> 'REMOTE_CENTER' THEN 1 ELSE 0 END AS rankable
        FROM completed c
    ),
    positioned AS (
      SELECT x.*,
             CASE WHEN x.rankable = 1 THEN rank() OVER (PARTITION BY x.kpi, x.period_start, x.period_end, x.scope_kind, x.parent_id, x.rankable ORDER BY x.completion DESC) END AS position,
             CASE WHEN x.rankable = 1 THEN count(*) OVER (PARTITION BY x.kpi, x.period_start, x.period_end, x.scope_kind, x.parent_id, x.rankable) END AS siblings
        FROM ranked x
    )
    SELECT ${D}, ${dateLiteral(o.seasonStart)}, p.kpi, ${programCase}, p.scope_kind, p.scope_id, p.scope_level, p.parent_id,
           p.period, p.period_start, p.period_end, p.actual, p.target, p.completion, p.time_progress,
           CAST(p.gap AS DECIMAL(38,10)), CAST(p.position AS INTEGER), CAST(p.siblings AS INTEGER),
           coalesce(p.gap < -CAST('${gapLimit}' AS DECIMAL(10,6))
                    OR (p.siblings >= 5 AND p.position > p.siblings - floor(CAST('${share}' AS DECIMAL(10,6)) * p.siblings)), FALSE),
           CASE WHEN p.kpi IN (${balanceKpis}) AND p.target IS NOT NULL AND ${D} < p.period_end
                THEN CAST(${r('p.target - p.actual', `p.period_end - ${D}`, 2)} AS DECIMAL(20,2)) END
      FROM positioned p`);
}
