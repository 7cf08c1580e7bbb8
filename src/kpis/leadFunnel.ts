// lead_funnel (X3, PLAYBOOK "count"): per activity of the season, how far its leads got as of D —
// mined now (candidates of this run) → leads created in the season (treated; control apart) → routed
// (a task handed to a person, a pool or the remote centre) → contacted (at least one recorded contact)
// → converted (a conversion observed for a treated lead) — with the activity's uplift to date. It is
// published in the publish transaction after the lead lifecycle (it reads the lifecycle's state).

import type { Db } from '../db/types.js';
import { dateLiteral } from '../extracts/checks.js';

export async function publishLeadFunnel(
  db: Db,
  o: { asOf: string; seasonStart: string; activities: string[] },
): Promise<void> {
  const S = dateLiteral(o.seasonStart);
  const D = dateLiteral(o.asOf);
  const ids = o.activities.length
    ? o.activities.map((a) => `SELECT '${a.replaceAll("'", "''")}' AS activity_id`).join(' UNION ALL ')
    : "SELECT 'none' AS activity_id WHERE 1 = 0";
  await db.exec('DROP TABLE IF EXISTS lead_funnel');
  await db.exec(`CREATE TABLE lead_funnel AS
    WITH activities AS (
      -- The season file's activities, and any other that made leads this season (since removed).
      ${ids}
      UNION SELECT DISTINCT activity_id FROM leads WHERE season_start = ${S}
    ),
    mined AS (SELECT activity_id, count(*) AS n FROM lead_candidates GROUP BY activity_id),
    season_leads AS (
      SELECT l.lead_id, l.activity_id, CASE WHEN l.is_control THEN 1 ELSE 0 END AS is_control
        FROM leads l
       WHERE l.season_start = ${S} AND l.created_on <= ${D}
    ),
    routed AS (SELECT DISTINCT lead_id FROM tasks WHERE assigned_on IS NOT NULL AND assigned_on <= ${D}),
    -- contact_at is UTC; D ends at 24:00 in Shanghai.
    contacted AS (SELECT DISTINCT lead_id FROM contacts WHERE is_contact AND contact_at < ${dateLiteral(o.asOf)} + INTERVAL '16 hours'),
    converted AS (SELECT lead_id FROM conversions WHERE NOT is_control AND event_date <= ${D}),
    counts AS (
      SELECT l.activity_id,
             sum(1 - l.is_control) AS leads,
             sum(l.is_control) AS control_leads,
             sum(CASE WHEN l.is_control = 0 AND r.lead_id IS NOT NULL THEN 1 ELSE 0 END) AS routed,
             sum(CASE WHEN l.is_control = 0 AND c.lead_id IS NOT NULL THEN 1 ELSE 0 END) AS contacted,
             sum(CASE WHEN l.is_control = 0 AND v.lead_id IS NOT NULL THEN 1 ELSE 0 END) AS converted
        FROM season_leads l
        LEFT JOIN routed r ON r.lead_id = l.lead_id
        LEFT JOIN contacted c ON c.lead_id = l.lead_id
        LEFT JOIN converted v ON v.lead_id = l.lead_id
       GROUP BY l.activity_id
    ),
    latest_uplift AS (
      SELECT u.* FROM uplift u
       WHERE u.season_start = ${S} AND u.scope = 'TO_DATE'
         AND u.as_of = (SELECT max(as_of) FROM uplift WHERE season_start = ${S} AND scope = 'TO_DATE' AND as_of <= ${D})
    )
    SELECT ${D} AS as_of, ${S} AS season_start, a.activity_id,
           CAST(coalesce(m.n, 0) AS BIGINT) AS mined,
           CAST(coalesce(c.leads, 0) AS BIGINT) AS leads,
           CAST(coalesce(c.control_leads, 0) AS BIGINT) AS control_leads,
           CAST(coalesce(c.routed, 0) AS BIGINT) AS routed,
           CAST(coalesce(c.contacted, 0) AS BIGINT) AS contacted,
           CAST(coalesce(c.converted, 0) AS BIGINT) AS converted,
           u.treated_rate, u.control_rate, u.uplift, u.ci_low, u.ci_high, u.status AS uplift_status
      FROM activities a
      LEFT JOIN mined m ON m.activity_id = a.activity_id
      LEFT JOIN counts c ON c.activity_id = a.activity_id
      LEFT JOIN latest_uplift u ON u.activity_id = a.activity_id`);
}
