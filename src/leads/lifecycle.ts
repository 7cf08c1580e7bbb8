// The lead lifecycle of one as-of date D (PLAYBOOK.md), run by the season pipeline inside its publish
// transaction, after lead_candidates: observe conversions → expire → arbitrate → keep, refresh or drop
// the OPEN leads → create new ones within each customer's «2» open slots → hold out «5 %» → route to
// tasks → grant incentives → publish uplift and budgets. Every step converges: rerunning D on an
// unchanged database (same drops, same recorded work) changes nothing. A run for a date before the
// last one that advanced the leads leaves them alone.

import type { Phase, SeasonConfig } from '../config/season.js';
import { analyze } from '../db/analyze.js';
import type { Db } from '../db/types.js';
import { bankDayEnd, utcTimestamp } from '../domain/bankTime.js';
import { arbitrate } from './arbitrate.js';
import { observeConversions } from './conversions.js';
import { grantIncentives, publishBudgets } from './incentives.js';
import { propensityModels } from './propensity.js';
import { routeTasks } from './route.js';
import { configTables } from './tables.js';
import { publishUplift } from './uplift.js';

export interface LifecycleInput {
  asOf: string;
  runId: number;
  config: SeasonConfig;
  seasonStart: string;
  phase: Phase | null;
  note(message: string): void;
}

export interface LifecycleSummary {
  skipped?: string;
  conversions: Record<string, number>;
  verdicts: Record<string, number>;
  leads: { created: number; control: number; dropped: number; expired: number; open: number };
  tasks: { closed: number; rerouted: number; created: number; assigned: number; queued: number };
  incentives: { granted: number; refused: number; refusals: string[] };
}

/** The first instant after bank day `date`, minus `hoursBack` hours, as a UTC TIMESTAMP literal. */
function dayEndLiteral(date: string, hoursBack = 0): string {
  return `CAST('${utcTimestamp(bankDayEnd(date, hoursBack))}' AS TIMESTAMP)`;
}

