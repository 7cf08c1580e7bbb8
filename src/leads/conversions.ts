// Conversions (PLAYBOOK.md step 6): observed in the extracts, never taken from a claim. For every lead
// (whatever its status: intention to treat), the first event of its activity's kind dated in
// (created_on, created_on + window] — and not after D — is its conversion (an OPEN lead becomes
// CONVERTED); it is credited to the task's org, and to its staff when the task was handed over. Who acts is
// the product's holder (a minor's own account, a merchant's owner), or for a prospect the customer
// who later appears with the same id_no or phone.

import type { Activity, SeasonConfig } from '../config/season.js';
import { analyze } from '../db/analyze.js';
import { quoteString } from '../db/dialect.js';
import type { Db } from '../db/types.js';

const DEPOSIT_TYPES = "('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')";

/**
 * Events may reach Wangji up to this many days after their date (a late extract): a lead is looked at
 * until its window's end plus these days, whatever its status — a lead refused, found invalid or
 * dropped may still convert, and intention-to-treat uplift counts it.
 */
const LATE_DAYS = 30;

/** Outcomes that record a visit having taken place (EMPLOYER_VISIT, a service task). */
const VISIT_OUTCOMES = "('CONTACTED', 'INTERESTED', 'APPOINTMENT', 'CONVERTED_CLAIMED')";

const list = (values: string[]) => `(${values.map(quoteString).join(', ')})`;

/**
 * The events of one activity's kind for its leads (table `who`: lead_id, cid — the customer who
 * acts; table `ol`: the leads), each as (lead_id, cid, event_date, event_ref); the window is applied after.
 */
