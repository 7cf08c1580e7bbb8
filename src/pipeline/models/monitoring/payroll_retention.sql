-- payroll_retention: the payroll retention rate (代发工资留存率, P6) per scope and month of W13: Σ ADB_month(c, m) over the customers paid in m by the scope's employers (each customer once) / the payroll those employers paid them in m. Scopes: EMPLOYER, and ORG — employers whose org_id is in the org's subtree (the HQ row is the bank). A row only where the scope paid someone in m.
-- reads: payroll, employers, accounts, balances, org_closure
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
opening AS (
  -- The row in force on W13's first day (a balance holds until the account's next row).
  SELECT b.account_id, max(b.balance_date) AS balance_date
    FROM balances b
    JOIN payee_accounts a ON a.account_id = b.account_id
   WHERE b.balance_date <= {{W13_start}}
   GROUP BY b.account_id
),
window_rows AS (
  SELECT b.account_id, b.balance_date, b.balance
    FROM balances b
    JOIN opening o ON o.account_id = b.account_id AND o.balance_date = b.balance_date
  UNION ALL
  SELECT b.account_id, b.balance_date, b.balance
    FROM balances b
    JOIN payee_accounts a ON a.account_id = b.account_id
   WHERE b.balance_date > {{W13_start}} AND b.balance_date < {{L_next}}
),
spans AS (
  SELECT a.customer_id, r.balance, r.balance_date AS from_day,
         coalesce(lead(r.balance_date) OVER (PARTITION BY r.account_id ORDER BY r.balance_date), {{L_next}}) AS next_day
    FROM window_rows r
    JOIN payee_accounts a ON a.account_id = r.account_id
),
balance_days AS (
  -- Σ balance × days held in the month: ADB_month(c, m) × the month's days, exactly.
  SELECT s.customer_id, m.month, sum(s.balance * (least(s.next_day, m.next_month) - greatest(s.from_day, m.month))) AS balance_days
    FROM spans s
    JOIN months m ON s.from_day < m.next_month AND s.next_day > m.month
   GROUP BY s.customer_id, m.month
),
scoped AS (
  SELECT 'EMPLOYER' AS scope_kind, employer_id AS scope_id, customer_id, month, amount FROM paid
  UNION ALL
  SELECT 'ORG', c.ancestor_id, p.customer_id, p.month, p.amount
    FROM paid p JOIN {{ref:org_closure}} c ON c.org_id = p.org_id
),
payroll_sums AS (
  SELECT scope_kind, scope_id, month, sum(amount) AS payroll_sum FROM scoped GROUP BY scope_kind, scope_id, month
),
adb_sums AS (
  SELECT x.scope_kind, x.scope_id, x.month, coalesce(sum(d.balance_days), 0) AS balance_days
    FROM (SELECT DISTINCT scope_kind, scope_id, customer_id, month FROM scoped) x
    LEFT JOIN balance_days d ON d.customer_id = x.customer_id AND d.month = x.month
   GROUP BY x.scope_kind, x.scope_id, x.month
)
SELECT p.scope_kind, p.scope_id, p.month,
       {{ratio: a.balance_days ;; m.next_month - m.month}} AS adb_sum,
       CAST(p.payroll_sum AS DECIMAL(38,2)) AS payroll_sum,
       {{ratio: a.balance_days ;; (m.next_month - m.month) * p.payroll_sum}} AS rate
  FROM payroll_sums p
  JOIN adb_sums a ON a.scope_kind = p.scope_kind AND a.scope_id = p.scope_id AND a.month = p.month
  JOIN months m ON m.month = p.month
