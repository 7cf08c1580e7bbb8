// kpi_periods: the (KPI, period) pairs tracked as of D — every KPI over the season, and every period a
// target names — that have begun (a ≤ D; METRICS.md: rows exist only for periods with a ≤ D). A pair
// has STAFF rows when a staff member has a target for it and the KPI credits staff. last_day is
// min(b, D), the end of what is counted so far.

import { quoteIdent, quoteString } from '../../../db/dialect.js';
import { Calendar } from '../../../domain/calendar.js';
import { dateLiteral } from '../../../extracts/checks.js';
import { KPI_IDS, KPIS } from '../../../kpis/catalogue.js';
import type { Model } from '../../models.js';

export const kpiPeriodsModel: Model = {
  name: 'kpi_periods',
  stage: 'kpis',
  description:
    'the KPI periods tracked as of D: each KPI over the season and over every period a target names, once begun; with_staff when staff have targets for it',
  reads: ['kpi_targets'],
  key: ['kpi', 'period_start', 'period_end'],
  async build(db, ctx, target) {
    const season = new Calendar(ctx.config).seasonOf(ctx.asOf);
    const D = dateLiteral(ctx.asOf);
    const staffKpis = KPI_IDS.filter((k) => KPIS[k].staffCredited)
      .map(quoteString)
      .join(', ');
    const seasonRows = season
      ? KPI_IDS.map(
          (k) =>
            `SELECT ${quoteString(k)} AS kpi, 'SEASON' AS period, ${dateLiteral(season.start)} AS period_start, ${dateLiteral(season.end)} AS period_end`,
        ).join(' UNION ALL ')
      : `SELECT 'NEW_CUSTOMERS' AS kpi, 'SEASON' AS period, ${D} AS period_start, ${D} AS period_end WHERE 1 = 0`;
    await db.exec(`CREATE TABLE ${quoteIdent(target)} AS
      WITH pairs AS (
        ${seasonRows}
        UNION
        SELECT kpi, period, period_start, period_end FROM ${ctx.tableOf('kpi_targets')}
      ),
      staffed AS (
        SELECT DISTINCT kpi, period_start, period_end FROM ${ctx.tableOf('kpi_targets')}
         WHERE scope_kind = 'STAFF' AND kpi IN (${staffKpis})
      )
      SELECT p.kpi, min(p.period) AS period, CAST(p.period_start AS DATE) AS period_start,
             CAST(p.period_end AS DATE) AS period_end,
             CAST(CASE WHEN p.period_end < ${D} THEN p.period_end ELSE ${D} END AS DATE) AS last_day,
             max(CASE WHEN s.kpi IS NULL THEN 0 ELSE 1 END) = 1 AS with_staff
        FROM pairs p
        LEFT JOIN staffed s ON s.kpi = p.kpi AND s.period_start = p.period_start AND s.period_end = p.period_end
       WHERE p.period_start <= ${D}
       GROUP BY p.kpi, p.period_start, p.period_end`);
  },
};
