-- merchant_pricing: fee coverage and tiered pricing of every merchant (M4, M5). Over (D − 90, D]: acquiring amount, fee income and fee cost; merchant_adb = ADB_month(owner, L) of the owner's deposit accounts; coverage_ok = fee income ≥ fee cost (a merchant that fails it is negative); tier_rate = the highest fee tier whose floor merchant_adb reaches; proposed_rate = tier_rate when acq_amount_90 × tier_rate ≥ fee_cost_90, else the current fee_rate; fee_income_change_90 = acq_amount_90 × (proposed − current).
-- reads: merchants, acquiring, accounts, balance_live, balance_periods
-- key: merchant_id
-- rows: SELECT count(*) FROM merchants
-- warn: SELECT count(*) FROM merchants WHERE fee_rate IS NULL :: merchants without a fee_rate (current_rate empty; proposed_rate is the tier rate only when it covers the fee cost, else empty; fee_income_change_90 empty)
WITH owner_accounts AS (
  SELECT a.account_id, a.customer_id
    FROM accounts a
   WHERE a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')
     AND a.customer_id IN (SELECT owner_customer_id FROM merchants)
),
owner_balance_days AS (
  -- Σ balance × the days of L (exact), per owner: from the cache of completed balance periods, or from
  -- balance_live when D is L's last day.
  SELECT a.customer_id, sum(p.balance_days) AS balance_days
    FROM balance_periods p
    JOIN owner_accounts a ON a.account_id = p.account_id
   WHERE p.period_start = {{L}} AND p.period_end = {{L_next}} AND {{L_next}} <= {{month_start}}
   GROUP BY a.customer_id
  UNION ALL
  SELECT a.customer_id, sum(l.mtd_balance_days)
    FROM {{ref:balance_live}} l
    JOIN owner_accounts a ON a.account_id = l.account_id
   WHERE {{L}} = {{month_start}}
   GROUP BY a.customer_id
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