export async function advanceLeads(db: Db, o: LifecycleInput): Promise<LifecycleSummary> {
  const summary: LifecycleSummary = {
    conversions: {},
    verdicts: {},
    leads: { created: 0, control: 0, dropped: 0, expired: 0, open: 0 },
    tasks: { closed: 0, rerouted: 0, created: 0, assigned: 0, queued: 0 },
    incentives: { granted: 0, refused: 0, refusals: [] },
  };
  const [last] = await db.query<{ d: string | null }>('SELECT max(as_of) AS d FROM lead_runs');
  if (last?.d && last.d > o.asOf) {
    summary.skipped = `the leads are already advanced to ${last.d}; a run for an earlier date leaves them as they are`;
    o.note(`leads: ${summary.skipped}`);
    return summary;
  }
  const t = o.config.thresholds;
  const D = `CAST('${o.asOf}' AS DATE)`;
  const S = `CAST('${o.seasonStart}' AS DATE)`;
  const bytes = (x: string) => db.dialect.binaryText(x);
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const r = await f();
    o.note(`leads: ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    return r;
  };
  const running = new Set(
    o.config.activities.filter((a) => o.phase && a.phases.includes(o.phase)).map((a) => a.id),
  );
  await configTables(db, o.config, running);
  // Tables this run just published, or that people and earlier passes changed, as the planner sees them.
  await analyze(db, 'lead_candidates', 'customer_features', 'leads', 'tasks', 'conversions', 'contacts');

  const [previous] = await db.query<{ d: string | null }>(
    'SELECT max(as_of) AS d FROM lead_runs WHERE as_of < CAST($1 AS DATE)',
    [o.asOf],
  );
  summary.conversions = await step('conversions', () =>
    observeConversions(db, o.config, o.asOf, bytes, previous?.d ?? null),
  );
  const models = await step('propensity models', () => propensityModels(db, o.config, o.seasonStart, o.asOf));
  summary.verdicts = await step('arbitration', () =>
    arbitrate(db, {
      models,
      asOf: o.asOf,
      seasonStart: o.seasonStart,
      endOfDay: dayEndLiteral(o.asOf),
      refusalSince: dayEndLiteral(o.asOf, t.refusal_suppress_days * 24),
      config: o.config,
    }),
  );
  await step('leads', async () => {
    for (const table of ['lc_moves', 'lc_new']) await db.exec(`DROP TABLE IF EXISTS ${table}`);
    // OPEN leads that move: one converts, expires when its window has passed, is dropped when its
    // contact may no longer be reached (in or out of the season) or when arbitration now blocks it in
    // its season; else it stays OPEN — refreshed when mined again (facts, product, priority), as it was
    // when not (a customer who has applied, registered or opened an account is on the way to
    // converting). Only leads that change are written.
    await db.exec(`CREATE TEMP TABLE lc_moves AS
      WITH judged AS (
        SELECT l.lead_id, l.status, l.facts, l.product_code, l.propensity, l.value, l.weight, c.event_date,
               coalesce(lb.block, v.block) AS block,
               v.activity_id IS NOT NULL AS mined,
               v.facts AS new_facts, v.product_code AS new_product, v.propensity AS new_propensity,
               v.value AS new_value, v.weight AS new_weight, v.priority AS new_priority,
               CAST(l.created_on + coalesce(a.window_days, ${t.attribution_days}) AS DATE) AS window_end
          FROM leads l
          LEFT JOIN conversions c ON c.lead_id = l.lead_id
          LEFT JOIN lc_activities a ON a.activity_id = l.activity_id
          LEFT JOIN lc_lead_blocks lb ON lb.lead_id = l.lead_id
          LEFT JOIN lc_verdicts v ON v.lead_id = l.lead_id
         WHERE l.status = 'OPEN'
      ),
      moved AS (
        SELECT judged.*,
               CASE WHEN event_date IS NOT NULL THEN 'CONVERTED'
                    WHEN window_end < ${D} THEN 'EXPIRED'
                    WHEN block IS NOT NULL THEN 'DROPPED'
                    ELSE 'OPEN' END AS next_status
          FROM judged
      ),
      kept AS (SELECT moved.*, (next_status = 'OPEN' AND mined AND block IS NULL) AS keep FROM moved)
      SELECT lead_id, next_status, keep, new_facts, new_product, new_propensity, new_value, new_weight, new_priority,
             CASE next_status WHEN 'CONVERTED' THEN event_date WHEN 'EXPIRED' THEN window_end ELSE ${D} END AS status_on,
             CASE WHEN next_status = 'DROPPED' THEN block END AS status_reason
        FROM kept
       WHERE next_status <> 'OPEN'
          OR (keep AND (new_facts IS DISTINCT FROM facts OR new_product IS DISTINCT FROM product_code
                        OR new_propensity <> propensity OR new_value <> value OR new_weight <> weight))`);
    await analyze(db, 'lc_moves');
    await db.execute(`UPDATE leads
        SET status = m.next_status,
            status_on = CASE WHEN m.next_status = 'OPEN' THEN leads.status_on ELSE m.status_on END,
            status_reason = CASE WHEN m.next_status = 'OPEN' THEN leads.status_reason ELSE m.status_reason END,
            facts = CASE WHEN m.keep THEN m.new_facts ELSE leads.facts END,
            product_code = CASE WHEN m.keep THEN m.new_product ELSE leads.product_code END,
            propensity = CASE WHEN m.keep THEN m.new_propensity ELSE leads.propensity END,
            value = CASE WHEN m.keep THEN m.new_value ELSE leads.value END,
            weight = CASE WHEN m.keep THEN m.new_weight ELSE leads.weight END,
            priority = CASE WHEN m.keep THEN m.new_priority ELSE leads.priority END,
            refreshed_on = CASE WHEN m.keep THEN ${D} ELSE leads.refreshed_on END
       FROM lc_moves m WHERE m.lead_id = leads.lead_id`);
    // New leads: survivors without a lead of their key this season, best first within each customer's
    // free slots (service tasks take none); the control group is drawn from them.
    await db.exec(
      `CREATE TEMP TABLE lc_new AS SELECT v.* FROM lc_verdicts v WHERE v.block IS NULL AND v.lead_id IS NULL`,
    );
    await analyze(db, 'lc_new');
    const control = db.dialect.holdoutBucket(`n.activity_id || ':' || n.entity_id`);
    const [{ before } = { before: 0 }] = await db.query<{ before: number }>(
      'SELECT CAST(coalesce(max(lead_id), 0) AS BIGINT) AS before FROM leads',
    );
    const created = await db.execute(`INSERT INTO leads
      SELECT (SELECT coalesce(max(lead_id), 0) FROM leads)
               + row_number() OVER (ORDER BY n.priority DESC, ${bytes('n.activity_id')}, ${bytes('n.entity_kind')}, ${bytes('n.entity_id')}),
             ${S}, n.activity_id, n.entity_kind, n.entity_id, n.customer_id, n.holder_id, n.product_code, n.facts, n.facts,
             ${D}, ${D}, 'OPEN', ${D}, NULL, n.propensity, n.value, n.weight, n.priority,
             (NOT n.service AND ${control} < ${t.holdout_basis_points}), n.service
        FROM (SELECT v.*, row_number() OVER (PARTITION BY v.customer_id, v.service
                                             ORDER BY v.priority DESC, ${bytes('v.activity_id')}, ${bytes('v.entity_id')}) AS slot
                FROM lc_new v) n
        LEFT JOIN (SELECT l.customer_id, count(*) AS open_now FROM leads l
                    WHERE l.status = 'OPEN' AND NOT l.service AND l.customer_id IN (SELECT customer_id FROM lc_new)
                    GROUP BY l.customer_id) o
          ON o.customer_id = n.customer_id
       WHERE n.customer_id IS NULL OR n.service OR n.slot + coalesce(o.open_now, 0) <= ${t.max_open_leads}`);
    await db.exec(`INSERT INTO lead_holdouts
      SELECT n.lead_id, n.season_start, n.activity_id, n.entity_kind, n.entity_id, ${control}, n.created_on
        FROM leads n
       WHERE n.created_on = ${D} AND n.is_control AND NOT EXISTS (SELECT 1 FROM lead_holdouts h WHERE h.lead_id = n.lead_id)`);
    const [c] = await db.query<Record<string, number>>(
      `SELECT CAST(sum(CASE WHEN next_status = 'DROPPED' THEN 1 ELSE 0 END) AS BIGINT) AS dropped,
              CAST(sum(CASE WHEN next_status = 'EXPIRED' THEN 1 ELSE 0 END) AS BIGINT) AS expired,
              (SELECT CAST(count(*) AS BIGINT) FROM leads WHERE lead_id > ${Number(before)} AND is_control) AS control,
              (SELECT CAST(count(*) AS BIGINT) FROM leads WHERE status = 'OPEN') AS open
         FROM lc_moves`,
    );
    summary.leads = {
      created,
      control: Number(c?.control ?? 0),
      dropped: Number(c?.dropped ?? 0),
      expired: Number(c?.expired ?? 0),
      open: Number(c?.open ?? 0),
    };
  });
  summary.tasks = await step('routing', () =>
    routeTasks(db, {
      asOf: o.asOf,
      config: o.config,
      capSince: dayEndLiteral(o.asOf, 7 * 24),
      endOfDay: dayEndLiteral(o.asOf),
      byteOrder: bytes,
    }),
  );
  summary.incentives = await step('incentives', () => grantIncentives(db, o.config, o.asOf, bytes));
  await step('uplift and budgets', async () => {
    await publishUplift(db, o.config, o.asOf);
    await publishBudgets(db, o.config, o.asOf, o.seasonStart);
  });
  await db.execute(
    `INSERT INTO lead_runs (as_of, run_id, finished_at, summary) VALUES (CAST($1 AS DATE), $2, CAST($3 AS TIMESTAMP), $4)`,
    [o.asOf, o.runId, utcTimestamp(), JSON.stringify(summary)],
  );
  await db.exec(
    'DROP TABLE IF EXISTS lc_watch; DROP TABLE IF EXISTS lc_moves; DROP TABLE IF EXISTS lc_new; DROP TABLE IF EXISTS lc_verdicts; DROP TABLE IF EXISTS lc_lead_blocks; DROP TABLE IF EXISTS lc_options; DROP TABLE IF EXISTS lc_cand; DROP TABLE IF EXISTS lc_routes; DROP TABLE IF EXISTS lc_pending',
  );
  return summary;
}
