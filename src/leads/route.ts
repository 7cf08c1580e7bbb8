// Routing (PLAYBOOK.md step 4): every OPEN lead outside the control group gets one task. The activity
// names the owning org — the customer's home org (OUTLET, COUNTY_OUTLET, CUSTOMER_MANAGER), the
// employer's org, or for merchants M2 by merchant_type (CHAIN → its branch; PRO_MARKET and
// BUSINESS_DISTRICT → its sub-branch; STREET, VEG_MARKET, SUPPLY_CHAIN_DEALER → its outlet, or the
// outlet of a nearby payroll employer's org; its own org's pool when it sits above that level).
// Within the org: the employer's corporate RM or the customer's manager when that person is active
// staff in the owning org's subtree (a task of someone who has left goes to the org's pool); else a
// CARE visit for the very old, BACKPACK in a county, the org's pool channel; else a remote channel
// (SMS, outbound call: the remote centre's list, credited to the customer's home org) when the
// activity allows it; else the org's pool. Staff take at most «20» new tasks a day in priority order
// and no marketing task reaches a customer already at the contact cap: the rest wait, QUEUED, with
// the reason.

import type { SeasonConfig } from '../config/season.js';
import { analyze } from '../db/analyze.js';
import { quoteString } from '../db/dialect.js';
import type { Db } from '../db/types.js';

export interface RoutingInput {
  asOf: string;
  config: SeasonConfig;
  /** The contact-cap window: (capSince, endOfDay], UTC TIMESTAMP literals. */
  capSince: string;
  endOfDay: string;
  byteOrder: (expr: string) => string;
}

export interface RoutingSummary {
  closed: number;
  /** Unfinished tasks of staff no longer in the staff extract, moved to their org's pool. */
  rerouted: number;
  created: number;
  assigned: number;
  queued: number;
}

