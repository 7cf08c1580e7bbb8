-- payroll_alerts: one churn alert per employer (P4) with avg3 — the mean headcount of L − 3 … L − 1 — of at least «payroll_churn_min_avg3»: STOPPED when nothing was paid in L while something was paid in each of L − 3 … L − 1; otherwise DROP when headcount(L) < (1 − «payroll_churn_drop») × avg3. yoy_ratio = amount(L) / amount(L − 12), empty when L − 12 had no payroll.
-- reads: employer_month
-- key: employer_id
WITH months AS (
  SELECT employer_id,
         sum(CASE WHEN month = {{L}} THEN headcount ELSE 0 END) AS headcount_l,
         sum(CASE WHEN month = {{L}} THEN amount ELSE 0 END) AS amount_l,
         sum(CASE WHEN month = {{L_minus_12}} THEN amount ELSE 0 END) AS amount_ly,
         sum(CASE WHEN month >= {{L_minus_3}} AND month < {{L}} THEN headcount ELSE 0 END) AS headcount_3,
         count(CASE WHEN month >= {{L_minus_3}} AND month < {{L}} AND amount > 0 THEN 1 END) AS paid_months_3
    FROM {{ref:employer_month}}
   GROUP BY employer_id
),
judged AS (
  -- avg3 ≥ min ⇔ the 3-month sum ≥ 3 × min; headcount(L) < (1 − drop) × avg3 ⇔ 3 × headcount(L) < (1 − drop) × sum.
  SELECT *,
         CASE WHEN amount_l = 0 AND paid_months_3 = 3 THEN 'STOPPED'
              WHEN 3 * headcount_l < (1 - {{payroll_churn_drop}}) * headcount_3 THEN 'DROP' END AS kind
    FROM months
   WHERE headcount_3 >= 3 * {{payroll_churn_min_avg3}}
)
SELECT employer_id,
       kind,
       CAST(headcount_l AS BIGINT) AS headcount_l,
       {{ratio: headcount_3 ;; 3}} AS avg3,
       CAST(amount_l AS DECIMAL(38,2)) AS amount_l,
       {{ratio: amount_l ;; amount_ly}} AS yoy_ratio
  FROM judged
 WHERE kind IS NOT NULL
