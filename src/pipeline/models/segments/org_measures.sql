-- org_measures: the headline measures of G3 per org, rolled up the org tree by the customers' home_org_id (the HQ row is the bank): customers of the population at D; new_customers (customer_since from S to D; 0 before the season); existing_customers (the rest); aum_d and deposits_d (end-of-day D); adb_mtd = Σ ADB_month(c, month(D)) of its customers; value_season = Σ value_season. Sums are taken over unrounded values and rounded once.
-- reads: orgs, org_closure, customers, customer_balances
-- key: org_id
-- rows: SELECT count(*) FROM orgs
WITH per_customer AS (
  SELECT c.customer_id, c.home_org_id,
         CASE WHEN c.customer_since >= {{season_start}} THEN 1 ELSE 0 END AS is_new,
         b.aum_d, b.deposits_d, b.mtd_balance_days, b.value_x360
    FROM customers c
    JOIN {{ref:customer_balances}} b ON b.customer_id = c.customer_id
),
rolled AS (
  SELECT r.ancestor_id AS org_id,
         count(*) AS customers,
         sum(p.is_new) AS new_customers,
         sum(p.aum_d) AS aum_d,
         sum(p.deposits_d) AS deposits_d,
         sum(p.mtd_balance_days) AS mtd_balance_days,
         sum(p.value_x360) AS value_x360
    FROM per_customer p
    JOIN {{ref:org_closure}} r ON r.org_id = p.home_org_id
   GROUP BY r.ancestor_id
)
SELECT o.org_id,
       CAST(coalesce(r.customers, 0) AS BIGINT) AS customers,
       CAST(coalesce(r.new_customers, 0) AS BIGINT) AS new_customers,
       CAST(coalesce(r.customers, 0) - coalesce(r.new_customers, 0) AS BIGINT) AS existing_customers,
       CAST(coalesce(r.aum_d, 0) AS DECIMAL(38,2)) AS aum_d,
       CAST(coalesce(r.deposits_d, 0) AS DECIMAL(38,2)) AS deposits_d,
       coalesce({{ratio: r.mtd_balance_days ;; {{mtd_days}}}}, CAST(0 AS DECIMAL(38,10))) AS adb_mtd,
       coalesce({{money: r.value_x360 ;; 360}}, CAST(0 AS DECIMAL(38,2))) AS value_season
  FROM orgs o
  LEFT JOIN rolled r ON r.org_id = o.org_id
