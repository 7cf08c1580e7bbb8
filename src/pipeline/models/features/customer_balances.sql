-- customer_balances: the balance figures of every customer of the population at D, kept unrounded for exact roll-ups: deposits_d and aum_d (end-of-day balances at D of deposit and AUM accounts), mtd_balance_days = Σ over month(D)'s days up to D of the deposit balances (ADB_month(c, month(D)) × its days), l_balance_days = Σ over L's days of the deposit balances (ADB_month(c, L) × L's days), value_x360 = Σ over S…D of balance × spread (every account) + 360 × Σ (fee_income − fee_cost) of the customer's merchants from S to D (value_season × 360; 0 when D < S). Month(D) comes from balance_live; the season's completed months (and its first, partial month) from the cache of completed balance periods.
-- reads: customers, accounts, balance_live, balance_periods, merchants, acquiring
-- key: customer_id
-- rows: SELECT count(*) FROM customers WHERE customer_since IS NULL OR customer_since <= {{as_of}}
WITH population AS (
  SELECT customer_id FROM customers WHERE customer_since IS NULL OR customer_since <= {{as_of}}
),
season_periods AS (
  -- Completed periods of the season before month(D): its first (partial) month from S, then whole months.
  SELECT account_id, balance_days
    FROM balance_periods
   WHERE {{season_start}} <= {{as_of}} AND period_end <= {{month_start}}
     AND (period_start = {{season_start}}
          OR (period_start > {{season_start}} AND period_start = CAST(date_trunc('month', period_start) AS DATE)))
     -- each ends on a month's first day: the cache also holds the KPIs' pieces of other lengths
     AND period_end = CAST(date_trunc('month', period_start) + INTERVAL '1 month' AS DATE)
),
l_period AS (
  -- L when it is a completed month before month(D) (else L is month(D) itself, live).
  SELECT account_id, balance_days
    FROM balance_periods
   WHERE period_start = {{L}} AND period_end = {{L_next}} AND {{L_next}} <= {{month_start}}
),
per_account AS (
  SELECT account_id, balance_d, mtd_balance_days, season_balance_days,
         CASE WHEN {{L}} = {{month_start}} THEN mtd_balance_days ELSE 0 END AS l_balance_days
    FROM {{ref:balance_live}}
  UNION ALL
  SELECT account_id, 0, 0, balance_days, 0 FROM season_periods
  UNION ALL
  SELECT account_id, 0, 0, 0, balance_days FROM l_period
),
balance_sums AS (
  SELECT a.customer_id,
         sum(CASE WHEN a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT') THEN p.balance_d ELSE 0 END) AS deposits_d,
         sum(CASE WHEN a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT', 'WEALTH', 'FUND', 'INSURANCE', 'GOLD') THEN p.balance_d ELSE 0 END) AS aum_d,
         sum(CASE WHEN a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT') THEN p.mtd_balance_days ELSE 0 END) AS mtd_balance_days,
         sum(CASE WHEN a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT') THEN p.l_balance_days ELSE 0 END) AS l_balance_days,
         sum(p.season_balance_days * {{spread: a.account_type}}) AS spread_days
    FROM per_account p
    JOIN accounts a ON a.account_id = p.account_id
   GROUP BY a.customer_id
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
       CAST(coalesce(b.l_balance_days, 0) AS DECIMAL(38,2)) AS l_balance_days,
       CAST(coalesce(b.spread_days, 0) + 360 * coalesce(n.net, 0) AS DECIMAL(38,8)) AS value_x360
  FROM population p
  LEFT JOIN balance_sums b ON b.customer_id = p.customer_id
  LEFT JOIN merchant_net n ON n.customer_id = p.customer_id
