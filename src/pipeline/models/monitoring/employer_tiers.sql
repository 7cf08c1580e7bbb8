-- employer_tiers: the visit tier of every employer (P3): A when the mean monthly amount over L − 11 … L reaches «employer_tier_a_amount» or the mean headcount «employer_tier_a_headcount», or it is government; B at «employer_tier_b_amount» or «employer_tier_b_headcount»; else C. A month without payroll counts as 0.
-- reads: employers, employer_month
-- key: employer_id
-- rows: SELECT count(*) FROM employers
WITH last12 AS (
  SELECT employer_id, sum(amount) AS amount_12, sum(headcount) AS headcount_12
    FROM {{ref:employer_month}}
   WHERE month >= {{L_minus_11}}
   GROUP BY employer_id
),
measured AS (
  SELECT e.employer_id, e.is_government,
         coalesce(l.amount_12, 0) AS amount_12, coalesce(l.headcount_12, 0) AS headcount_12
    FROM employers e
    LEFT JOIN last12 l ON l.employer_id = e.employer_id
)
-- Means compared as 12-month sums against 12 × the threshold: exact, no division.
SELECT employer_id,
       CASE WHEN is_government = 'Y'
              OR amount_12 >= 12 * {{employer_tier_a_amount}}
              OR headcount_12 >= 12 * {{employer_tier_a_headcount}} THEN 'A'
            WHEN amount_12 >= 12 * {{employer_tier_b_amount}}
              OR headcount_12 >= 12 * {{employer_tier_b_headcount}} THEN 'B'
            ELSE 'C' END AS tier,
       {{ratio: amount_12 ;; 12}} AS mean_amount_12,
       {{ratio: headcount_12 ;; 12}} AS mean_headcount_12
  FROM measured
