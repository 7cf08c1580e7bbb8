-- payroll_retention: the payroll retention rate (代发工资留存率, P6) per scope and month of W13: Σ ADB_month(c, m) over the customers paid in m by the scope's employers (each customer once) / the payroll those employers paid them in m. Scopes: EMPLOYER, and ORG — employers whose org_id is in the org's subtree (the HQ row is the bank). A row only where the scope paid someone in m.
-- reads: payroll, employers, accounts, balance_live, balance_periods, org_closure
-- key: scope_kind, scope_id, month
WITH paid AS (
  SELECT p.employer_id, e.org_id, p.customer_id, CAST(date_trunc('month', p.pay_date) AS DATE) AS month, p.amount
    FROM payroll p
    JOIN employers e ON e.employer_id = p.employer_id
   WHERE p.pay_date >= {{W13_start}} AND p.pay_date < {{L_next}}
),
months AS (
  SELECT DISTINCT month, CAST(month + INTERVAL '1 month' AS DATE) AS next_month FROM paid
),
payees AS (
  SELECT DISTINCT customer_id FROM paid
),
payee_accounts AS (
  SELECT a.account_id, a.customer_id
    FROM accounts a
    JOIN payees y ON y.customer_id = a.customer_id
   WHERE a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')
),
balance_days AS (
  -- ADB_month(c, m) × the month's days, exactly: completed months from the cache of balance periods,
  -- month(D) (when D is its last day, so that it is L) from balance_live.
  SELECT a.customer_id, p.period_start AS month, sum(p.balance_days) AS balance_days
    FROM balance_periods p
    -- Whole months of W13 with payroll (the cache holds other periods too), as a join: PostgreSQL
    -- estimated the same filter written on expressions at a few rows and looped (minutes at 20 k).
    JOIN months m ON m.month = p.period_start AND m.next_month = p.period_end
    JOIN payee_accounts a ON a.account_id = p.account_id
   WHERE p.period_end <= {{month_start}}
   GROUP BY a.customer_id, p.period_start
  UNION ALL
  SELECT a.customer_id, {{month_start}}, sum(l.mtd_balance_days)
    FROM {{ref:balance_live}} l
    JOIN payee_accounts a ON a.account_id = l.account_id
   WHERE {{L}} = {{month_start}}
   GROUP BY a.customer_id
),
payroll_sums AS (
  SELECT 'EMPLOYER' AS scope_kind, employer_id AS scope_id, month, sum(amount) AS payroll_sum
    FROM paid GROUP BY employer_id, month
  UNION ALL
  SELECT 'ORG', c.ancestor_id, p.month, sum(p.amount)
    FROM paid p JOIN {{ref:org_closure}} c ON c.org_id = p.org_id
   GROUP BY c.ancestor_id, p.month
),
customer_orgs AS (
  -- Each customer once per month and employer org, with that month's balance days.
  SELECT x.customer_id, x.month, x.org_id, coalesce(d.balance_days, 0) AS balance_days,
         count(*) OVER (PARTITION BY x.customer_id, x.month) AS orgs
    FROM (SELECT DISTINCT customer_id, month, org_id FROM paid) x
    LEFT JOIN balance_days d ON d.customer_id = x.customer_id AND d.month = x.month
),
org_members AS (
  -- Each customer once per org of the tree and month: a customer paid from one org's subtree only has
  -- distinct ancestors already; one paid from several is deduplicated.
  SELECT c.ancestor_id, o.customer_id, o.month, o.balance_days
    FROM customer_orgs o JOIN {{ref:org_closure}} c ON c.org_id = o.org_id
   WHERE o.orgs = 1
  UNION ALL
  SELECT DISTINCT c.ancestor_id, o.customer_id, o.month, o.balance_days
    FROM customer_orgs o JOIN {{ref:org_closure}} c ON c.org_id = o.org_id
   WHERE o.orgs > 1
),
adb_sums AS (
  SELECT 'EMPLOYER' AS scope_kind, x.employer_id AS scope_id, x.month, coalesce(sum(d.balance_days), 0) AS balance_days
    FROM (SELECT DISTINCT employer_id, customer_id, month FROM paid) x
    LEFT JOIN balance_days d ON d.customer_id = x.customer_id AND d.month = x.month
   GROUP BY x.employer_id, x.month
  UNION ALL
  SELECT 'ORG', ancestor_id, month, sum(balance_days)
    FROM org_members
   GROUP BY ancestor_id, month
)
SELECT p.scope_kind, p.scope_id, p.month,
       {{ratio: a.balance_days ;; m.next_month - m.month}} AS adb_sum,
       CAST(p.payroll_sum AS DECIMAL(38,2)) AS payroll_sum,
       {{ratio: a.balance_days ;; (m.next_month - m.month) * p.payroll_sum}} AS rate
  FROM payroll_sums p
  JOIN adb_sums a ON a.scope_kind = p.scope_kind AND a.scope_id = p.scope_id AND a.month = p.month
  JOIN months m ON m.month = p.month
