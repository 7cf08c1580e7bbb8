-- merchant_pricing: fee coverage and tiered pricing of every merchant (M4, M5). Over (D − 90, D]: acquiring amount, fee income and fee cost; merchant_adb = ADB_month(owner, L) of the owner's deposit accounts; coverage_ok = fee income ≥ fee cost (a merchant that fails it is negative); tier_rate = the highest fee tier whose floor merchant_adb reaches; proposed_rate = tier_rate when acq_amount_90 × tier_rate ≥ fee_cost_90, else the current fee_rate; fee_income_change_90 = acq_amount_90 × (proposed − current).
-- reads: merchants, acquiring, accounts, balances
-- key: merchant_id
-- rows: SELECT count(*) FROM merchants
WITH owner_accounts AS (
  SELECT a.account_id, a.customer_id
    FROM accounts a
   WHERE a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')
     AND a.customer_id IN (SELECT owner_customer_id FROM merchants)
),
opening AS (
  -- The row in force on L's first day (a balance holds until the account's next row).
  SELECT b.account_id, max(b.balance_date) AS balance_date
    FROM balances b
    JOIN owner_accounts a ON a.account_id = b.account_id
   WHERE b.balance_date <= {{L}}
   GROUP BY b.account_id
),
window_rows AS (
  SELECT b.account_id, b.balance_date, b.balance
    FROM balances b
    JOIN opening o ON o.account_id = b.account_id AND o.balance_date = b.balance_date
  UNION ALL
  SELECT b.account_id, b.balance_date, b.balance
    FROM balances b
    JOIN owner_accounts a ON a.account_id = b.account_id
   WHERE b.balance_date > {{L}} AND b.balance_date < {{L_next}}
),
deposit_spans AS (
  SELECT a.customer_id, r.balance, r.balance_date AS from_day,
         coalesce(lead(r.balance_date) OVER (PARTITION BY r.account_id ORDER BY r.balance_date), {{L_next}}) AS next_day
    FROM window_rows r
    JOIN owner_accounts a ON a.account_id = r.account_id
),
owner_balance_days AS (
  -- Σ balance × the days of L it held (exact), per owner.
  SELECT customer_id, sum(balance * (least(next_day, {{L_next}}) - greatest(from_day, {{L}}))) AS balance_days
    FROM deposit_spans
   WHERE next_day > {{L}}
   GROUP BY customer_id
),
acquiring_90 AS (
  SELECT merchant_id, sum(txn_amount) AS acq_amount_90, sum(fee_income) AS fee_income_90, sum(fee_cost) AS fee_cost_90
    FROM acquiring
   WHERE txn_date > {{as_of_minus_90}} AND txn_date <= {{as_of}}
   GROUP BY merchant_id
),
measured AS (
  SELECT m.merchant_id,
         {{ratio: coalesce(o.balance_days, 0) ;; {{L_days}}}} AS merchant_adb,
         coalesce(q.acq_amount_90, 0) AS acq_amount_90,
         coalesce(q.fee_income_90, 0) AS fee_income_90,
         coalesce(q.fee_cost_90, 0) AS fee_cost_90,
         m.fee_rate AS current_rate
    FROM merchants m
    LEFT JOIN owner_balance_days o ON o.customer_id = m.owner_customer_id
    LEFT JOIN acquiring_90 q ON q.merchant_id = m.merchant_id
),
tiered AS (
  SELECT *, {{tier_rate: merchant_adb}} AS tier_rate FROM measured
),
proposed AS (
  SELECT *,
         CASE WHEN acq_amount_90 * tier_rate >= fee_cost_90 THEN tier_rate ELSE current_rate END AS proposed_rate
    FROM tiered
)
SELECT merchant_id,
       merchant_adb,
       CAST(acq_amount_90 AS DECIMAL(38,2)) AS acq_amount_90,
       CAST(fee_income_90 AS DECIMAL(38,2)) AS fee_income_90,
       CAST(fee_cost_90 AS DECIMAL(38,2)) AS fee_cost_90,
       fee_income_90 >= fee_cost_90 AS coverage_ok,
       CAST(tier_rate AS DECIMAL(12,6)) AS tier_rate,
       CAST(current_rate AS DECIMAL(12,6)) AS current_rate,
       CAST(proposed_rate AS DECIMAL(12,6)) AS proposed_rate,
       CAST(round(acq_amount_90 * (proposed_rate - current_rate), 2) AS DECIMAL(38,2)) AS fee_income_change_90
  FROM proposed