function eventsSql(db: Db, a: Activity, config: SeasonConfig, D: string, since: string | null): string {
  const c = a.conversion;
  const fact = (key: string) => `CAST(${db.dialect.jsonText('ol.created_facts', key)} AS DECIMAL(38,10))`;
  const growth = `(1 + CAST('${config.thresholds.merchant_growth}' AS DECIMAL(10,4)))`;
  const accounts = (dateColumn: string) => `
    SELECT w.lead_id, w.cid, a.${dateColumn} AS event_date, a.account_id AS event_ref
      FROM who w JOIN accounts a ON a.customer_id = w.cid
     WHERE a.${dateColumn} IS NOT NULL
       ${c.account_types ? `AND a.account_type IN ${list(c.account_types)}` : ''}
       ${c.card_kind ? `AND a.card_kind = ${quoteString(c.card_kind)}` : ''}`;
  // A complete calendar month's deposit balance-days per acting customer, from the balance cache. A
  // month is judged once, by the first pass after it completes (a correction to a month delivered after
  // that is not judged again): the daily run does not rescan the months before.
  const monthly = `
    SELECT w.lead_id, w.cid, p.period_start AS month, CAST(p.period_end - 1 AS DATE) AS month_end,
           CAST(p.period_end - p.period_start AS INTEGER) AS days, sum(p.balance_days) AS balance_days
      FROM who w
      JOIN accounts a ON a.customer_id = w.cid AND a.account_type IN ${DEPOSIT_TYPES}
      JOIN balance_periods p ON p.account_id = a.account_id
     WHERE EXTRACT(day FROM p.period_start) = 1 AND p.period_end = CAST(p.period_start + INTERVAL '1 month' AS DATE)
       -- only months that can end inside a window still looked at, complete by D and not judged before
       AND p.period_end > CAST(${D} - ${c.window_days + LATE_DAYS} AS DATE) AND p.period_end <= CAST(${D} + 1 AS DATE)
       ${since ? `AND p.period_end > CAST(CAST('${since}' AS DATE) + 1 AS DATE)` : ''}
     GROUP BY w.lead_id, w.cid, p.period_start, p.period_end`;
  switch (c.event) {
    case 'ACCOUNT_OPENED':
      return accounts('open_date');
    case 'ACCOUNT_ACTIVATED':
      return accounts('activated_date');
    case 'ACCOUNT_OPENED_OR_ACTIVATED':
      return `${accounts('open_date')} UNION ALL ${accounts('activated_date')}`;
    case 'PENSION_HERE':
      return `SELECT w.lead_id, w.cid, b.credit_date AS event_date, b.credit_id AS event_ref
                FROM who w JOIN benefit_credits b ON b.customer_id = w.cid
                JOIN benefit_programs p ON p.program_id = b.program_id AND p.kind = 'PENSION'`;
    case 'AGREEMENT_SIGNED': {
      // An agreement without a biller_kind counts as OTHER.
      const kinds = c.biller_kinds
        ? `AND (g.biller_kind IN ${list(c.biller_kinds)}${c.biller_kinds.includes('OTHER') ? ' OR g.biller_kind IS NULL' : ''})`
        : '';
      return `SELECT w.lead_id, w.cid, g.signed_date AS event_date, g.agreement_id AS event_ref
                FROM who w JOIN bill_agreements g ON g.customer_id = w.cid WHERE 1 = 1 ${kinds}`;
    }
    case 'APPLICATION_APPROVED':
      return `SELECT w.lead_id, w.cid, x.decision_date AS event_date, x.application_id AS event_ref
                FROM who w JOIN credit_card_applications x ON x.customer_id = w.cid
               WHERE x.status = 'APPROVED' AND x.decision_date IS NOT NULL`;
    case 'APP_FIRST_PAYMENT':
      return `SELECT w.lead_id, w.cid, e.event_date, 'FIRST_PAYMENT' AS event_ref
                FROM who w JOIN app_events e ON e.customer_id = w.cid
               WHERE e.event = 'FIRST_PAYMENT' ${c.app ? `AND e.app = ${quoteString(c.app)}` : ''}
              UNION ALL
              SELECT w.lead_id, w.cid, a.open_date, a.account_id
                FROM who w JOIN accounts a ON a.customer_id = w.cid
               WHERE a.open_channel = 'APP' AND a.account_type IN ('DEBIT_CARD', 'CREDIT_CARD')`;
    case 'WALLET_OPENED':
      return `SELECT w.lead_id, w.cid, e.opened_date AS event_date, e.wallet_id AS event_ref
                FROM who w JOIN ecny_wallets e ON e.customer_id = w.cid`;
    case 'PAYROLL_RESUMES':
      // A customer paid again; an employer whose headcount in a complete month is back above the
      // churn line, (1 − drop) × the average it was alerted against.
      return `SELECT w.lead_id, w.cid, p.pay_date AS event_date, p.payroll_id AS event_ref
                FROM who w JOIN payroll p ON p.customer_id = w.cid
              UNION ALL
              SELECT ol.lead_id, CAST(NULL AS VARCHAR), CAST(CAST(m.month + INTERVAL '1 month' AS DATE) - 1 AS DATE),
                     CAST(m.month AS VARCHAR)
                FROM ol JOIN employer_month m ON m.employer_id = ol.entity_id
               WHERE ol.entity_kind = 'EMPLOYER'
                 AND m.headcount >= (1 - CAST('${config.thresholds.payroll_churn_drop}' AS DECIMAL(10,4))) * coalesce(${fact('avg3')}, 0)`;
    case 'ADB_REACHES_THRESHOLD':
      return `SELECT m.lead_id, m.cid, m.month_end AS event_date, CAST(m.month AS VARCHAR) AS event_ref
                FROM (${monthly}) m JOIN ol ON ol.lead_id = m.lead_id
               WHERE m.balance_days >= ${fact('threshold')} * m.days`;
    case 'MERCHANT_GROWTH':
      return `SELECT w.lead_id, w.cid, a.open_date AS event_date, a.account_id AS event_ref
                FROM who w JOIN accounts a ON a.customer_id = w.cid AND a.account_type = 'LOAN'
              UNION ALL
              SELECT m.lead_id, m.cid, m.month_end, CAST(m.month AS VARCHAR)
                FROM (${monthly}) m JOIN ol ON ol.lead_id = m.lead_id
               WHERE m.balance_days >= ${growth} * ${fact('merchant_adb')} * m.days
              UNION ALL
              SELECT ol.lead_id, ol.holder_id, ${D}, 'acq_amount_90'
                FROM ol JOIN merchant_pricing p ON p.merchant_id = ol.entity_id
               WHERE p.acq_amount_90 > coalesce(${fact('acq_amount_90')}, 0)
                 AND p.acq_amount_90 >= ${growth} * coalesce(${fact('acq_amount_90')}, 0)`;
    case 'RATE_APPLIED':
      return `SELECT ol.lead_id, ol.holder_id, ${D}, 'fee_rate'
                FROM ol JOIN merchants m ON m.merchant_id = ol.entity_id
               WHERE m.fee_rate = ${fact('proposed_rate')}
                 AND m.fee_rate IS DISTINCT FROM ${fact('current_rate')}`;
    case 'VISIT_RECORDED':
      // A visit outcome recorded on the lead's task (bank local time, UTC+8, decides its date), or a
      // visit to the employer recorded in field operations (src/field/visits.ts) whose outcome is not
      // NOT_MET, on its visited_on; event_ref 'visit:<id>' keeps the two apart and the order stable.
      return `SELECT ol.lead_id, ol.customer_id, CAST(k.contact_at + INTERVAL '8 hours' AS DATE), CAST(k.contact_id AS VARCHAR)
                FROM ol JOIN contacts k ON k.lead_id = ol.lead_id WHERE k.outcome IN ${VISIT_OUTCOMES}
              UNION ALL
              SELECT ol.lead_id, ol.customer_id, v.visited_on, 'visit:' || CAST(v.visit_id AS VARCHAR)
                FROM ol JOIN visits v ON v.employer_id = ol.entity_id
               WHERE ol.entity_kind = 'EMPLOYER' AND v.outcome <> 'NOT_MET'`;
  }
}