export async function routeTasks(db: Db, o: RoutingInput): Promise<RoutingSummary> {
  const D = `CAST('${o.asOf}' AS DATE)`;
  const t = o.config.thresholds;
  const due = `CAST(${D} + ${t.task_due_days} AS DATE)`;
  // Tasks of leads that are no longer OPEN end with their lead.
  const closed = await db.execute(`UPDATE tasks
      SET status = CASE WHEN l.status = 'CONVERTED' THEN 'DONE' ELSE 'CLOSED' END, closed_reason = l.status, queue_reason = NULL
     FROM leads l
    WHERE l.lead_id = tasks.lead_id AND tasks.status IN ('QUEUED', 'OPEN', 'IN_PROGRESS') AND l.status <> 'OPEN'`);
  // A staff member who left (not in today's staff extract) leaves their unfinished tasks to the pool.
  const rerouted = await db.execute(`UPDATE tasks
      SET staff_id = NULL, channel = CASE WHEN channel IN ('MANAGER', 'CORPORATE_RM') THEN 'POOL' ELSE channel END,
          assigned_on = CASE WHEN status = 'QUEUED' THEN ${D} ELSE assigned_on END,
          due_date = CASE WHEN status = 'QUEUED' THEN ${due} ELSE due_date END,
          status = CASE WHEN status = 'QUEUED' THEN 'OPEN' ELSE status END, queue_reason = NULL
    WHERE staff_id IS NOT NULL AND status IN ('QUEUED', 'OPEN', 'IN_PROGRESS')
      AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = tasks.staff_id)`);
  const first = async (level: string) =>
    (
      await db.query<{ org_id: string }>(
        `SELECT org_id FROM orgs WHERE level = '${level}' ORDER BY ${o.byteOrder('org_id')} LIMIT 1`,
      )
    )[0]?.org_id ?? null;
  const remoteOrg = quoteString((await first('REMOTE_CENTER')) ?? (await first('HQ')) ?? 'HQ');
  for (const table of ['lc_merchant_owner', 'lc_staff_in', 'lc_county_orgs', 'lc_routes', 'lc_pending'])
    await db.exec(`DROP TABLE IF EXISTS ${table}`);
  await db.exec(`CREATE TEMP TABLE lc_merchant_owner AS
    WITH level_above AS (
      SELECT oc.org_id, a.level, min(${o.byteOrder('oc.ancestor_id')}) AS ancestor_id
        FROM org_closure oc JOIN orgs a ON a.org_id = oc.ancestor_id GROUP BY oc.org_id, a.level
    )
    SELECT m.merchant_id,
           coalesce(CASE WHEN m.merchant_type IN ('STREET', 'VEG_MARKET', 'SUPPLY_CHAIN_DEALER') AND eo.level = 'OUTLET' THEN e.org_id END,
                    up.ancestor_id, m.org_id) AS owner_org
      FROM merchants m
      LEFT JOIN employers e ON e.employer_id = m.near_employer_id
      LEFT JOIN orgs eo ON eo.org_id = e.org_id
      LEFT JOIN level_above up ON up.org_id = m.org_id
       AND up.level = CASE m.merchant_type WHEN 'CHAIN' THEN 'BRANCH' WHEN 'PRO_MARKET' THEN 'SUBBRANCH'
                                           WHEN 'BUSINESS_DISTRICT' THEN 'SUBBRANCH' ELSE 'OUTLET' END`);
  // Who is active staff under which org (for "in the owning org's subtree"), and which orgs sit in a
  // county-level division: joined, never looked up row by row.
  await db.exec(`CREATE TEMP TABLE lc_staff_in AS
    SELECT s.staff_id, oc.ancestor_id FROM staff s JOIN org_closure oc ON oc.org_id = s.org_id`);
  await db.exec(`CREATE TEMP TABLE lc_county_orgs AS
    SELECT o.org_id FROM orgs o JOIN divisions d ON d.division_code = o.division_code WHERE d.is_county`);
  await analyze(db, 'lc_merchant_owner', 'lc_staff_in', 'lc_county_orgs');
  await db.exec(`CREATE TEMP TABLE lc_routes AS
    WITH nl AS (
      SELECT l.lead_id, l.activity_id, l.entity_kind, l.entity_id, l.customer_id, l.priority, l.service,
             a.owner, a.allow_manager, a.allow_rm, a.pool_channel, a.care, a.backpack, a.remote_channel,
             cu.home_org_id, cu.manager_id, cf.age,
             CASE WHEN l.entity_kind = 'EMPLOYER' THEN e.org_id
                  WHEN l.entity_kind = 'MERCHANT' AND a.owner = 'MERCHANT_M2' THEN mo.owner_org
                  ELSE cu.home_org_id END AS owner_org,
             e.corporate_rm_id
        FROM leads l
        JOIN lc_activities a ON a.activity_id = l.activity_id
        LEFT JOIN tasks x ON x.lead_id = l.lead_id
        LEFT JOIN customers cu ON cu.customer_id = l.customer_id
        LEFT JOIN customer_features cf ON cf.customer_id = l.customer_id
        LEFT JOIN employers e ON l.entity_kind = 'EMPLOYER' AND e.employer_id = l.entity_id
        LEFT JOIN lc_merchant_owner mo ON l.entity_kind = 'MERCHANT' AND mo.merchant_id = l.entity_id
       WHERE l.status = 'OPEN' AND NOT l.is_control AND x.lead_id IS NULL
    ),
    placed AS (
      SELECT nl.*, rm.staff_id IS NOT NULL AS rm_active, mg.staff_id IS NOT NULL AS manager_active,
             co.org_id IS NOT NULL AS county_org
        FROM nl
        LEFT JOIN lc_staff_in rm ON rm.staff_id = nl.corporate_rm_id AND rm.ancestor_id = nl.owner_org
        LEFT JOIN lc_staff_in mg ON mg.staff_id = nl.manager_id AND mg.ancestor_id = nl.owner_org
        LEFT JOIN lc_county_orgs co ON co.org_id = nl.owner_org
    ),
    decided AS (
      SELECT p.*,
             CASE
               WHEN p.owner_org IS NULL THEN CASE WHEN p.remote_channel IS NOT NULL THEN 'REMOTE' ELSE 'CENTRE_POOL' END
               WHEN p.entity_kind = 'EMPLOYER' THEN CASE WHEN p.allow_rm AND p.rm_active THEN 'RM' ELSE 'ORG_POOL' END
               WHEN p.allow_manager AND p.manager_active THEN 'MANAGER'
               WHEN p.care AND p.age >= ${t.care_team_age} THEN 'CARE'
               WHEN p.backpack AND p.county_org THEN 'BACKPACK'
               WHEN p.pool_channel IS NOT NULL THEN 'POOL'
               WHEN p.remote_channel IS NOT NULL THEN 'REMOTE'
               ELSE 'ORG_POOL'
             END AS route
        FROM placed p
    )
    SELECT lead_id, activity_id, customer_id, priority, service,
           CASE WHEN route IN ('REMOTE', 'CENTRE_POOL') THEN ${remoteOrg} ELSE owner_org END AS org_id,
           CASE route WHEN 'RM' THEN corporate_rm_id WHEN 'MANAGER' THEN manager_id END AS staff_id,
           CASE route WHEN 'RM' THEN 'CORPORATE_RM' WHEN 'MANAGER' THEN 'MANAGER' WHEN 'CARE' THEN 'CARE'
                      WHEN 'BACKPACK' THEN 'BACKPACK' WHEN 'POOL' THEN pool_channel WHEN 'REMOTE' THEN remote_channel
                      ELSE CASE WHEN entity_kind = 'EMPLOYER' AND allow_rm THEN 'CORPORATE_RM' ELSE 'POOL' END END AS channel,
           CASE WHEN route IN ('REMOTE', 'CENTRE_POOL') THEN home_org_id ELSE owner_org END AS credit_org_id
      FROM decided`);
  await analyze(db, 'lc_routes');
  // New tasks and the queue, decided together: capacity goes in priority order.
  await db.exec(`CREATE TEMP TABLE lc_pending AS
    WITH pending AS (
      SELECT CAST(NULL AS BIGINT) AS task_id, r.lead_id, r.staff_id, r.customer_id, r.priority, r.service FROM lc_routes r
      UNION ALL
      SELECT t.task_id, t.lead_id, t.staff_id, t.customer_id, l.priority, l.service
        FROM tasks t JOIN leads l ON l.lead_id = t.lead_id WHERE t.status = 'QUEUED'
    ),
    capped AS (
      SELECT customer_id FROM contacts
       WHERE is_contact AND is_marketing AND contact_at > ${o.capSince} AND contact_at <= ${o.endOfDay}
       GROUP BY customer_id HAVING count(*) >= ${t.contact_cap_7d}
    ),
    flagged AS (
      SELECT p.*, (NOT p.service AND c.customer_id IS NOT NULL) AS at_cap
        FROM pending p LEFT JOIN capped c ON c.customer_id = p.customer_id
    ),
    ranked AS (
      SELECT f.*, row_number() OVER (PARTITION BY f.staff_id, f.at_cap ORDER BY f.priority DESC, f.lead_id) AS n FROM flagged f
    ),
    used AS (
      SELECT staff_id, count(*) AS n FROM tasks WHERE assigned_on = ${D} AND staff_id IS NOT NULL GROUP BY staff_id
    )
    SELECT r.task_id, r.lead_id, r.priority,
           CASE WHEN r.at_cap THEN 'CONTACT_CAP'
                WHEN r.staff_id IS NOT NULL AND r.n > ${t.staff_daily_capacity} - coalesce(u.n, 0) THEN 'CAPACITY' END AS queue_reason
      FROM ranked r LEFT JOIN used u ON u.staff_id = r.staff_id`);
  await analyze(db, 'lc_pending');
  const created = await db.execute(`INSERT INTO tasks
    SELECT (SELECT coalesce(max(task_id), 0) FROM tasks) + row_number() OVER (ORDER BY r.priority DESC, r.lead_id),
           r.lead_id, r.activity_id, r.customer_id, r.org_id, r.staff_id, r.channel, r.credit_org_id,
           CASE WHEN p.queue_reason IS NULL THEN 'OPEN' ELSE 'QUEUED' END, p.queue_reason, ${D},
           CASE WHEN p.queue_reason IS NULL THEN ${D} END, CASE WHEN p.queue_reason IS NULL THEN ${due} END,
           NULL, NULL, NULL
      FROM lc_routes r JOIN lc_pending p ON p.lead_id = r.lead_id AND p.task_id IS NULL`);
  await db.execute(`UPDATE tasks SET status = 'OPEN', queue_reason = NULL, assigned_on = ${D}, due_date = ${due}
    FROM lc_pending p WHERE p.task_id = tasks.task_id AND p.queue_reason IS NULL`);
  await db.execute(`UPDATE tasks SET queue_reason = p.queue_reason
    FROM lc_pending p WHERE p.task_id = tasks.task_id AND p.queue_reason IS NOT NULL AND tasks.queue_reason <> p.queue_reason`);
  const [q] = await db.query<{ assigned: number; queued: number }>(
    `SELECT CAST(sum(CASE WHEN queue_reason IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS assigned,
            CAST(sum(CASE WHEN queue_reason IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS queued FROM lc_pending`,
  );
  return { closed, rerouted, created, assigned: Number(q?.assigned ?? 0), queued: Number(q?.queued ?? 0) };
}
