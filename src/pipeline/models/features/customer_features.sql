-- customer_features: one row per customer of the population at D (customer_since ≤ D, or empty) with every customer feature of METRICS.md under its name. Ages are full years at D (a Feb 29 birthday comes on Mar 1 in common years); flags over day windows (D − n, D] include D; "open at D" = open_date ≤ D and close_date empty or later; money is summed unrounded and rounded to cents once (adb_mtd to 10 decimals).
-- reads: customers, relationships, payroll, benefit_credits, benefit_programs, transfers, accounts, bill_agreements, remittances, merchants, acquiring, app_events, ecny_wallets, divisions, remittance_matches, customer_balances
-- key: customer_id
-- rows: SELECT count(*) FROM customers WHERE customer_since IS NULL OR customer_since <= {{as_of}}
-- warn: SELECT count(*) FROM customers c WHERE (c.customer_since IS NULL OR c.customer_since <= {{as_of}}) AND c.division_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {{ref:divisions}} d WHERE d.division_code = c.division_code) :: customers with a residence division_code not in the GB/T 2260 table (is_county false)
WITH aged AS (
  SELECT customer_id, home_org_id, division_code, customer_since,
         CASE WHEN birth_date IS NULL OR birth_date > {{as_of}} THEN NULL
              ELSE CAST({{as_of_year}} - extract(year FROM birth_date)
                   - CASE WHEN extract(month FROM birth_date) * 100 + extract(day FROM birth_date) > {{as_of_mmdd}} THEN 1 ELSE 0 END AS INTEGER)
         END AS age
    FROM customers
),
population AS (
  SELECT * FROM aged WHERE customer_since IS NULL OR customer_since <= {{as_of}}
),
guardians AS (
  -- A guardian of a customer who is a minor at D.
  SELECT DISTINCT r.customer_id
    FROM relationships r
    JOIN population m ON m.customer_id = r.related_customer_id
   WHERE r.relation = 'GUARDIAN_OF' AND m.age < 18
),
payroll_13 AS (
  SELECT customer_id,
         count(DISTINCT CAST(date_trunc('month', pay_date) AS DATE)) AS payroll_months_13,
         sum(amount) AS payroll_amount_13
    FROM payroll
   WHERE pay_date >= {{W13_start}} AND pay_date < {{L_next}}
   GROUP BY customer_id
),
payroll_last AS (
  SELECT customer_id, max(pay_date) AS last_payroll_date
    FROM payroll
   WHERE pay_date <= {{as_of}}
   GROUP BY customer_id
),
pension_here AS (
  SELECT DISTINCT c.customer_id
    FROM benefit_credits c
    JOIN benefit_programs p ON p.program_id = c.program_id
   WHERE p.kind = 'PENSION' AND c.credit_date > {{as_of_minus_62}} AND c.credit_date <= {{as_of}}
),
pension_transfers AS (
  -- A pension paid at another bank and moved here: an incoming transfer whose remark says so.
  SELECT DISTINCT customer_id
    FROM transfers
   WHERE direction = 'IN' AND txn_date > {{as_of_minus_62}} AND txn_date <= {{as_of}}
     AND (remark LIKE '%养老%' OR upper(remark) LIKE '%PENSION%')
),
open_accounts AS (
  SELECT customer_id,
         max(CASE WHEN card_kind = 'SSC_GEN3' THEN 1 ELSE 0 END) AS ssc_gen3,
         max(CASE WHEN card_kind = 'SSC_GEN2' THEN 1 ELSE 0 END) AS ssc_gen2,
         max(CASE WHEN card_kind = 'COUNTY_DEBIT' THEN 1 ELSE 0 END) AS county_debit,
         max(CASE WHEN card_kind = 'COUNTY_DEBIT' AND activated_date <= {{as_of}} THEN 1 ELSE 0 END) AS county_debit_activated,
         max(CASE WHEN account_type = 'CREDIT_CARD' THEN 1 ELSE 0 END) AS credit_card,
         max(CASE WHEN account_type IN ('WEALTH', 'FUND', 'INSURANCE') THEN 1 ELSE 0 END) AS wealth
    FROM accounts
   WHERE open_date <= {{as_of}} AND (close_date IS NULL OR close_date > {{as_of}})
   GROUP BY customer_id
),
agreements AS (
  SELECT customer_id,
         max(CASE WHEN biller_kind IS DISTINCT FROM 'TUITION_CROSS_BORDER' THEN 1 ELSE 0 END) AS bill,
         max(CASE WHEN biller_kind = 'TUITION_CROSS_BORDER' THEN 1 ELSE 0 END) AS cross_border
    FROM bill_agreements
   WHERE signed_date <= {{as_of}} AND (cancelled_date IS NULL OR cancelled_date > {{as_of}})
   GROUP BY customer_id
),
tuition_remitters AS (
  -- Only exact matches count; PROBABLE matches are for review.
  SELECT DISTINCT r.customer_id
    FROM remittances r
    JOIN {{ref:remittance_matches}} m ON m.remittance_id = r.remittance_id
   WHERE m.match_kind IN ('EXACT_BIC', 'EXACT_NAME')
     AND r.remit_date > {{as_of_minus_3y}} AND r.remit_date <= {{as_of}}
),
merchant_owners AS (
  SELECT DISTINCT m.owner_customer_id AS customer_id
    FROM merchants m
   WHERE EXISTS (SELECT 1 FROM acquiring q
                  WHERE q.merchant_id = m.merchant_id AND q.txn_date > {{as_of_minus_90}} AND q.txn_date <= {{as_of}})
),
apps AS (
  SELECT customer_id,
         max(CASE WHEN event = 'REGISTER' THEN 1 ELSE 0 END) AS registered,
         max(CASE WHEN event = 'FIRST_PAYMENT' THEN 1 ELSE 0 END) AS first_payment
    FROM app_events
   WHERE app = 'COUNTY_APP' AND event_date <= {{as_of}}
   GROUP BY customer_id
),
wallets AS (
  SELECT DISTINCT customer_id FROM ecny_wallets WHERE opened_date <= {{as_of}}
)
SELECT p.customer_id,
       p.home_org_id,
       p.age,
       coalesce(p.age >= {{silver_age}}, FALSE) AS is_silver,
       coalesce(p.age < 18, FALSE) AS is_minor,
       g.customer_id IS NOT NULL AS is_guardian,
       coalesce(d.is_county, FALSE) AS is_county,
       CAST(coalesce(y.payroll_months_13, 0) AS INTEGER) AS payroll_months_13,
       CAST(coalesce(y.payroll_amount_13, 0) AS DECIMAL(38,2)) AS payroll_amount_13,
       l.last_payroll_date,
       coalesce(l.last_payroll_date > {{as_of_minus_90}}, FALSE) AS is_payroll,
       coalesce(y.payroll_months_13 >= 3 AND l.last_payroll_date > {{as_of_minus_180}} AND l.last_payroll_date <= {{as_of_minus_45}}, FALSE) AS payroll_stopped,
       ph.customer_id IS NOT NULL AS pension_here,
       pt.customer_id IS NOT NULL AND ph.customer_id IS NULL AS pension_elsewhere,
       coalesce(o.ssc_gen3 = 1, FALSE) AS has_ssc_gen3,
       coalesce(o.ssc_gen2 = 1, FALSE) AS has_ssc_gen2,
       coalesce(a.bill = 1, FALSE) AS has_bill_agreement,
       t.customer_id IS NOT NULL AS tuition_remitter,
       coalesce(a.cross_border = 1, FALSE) AS has_cross_border_payment,
       mo.customer_id IS NOT NULL AS is_merchant_owner,
       coalesce(o.county_debit = 1, FALSE) AS has_county_debit,
       coalesce(o.county_debit_activated = 1, FALSE) AS county_debit_activated,
       coalesce(o.credit_card = 1, FALSE) AS has_credit_card,
       coalesce(ap.registered = 1, FALSE) AS has_county_app,
       coalesce(ap.first_payment = 1, FALSE) AS app_first_payment,
       w.customer_id IS NOT NULL AS has_ecny,
       coalesce(o.wealth = 1, FALSE) AS has_wealth,
       b.deposits_d,
       b.aum_d,
       {{ratio: b.mtd_balance_days ;; {{mtd_days}}}} AS adb_mtd,
       {{money: b.value_x360 ;; 360}} AS value_season
  FROM population p
  LEFT JOIN guardians g ON g.customer_id = p.customer_id
  LEFT JOIN {{ref:divisions}} d ON d.division_code = p.division_code
  LEFT JOIN payroll_13 y ON y.customer_id = p.customer_id
  LEFT JOIN payroll_last l ON l.customer_id = p.customer_id
  LEFT JOIN pension_here ph ON ph.customer_id = p.customer_id
  LEFT JOIN pension_transfers pt ON pt.customer_id = p.customer_id
  LEFT JOIN open_accounts o ON o.customer_id = p.customer_id
  LEFT JOIN agreements a ON a.customer_id = p.customer_id
  LEFT JOIN tuition_remitters t ON t.customer_id = p.customer_id
  LEFT JOIN merchant_owners mo ON mo.customer_id = p.customer_id
  LEFT JOIN apps ap ON ap.customer_id = p.customer_id
  LEFT JOIN wallets w ON w.customer_id = p.customer_id
  JOIN {{ref:customer_balances}} b ON b.customer_id = p.customer_id
