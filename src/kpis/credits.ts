// What each KPI of METRICS.md "KPIs (X3)" counts, as SQL: one row per event with its date, the org
// and staff member credited (the catalogue's columns) and its amount (1 for a count). credits() turns
// them into sums per tracked period (event dates in [a, min(b, D)]), org and staff member. The balance
// KPIs are computed from balance periods (balances.ts); LEADS_CONVERTED from the lead lifecycle's
// conversions, in the publish transaction (progress.ts).

import { quoteString } from '../db/dialect.js';
import type { KpiId } from './catalogue.js';

/** An event KPI's rows: event_date, org_id, staff_id, amount, and a key counted once per period (or NULL). */
type EventSql = (asOf: string) => string;

const customerCredit = 'c.home_org_id AS org_id, c.manager_id AS staff_id';

const accountEvents =
  (cardKind: string, dateColumn: 'open_date' | 'activated_date'): EventSql =>
  () =>
    `SELECT ${dateColumn} AS event_date, open_org_id AS org_id, open_staff_id AS staff_id, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
     FROM accounts WHERE card_kind = ${quoteString(cardKind)} AND ${dateColumn} IS NOT NULL`;

export const EVENT_KPIS: Partial<Record<KpiId, EventSql>> = {
  NEW_CUSTOMERS: () =>
    `SELECT c.customer_since AS event_date, ${customerCredit}, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
       FROM customers c WHERE c.customer_since IS NOT NULL`,
  PAYROLL_AMOUNT: () =>
    `SELECT p.pay_date AS event_date, e.org_id, e.corporate_rm_id AS staff_id, p.amount, CAST(NULL AS VARCHAR) AS once_key
       FROM payroll p LEFT JOIN employers e ON e.employer_id = p.employer_id`,
  // The employer's first payroll ever (up to D): later payrolls of an old employer are not new.
  PAYROLL_EMPLOYERS_NEW: (d) =>
    `SELECT f.first_day AS event_date, e.org_id, e.corporate_rm_id AS staff_id, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
       FROM (SELECT employer_id, min(pay_date) AS first_day FROM payroll WHERE pay_date <= ${d} GROUP BY employer_id) f
       LEFT JOIN employers e ON e.employer_id = f.employer_id`,
  SSC_GEN3_ISSUED: accountEvents('SSC_GEN3', 'open_date'),
  SSC_GEN3_ACTIVATED: accountEvents('SSC_GEN3', 'activated_date'),
  // Customers, not credits: a customer paid twice in the period counts once.
  PENSION_INTO_CARD: () =>
    `SELECT b.credit_date AS event_date, ${customerCredit}, 1 AS amount, b.customer_id AS once_key
       FROM benefit_credits b
       JOIN benefit_programs p ON p.program_id = b.program_id AND p.kind = 'PENSION'
       JOIN accounts a ON a.account_id = b.account_id AND a.card_kind = 'SSC_GEN3'
       LEFT JOIN customers c ON c.customer_id = b.customer_id`,
  // The agreement's account's open_org_id; the customer's home org when the account is unknown.
  CROSS_BORDER_SIGNED: () => agreements("g.biller_kind = 'TUITION_CROSS_BORDER'"),
  AUTO_DEBIT_SIGNED: () => agreements("coalesce(g.biller_kind, '') <> 'TUITION_CROSS_BORDER'"),
  MERCHANTS_NEW: () =>
    `SELECT onboard_date AS event_date, org_id, CAST(NULL AS VARCHAR) AS staff_id, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
       FROM merchants WHERE onboard_date IS NOT NULL`,
  ACQUIRING_AMOUNT: () => acquiring('q.txn_amount'),
  ACQUIRING_NET_INCOME: () => acquiring('q.fee_income - q.fee_cost'),
  COUNTY_DEBIT_ISSUED: accountEvents('COUNTY_DEBIT', 'open_date'),
  COUNTY_DEBIT_ACTIVATED: accountEvents('COUNTY_DEBIT', 'activated_date'),
  COUNTY_CREDIT_APPROVED: () =>
    `SELECT x.decision_date AS event_date, ${customerCredit}, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
       FROM credit_card_applications x
       JOIN products p ON p.product_code = x.product_code AND p.card_kind = 'COUNTY_CREDIT'
       LEFT JOIN customers c ON c.customer_id = x.customer_id
      WHERE x.status = 'APPROVED' AND x.decision_date IS NOT NULL`,
  COUNTY_APP_REGISTERED: () =>
    `SELECT v.event_date, ${customerCredit}, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
       FROM app_events v LEFT JOIN customers c ON c.customer_id = v.customer_id
      WHERE v.app = 'COUNTY_APP' AND v.event = 'REGISTER'`,
  ECNY_WALLETS: () =>
    `SELECT w.opened_date AS event_date, ${customerCredit}, 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
       FROM ecny_wallets w LEFT JOIN customers c ON c.customer_id = w.customer_id
      WHERE w.opened_date IS NOT NULL`,
};

/** KPIs that count people, not events: a key counted once per period. */
const ONCE = new Set<KpiId>(['PENSION_INTO_CARD']);

function agreements(where: string): string {
  return `SELECT g.signed_date AS event_date, coalesce(a.open_org_id, c.home_org_id) AS org_id, c.manager_id AS staff_id,
                 1 AS amount, CAST(NULL AS VARCHAR) AS once_key
            FROM bill_agreements g
            LEFT JOIN accounts a ON a.account_id = g.account_id
            LEFT JOIN customers c ON c.customer_id = g.customer_id
           WHERE ${where} AND g.signed_date IS NOT NULL`;
}

function acquiring(amount: string): string {
  return `SELECT q.txn_date AS event_date, m.org_id, CAST(NULL AS VARCHAR) AS staff_id, ${amount} AS amount, CAST(NULL AS VARCHAR) AS once_key
            FROM acquiring q LEFT JOIN merchants m ON m.merchant_id = q.merchant_id`;
}

/**
 * Credits of the event KPIs: per tracked period (`periods`: kpi, period_start, period_end, last_day),
 * org and staff member, Σ amount over events dated in [a, last_day] (a key counted once: the number
 * of distinct keys). Columns: kpi, period_start, period_end, org_id, staff_id, amount, divisor (1).
 */
export function eventCreditsSql(periods: string, asOf: string, kpis: KpiId[]): string {
  const parts = kpis.flatMap((k) => {
    const sql = EVENT_KPIS[k];
    if (!sql) return [];
    return [
      `SELECT p.kpi, p.period_start, p.period_end, e.org_id, e.staff_id,
              ${ONCE.has(k) ? 'count(DISTINCT e.once_key)' : 'sum(e.amount)'} AS amount
         FROM (${sql(asOf)}) e
         JOIN ${periods} p ON p.kpi = ${quoteString(k)} AND e.event_date >= p.period_start AND e.event_date <= p.last_day
        GROUP BY p.kpi, p.period_start, p.period_end, e.org_id, e.staff_id`,
    ];
  });
  return parts.length
    ? parts.join('\nUNION ALL\n')
    : `SELECT kpi, period_start, period_end, CAST(NULL AS VARCHAR) AS org_id, CAST(NULL AS VARCHAR) AS staff_id, 0 AS amount FROM ${periods} WHERE 1 = 0`;
}
