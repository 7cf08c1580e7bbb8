-- customer_balances: the balance figures of every customer of the population at D, kept unrounded for exact roll-ups: deposits_d and aum_d (end-of-day balances at D of deposit and AUM accounts), mtd_balance_days = Σ over month(D)'s days up to D of the deposit balances (ADB_month(c, month(D)) × its days), value_x360 = Σ over S…D of balance × spread (every account) + 360 × Σ (fee_income − fee_cost) of the customer's merchants from S to D (value_season × 360; 0 when D < S).
-- reads: customers, accounts, balances, merchants, acquiring
-- key: customer_id
-- rows: SELECT count(*) FROM customers WHERE customer_since IS NULL OR customer_since <= {{as_of}}
WITH population AS (
  SELECT customer_id FROM customers WHERE customer_since IS NULL OR customer_since <= {{as_of}}
),
opening AS (
  -- The row in force on the window's first day (a balance holds until the account's next row).
  SELECT account_id, max(balance_date) AS balance_date
    FROM balances
   WHERE balance_date <= {{balance_window_start}}
   GROUP BY account_id
),
window_rows AS (
  SELECT b.account_id, b.balance_date, b.balance
    FROM balances b
    JOIN opening o ON o.account_id = b.account_id AND o.balance_date = b.balance_date
  UNION ALL
  SELECT account_id, balance_date, balance
    FROM balances
   WHERE balance_date > {{balance_window_start}} AND balance_date <= {{as_of}}
),
spans AS (
  -- [from_day, next_day): the days a row holds; the last row holds past D.
  SELECT r.account_id, r.balance, r.balance_date AS from_day,
         coalesce(lead(r.balance_date) OVER (PARTITION BY r.account_id ORDER BY r.balance_date), {{as_of_next}}) AS next_day
    FROM window_rows r
),
account_figures AS (
  SELECT a.customer_id, a.account_type, s.balance, s.from_day, s.next_day
    FROM spans s
    JOIN accounts a ON a.account_id = s.account_id
),
balance_sums AS (
  SELECT customer_id,
         sum(CASE WHEN next_day > {{as_of}} AND account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT') THEN balance ELSE 0 END) AS deposits_d,
         sum(CASE WHEN next_day > {{as_of}} AND account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT', 'WEALTH', 'FUND', 'INSURANCE', 'GOLD') THEN balance ELSE 0 END) AS aum_d,
         sum(CASE WHEN next_day > {{month_start}} AND account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')
                  THEN balance * (least(next_day, {{as_of_next}}) - greatest(from_day, {{month_start}})) ELSE 0 END) AS mtd_balance_days,
         sum(CASE WHEN {{season_start}} <= {{as_of}} AND next_day > {{season_start}}
                  THEN balance * {{spread: account_type}} * (least(next_day, {{as_of_next}}) - greatest(from_day, {{season_start}})) ELSE 0 END) AS spread_days
    FROM account_figures
   GROUP BY customer_id
),
merchant_net AS (
  SELECT m.owner_customer_id AS customer_id, sum(q.fee_income - q.fee_cost) AS net
    FROM merchants m
    JOIN acquiring q ON q.merchant_id = m.merchant_id
   WHERE q.txn_date >= {{season_start}} AND q.txn_date <= {{as_of}}
   GROUP BY m.owner_customer_id
)
SELECT p.customer_id,
       CAST(coalesce(b.deposits_d, 0) AS DECIMAL(38,2)) AS deposits_d,
       CAST(coalesce(b.aum_d, 0) AS DECIMAL(38,2)) AS aum_d,
       CAST(coalesce(b.mtd_balance_days, 0) AS DECIMAL(38,2)) AS mtd_balance_days,
       CAST(coalesce(b.spread_days, 0) + 360 * coalesce(n.net, 0) AS DECIMAL(38,8)) AS value_x360
  FROM population p
  LEFT JOIN balance_sums b ON b.customer_id = p.customer_id
  LEFT JOIN merchant_net n ON n.customer_id = p.customer_id