/** Find and record the conversions of D; returns how many, by activity. */
export async function observeConversions(
  db: Db,
  config: SeasonConfig,
  asOf: string,
  byteOrder: (expr: string) => string,
  /** The as-of date of the previous lifecycle pass: months that ended by then were judged already. */
  since: string | null,
): Promise<Record<string, number>> {
  const D = `CAST('${asOf}' AS DATE)`;
  const found: Record<string, number> = {};
  // The leads still waiting for a conversion, once for all activities.
  const longest = Math.max(0, ...config.activities.map((a) => a.conversion.window_days));
  await db.exec('DROP TABLE IF EXISTS lc_watch');
  await db.exec(`CREATE TEMP TABLE lc_watch AS
    SELECT l.lead_id, l.activity_id, l.entity_kind, l.entity_id, l.customer_id, l.holder_id, l.created_on, l.created_facts
      FROM leads l LEFT JOIN conversions x ON x.lead_id = l.lead_id
     WHERE x.lead_id IS NULL AND l.created_on < ${D} AND l.created_on + ${longest + LATE_DAYS} >= ${D}`);
  await analyze(db, 'lc_watch');
  for (const a of config.activities) {
    const window = a.conversion.window_days;
    // The activity's leads and who acts for each, as small tables with statistics: a planner that
    // guesses their size (PostgreSQL, for a CTE used twice) can pick a nested loop over the accounts.
    await db.exec('DROP TABLE IF EXISTS ol; DROP TABLE IF EXISTS who');
    await db.exec(`CREATE TEMP TABLE ol AS
      SELECT l.lead_id, l.entity_kind, l.entity_id, l.customer_id, l.holder_id, l.created_on, l.created_facts
        FROM lc_watch l
       WHERE l.activity_id = ${quoteString(a.id)} AND l.created_on + ${window + LATE_DAYS} >= ${D}`);
    await db.exec(`CREATE TEMP TABLE who AS
      SELECT lead_id, holder_id AS cid FROM ol WHERE holder_id IS NOT NULL
      UNION
      SELECT ol.lead_id, c.customer_id FROM ol
        JOIN prospects p ON p.prospect_id = ol.entity_id JOIN customers c ON c.id_no = p.id_no
       WHERE ol.entity_kind = 'PROSPECT'
      UNION
      SELECT ol.lead_id, c.customer_id FROM ol
        JOIN prospects p ON p.prospect_id = ol.entity_id JOIN customers c ON c.phone = p.phone
       WHERE ol.entity_kind = 'PROSPECT'`);
    await analyze(db, 'ol', 'who');
    const sql = `
      INSERT INTO conversions
      WITH events (lead_id, cid, event_date, event_ref) AS (${eventsSql(db, a, config, D, since)}),
      first AS (
        SELECT e.lead_id, e.cid, e.event_date, e.event_ref,
               row_number() OVER (PARTITION BY e.lead_id ORDER BY e.event_date, ${byteOrder('e.event_ref')}, ${byteOrder('e.cid')}) AS n
          FROM events e JOIN ol ON ol.lead_id = e.lead_id
         WHERE e.event_date > ol.created_on AND e.event_date <= ol.created_on + ${window} AND e.event_date <= ${D}
      )
      SELECT f.lead_id, l.season_start, l.activity_id, coalesce(l.customer_id, f.cid), ${quoteString(a.conversion.event)},
             f.event_date, f.event_ref, l.is_control, l.service, t.task_id,
             CASE WHEN NOT l.is_control THEN coalesce(t.credit_org_id, cu.home_org_id) END,
             CASE WHEN t.assigned_on IS NOT NULL THEN t.staff_id END, ${D}
        FROM first f
        JOIN leads l ON l.lead_id = f.lead_id
        LEFT JOIN tasks t ON t.lead_id = f.lead_id
        LEFT JOIN customers cu ON cu.customer_id = f.cid
       WHERE f.n = 1`;
    const n = await db.execute(sql);
    if (n) found[a.id] = n;
  }
  await db.exec('DROP TABLE IF EXISTS ol; DROP TABLE IF EXISTS who');
  return found;
}
