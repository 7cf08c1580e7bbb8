-- The expert baseline of the daily-run benchmark: one hand-written DuckDB script that computes the
-- pipeline's tables from the raw extract tables, from scratch, as a DuckDB expert would — balance
-- validity spans computed once and shared by every balance figure, no staging, no checks, no ledger.
-- Placeholders (:D, :L, …) are filled by bench/baseline.ts with date literals for the as-of date; the
-- thresholds, spreads and fee tiers are those of season/default.yaml. It reads `divisions` and
-- `remittance_matches` as published (name matching is TypeScript in both).

CREATE OR REPLACE TABLE bl_org_closure AS
WITH RECURSIVE up (org_id, ancestor_id, depth) AS (
  SELECT org_id, org_id, 0 FROM orgs
  UNION ALL
  SELECT u.org_id, o.parent_id, u.depth + 1 FROM up u JOIN orgs o ON o.org_id = u.ancestor_id
   WHERE o.parent_id IS NOT NULL AND u.depth < 10
)
SELECT org_id, ancestor_id, CAST(min(depth) AS INTEGER) AS depth FROM up GROUP BY ALL;

-- Every balance row that holds on some day of [W13 start, D], clipped to that window, with its account.
CREATE OR REPLACE TEMP TABLE spans AS
WITH opening AS (
  SELECT account_id, max(balance_date) AS balance_date FROM balances WHERE balance_date <= :W13 GROUP BY account_id
),
rows_in AS (
  SELECT b.* FROM balances b JOIN opening o USING (account_id, balance_date)
  UNION ALL
  SELECT * FROM balances WHERE balance_date > :W13 AND balance_date <= :D
)
SELECT a.customer_id, a.account_type, r.balance,
       greatest(r.balance_date, :W13) AS from_day,
       coalesce(lead(r.balance_date) OVER (PARTITION BY r.account_id ORDER BY r.balance_date), :D1) AS next_day
  FROM rows_in r JOIN accounts a USING (account_id);

-- Per customer and month of W13 (and month(D) to D): Σ deposit balance × days.
CREATE OR REPLACE TEMP TABLE deposit_month AS
WITH months AS (
  SELECT CAST(m AS DATE) AS month, least(CAST(m + INTERVAL 1 MONTH AS DATE), :D1) AS next_month
    FROM generate_series(CAST(:W13 AS TIMESTAMP), CAST(:MS AS TIMESTAMP), INTERVAL 1 MONTH) t(m)
)
SELECT s.customer_id, m.month, sum(s.balance * (least(s.next_day, m.next_month) - greatest(s.from_day, m.month))) AS balance_days
  FROM spans s JOIN months m ON s.from_day < m.next_month AND s.next_day > m.month
 WHERE s.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')
 GROUP BY ALL;

CREATE OR REPLACE TABLE bl_customer_balances AS
WITH b AS (
  SELECT customer_id,
         sum(balance) FILTER (WHERE next_day > :D AND account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')) AS deposits_d,
         sum(balance) FILTER (WHERE next_day > :D AND account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT', 'WEALTH', 'FUND', 'INSURANCE', 'GOLD')) AS aum_d,
         sum(balance * (CASE account_type WHEN 'DEBIT_CARD' THEN 0.018 WHEN 'SAVINGS' THEN 0.018 WHEN 'TIME_DEPOSIT' THEN 0.005
                 WHEN 'WEALTH' THEN 0.005 WHEN 'FUND' THEN 0.006 WHEN 'INSURANCE' THEN 0.010 WHEN 'GOLD' THEN 0.003 WHEN 'LOAN' THEN 0.020 ELSE 0 END)
             * (least(next_day, :D1) - greatest(from_day, :S))) FILTER (WHERE :S <= :D AND next_day > :S) AS spread_days
    FROM spans GROUP BY customer_id
),
n AS (
  SELECT m.owner_customer_id AS customer_id, sum(q.fee_income - q.fee_cost) AS net
    FROM merchants m JOIN acquiring q USING (merchant_id) WHERE q.txn_date BETWEEN :S AND :D GROUP BY 1
)
SELECT c.customer_id,
       CAST(coalesce(b.deposits_d, 0) AS DECIMAL(38,2)) AS deposits_d,
       CAST(coalesce(b.aum_d, 0) AS DECIMAL(38,2)) AS aum_d,
       CAST(coalesce(m.balance_days, 0) AS DECIMAL(38,2)) AS mtd_balance_days,
       CAST(coalesce(l.balance_days, 0) AS DECIMAL(38,2)) AS l_balance_days,
       CAST(coalesce(b.spread_days, 0) + 360 * coalesce(n.net, 0) AS DECIMAL(38,8)) AS value_x360
  FROM customers c
  LEFT JOIN b USING (customer_id)
  LEFT JOIN deposit_month m ON m.customer_id = c.customer_id AND m.month = :MS
  LEFT JOIN deposit_month l ON l.customer_id = c.customer_id AND l.month = :L
  LEFT JOIN n USING (customer_id)
 WHERE c.customer_since IS NULL OR c.customer_since <= :D;

CREATE OR REPLACE TABLE bl_customer_products AS
SELECT DISTINCT customer_id, CASE WHEN account_type IN ('WEALTH', 'FUND', 'INSURANCE') THEN 'WEALTH' ELSE account_type END AS product
  FROM accounts WHERE account_type IN ('DEBIT_CARD', 'CREDIT_CARD', 'WEALTH', 'FUND', 'INSURANCE', 'LOAN')
   AND open_date <= :D AND (close_date IS NULL OR close_date > :D)
UNION SELECT customer_id, 'APP' FROM app_events WHERE event = 'REGISTER' AND app IN ('MOBILE_BANK', 'COUNTY_APP') AND event_date <= :D
UNION SELECT customer_id, 'BILL_AGREEMENT' FROM bill_agreements WHERE signed_date <= :D AND (cancelled_date IS NULL OR cancelled_date > :D);

-- Exact decimal division, rounded half away from zero (DuckDB's decimal division is floating point):
-- a and b scaled to 128-bit integers, divided with rounding, and the integer quotient turned into a
-- decimal by an exact decimal multiplication.
CREATE OR REPLACE MACRO scaled(x) AS CAST(x * 1000000000000 AS HUGEINT);
CREATE OR REPLACE MACRO exact_div(a, b, unit) AS
  CASE WHEN b = 0 OR a IS NULL OR b IS NULL THEN NULL ELSE
    sign(scaled(a)) * sign(scaled(b)) * ((abs(scaled(a)) * 2 * unit + abs(scaled(b))) // (2 * abs(scaled(b)))) END;
CREATE OR REPLACE MACRO ratio10(a, b) AS
  CAST(CAST(exact_div(a, b, CAST(10000000000 AS HUGEINT)) AS DECIMAL(28,0)) * CAST('0.0000000001' AS DECIMAL(10,10)) AS DECIMAL(38,10));
CREATE OR REPLACE MACRO money(a, b) AS
  CAST(CAST(exact_div(a, b, CAST(100 AS HUGEINT)) AS DECIMAL(36,0)) * CAST('0.01' AS DECIMAL(2,2)) AS DECIMAL(38,2));

CREATE OR REPLACE TABLE bl_customer_features AS
WITH aged AS (
  SELECT *, CASE WHEN birth_date IS NULL OR birth_date > :D THEN NULL ELSE CAST(date_sub('year', birth_date, :D) AS INTEGER) END AS age
    FROM customers
),
pop AS (SELECT * FROM aged WHERE customer_since IS NULL OR customer_since <= :D),
pay AS (
  SELECT customer_id,
         count(DISTINCT date_trunc('month', pay_date)) FILTER (WHERE pay_date >= :W13 AND pay_date < :LN) AS m13,
         sum(amount) FILTER (WHERE pay_date >= :W13 AND pay_date < :LN) AS a13,
         max(pay_date) AS last_pay
    FROM payroll WHERE pay_date <= :D GROUP BY 1
),
acc AS (
  SELECT customer_id,
         bool_or(card_kind = 'SSC_GEN3') AS g3, bool_or(card_kind = 'SSC_GEN2') AS g2,
         bool_or(card_kind = 'COUNTY_DEBIT') AS cd, bool_or(card_kind = 'COUNTY_DEBIT' AND activated_date <= :D) AS cda,
         bool_or(account_type = 'CREDIT_CARD') AS cc, bool_or(account_type IN ('WEALTH', 'FUND', 'INSURANCE')) AS w
    FROM accounts WHERE open_date <= :D AND (close_date IS NULL OR close_date > :D) GROUP BY 1
),
agr AS (
  SELECT customer_id, bool_or(biller_kind IS DISTINCT FROM 'TUITION_CROSS_BORDER') AS bill, bool_or(biller_kind = 'TUITION_CROSS_BORDER') AS xb
    FROM bill_agreements WHERE signed_date <= :D AND (cancelled_date IS NULL OR cancelled_date > :D) GROUP BY 1
),
app AS (
  SELECT customer_id, bool_or(event = 'REGISTER') AS reg, bool_or(event = 'FIRST_PAYMENT') AS fp
    FROM app_events WHERE app = 'COUNTY_APP' AND event_date <= :D GROUP BY 1
),
ph AS (SELECT DISTINCT c.customer_id FROM benefit_credits c JOIN benefit_programs p USING (program_id)
        WHERE p.kind = 'PENSION' AND c.credit_date > :D62 AND c.credit_date <= :D),
pt AS (SELECT DISTINCT customer_id FROM transfers WHERE direction = 'IN' AND txn_date > :D62 AND txn_date <= :D
        AND (remark LIKE '%养老%' OR upper(remark) LIKE '%PENSION%')),
tr AS (SELECT DISTINCT r.customer_id FROM remittances r JOIN remittance_matches m USING (remittance_id)
        WHERE m.match_kind IN ('EXACT_BIC', 'EXACT_NAME') AND r.remit_date > :D3Y AND r.remit_date <= :D),
mo AS (SELECT DISTINCT m.owner_customer_id AS customer_id FROM merchants m JOIN acquiring q USING (merchant_id)
        WHERE q.txn_date > :D90 AND q.txn_date <= :D),
g AS (SELECT DISTINCT r.customer_id FROM relationships r JOIN pop m ON m.customer_id = r.related_customer_id
       WHERE r.relation = 'GUARDIAN_OF' AND m.age < 18),
wl AS (SELECT DISTINCT customer_id FROM ecny_wallets WHERE opened_date <= :D)
SELECT p.customer_id, p.home_org_id, p.age,
       coalesce(p.age >= 60, false) AS is_silver, coalesce(p.age < 18, false) AS is_minor,
       g.customer_id IS NOT NULL AS is_guardian, coalesce(d.is_county, false) AS is_county,
       CAST(coalesce(pay.m13, 0) AS INTEGER) AS payroll_months_13, CAST(coalesce(pay.a13, 0) AS DECIMAL(38,2)) AS payroll_amount_13,
       pay.last_pay AS last_payroll_date, coalesce(pay.last_pay > :D90, false) AS is_payroll,
       coalesce(pay.m13 >= 3 AND pay.last_pay > :D180 AND pay.last_pay <= :D45, false) AS payroll_stopped,
       ph.customer_id IS NOT NULL AS pension_here, pt.customer_id IS NOT NULL AND ph.customer_id IS NULL AS pension_elsewhere,
       coalesce(acc.g3, false) AS has_ssc_gen3, coalesce(acc.g2, false) AS has_ssc_gen2,
       coalesce(agr.bill, false) AS has_bill_agreement, tr.customer_id IS NOT NULL AS tuition_remitter,
       coalesce(agr.xb, false) AS has_cross_border_payment, mo.customer_id IS NOT NULL AS is_merchant_owner,
       coalesce(acc.cd, false) AS has_county_debit, coalesce(acc.cda, false) AS county_debit_activated,
       coalesce(acc.cc, false) AS has_credit_card, coalesce(app.reg, false) AS has_county_app,
       coalesce(app.fp, false) AS app_first_payment, wl.customer_id IS NOT NULL AS has_ecny, coalesce(acc.w, false) AS has_wealth,
       b.deposits_d, b.aum_d, ratio10(b.mtd_balance_days, :MTD_DAYS) AS adb_mtd, money(b.value_x360, 360) AS value_season
  FROM pop p
  LEFT JOIN g USING (customer_id) LEFT JOIN divisions d ON d.division_code = p.division_code
  LEFT JOIN pay USING (customer_id) LEFT JOIN ph USING (customer_id) LEFT JOIN pt USING (customer_id)
  LEFT JOIN acc USING (customer_id) LEFT JOIN agr USING (customer_id) LEFT JOIN tr USING (customer_id)
  LEFT JOIN mo USING (customer_id) LEFT JOIN app USING (customer_id) LEFT JOIN wl USING (customer_id)
  JOIN bl_customer_balances b USING (customer_id);

CREATE OR REPLACE TABLE bl_segment_members AS
SELECT customer_id, segment FROM (
  SELECT customer_id, [
    CASE WHEN is_payroll THEN 'PAYROLL' END, CASE WHEN is_silver THEN 'SILVER' END, CASE WHEN is_minor THEN 'MINOR' END,
    CASE WHEN is_guardian THEN 'GUARDIAN' END,
    CASE WHEN has_bill_agreement OR tuition_remitter OR has_cross_border_payment THEN 'PAYMENT' END,
    CASE WHEN is_merchant_owner THEN 'MERCHANT' END, CASE WHEN is_county THEN 'COUNTY' END] AS segs
  FROM bl_customer_features
) CROSS JOIN unnest(list_filter(segs, s -> s IS NOT NULL)) AS t(segment);

CREATE OR REPLACE TABLE bl_county_groups AS
SELECT customer_id, occupation AS county_group FROM customers
 WHERE (customer_since IS NULL OR customer_since <= :D) AND occupation IN ('FARMER', 'RURAL_WORKER', 'MIGRANT_WORKER')
UNION ALL
SELECT DISTINCT c.customer_id, 'RURAL_TRANSFER' FROM customers c JOIN benefit_credits k USING (customer_id) JOIN benefit_programs p USING (program_id)
 WHERE (c.customer_since IS NULL OR c.customer_since <= :D) AND p.kind IN ('FARM_SUBSIDY', 'OTHER_SUBSIDY') AND k.credit_date > :D365 AND k.credit_date <= :D;

CREATE OR REPLACE TABLE bl_org_measures AS
WITH r AS (
  SELECT x.ancestor_id AS org_id, count(*) AS customers, count(*) FILTER (WHERE c.customer_since >= :S) AS new_customers,
         sum(b.aum_d) AS aum_d, sum(b.deposits_d) AS deposits_d, sum(b.mtd_balance_days) AS bd, sum(b.value_x360) AS v
    FROM bl_customer_balances b JOIN customers c USING (customer_id) JOIN bl_org_closure x ON x.org_id = c.home_org_id
   GROUP BY 1
)
SELECT o.org_id, CAST(coalesce(customers, 0) AS BIGINT) AS customers, CAST(coalesce(new_customers, 0) AS BIGINT) AS new_customers,
       CAST(coalesce(customers, 0) - coalesce(new_customers, 0) AS BIGINT) AS existing_customers,
       CAST(coalesce(aum_d, 0) AS DECIMAL(38,2)) AS aum_d, CAST(coalesce(deposits_d, 0) AS DECIMAL(38,2)) AS deposits_d,
       coalesce(ratio10(bd, :MTD_DAYS), 0) AS adb_mtd, coalesce(money(v, 360), 0) AS value_season
  FROM orgs o LEFT JOIN r USING (org_id);

CREATE OR REPLACE TABLE bl_segment_sizes AS
WITH r AS (
  SELECT x.ancestor_id AS org_id, s.segment, count(*) AS members
    FROM bl_segment_members s JOIN bl_customer_features f USING (customer_id) JOIN bl_org_closure x ON x.org_id = f.home_org_id GROUP BY ALL
)
SELECT :D AS as_of, o.org_id, s.segment, CAST(coalesce(r.members, 0) AS BIGINT) AS members
  FROM orgs o CROSS JOIN (VALUES ('PAYROLL'), ('SILVER'), ('MINOR'), ('GUARDIAN'), ('PAYMENT'), ('MERCHANT'), ('COUNTY')) s(segment)
  LEFT JOIN r ON r.org_id = o.org_id AND r.segment = s.segment;

CREATE OR REPLACE TABLE bl_segment_penetration AS
WITH sizes AS (SELECT segment, count(*) AS members FROM bl_segment_members GROUP BY 1),
h AS (SELECT s.segment, p.product, count(*) AS holders FROM bl_segment_members s JOIN bl_customer_products p USING (customer_id) GROUP BY ALL)
SELECT s.segment, p.product, CAST(coalesce(h.holders, 0) AS BIGINT) AS holders, CAST(coalesce(z.members, 0) AS BIGINT) AS members,
       ratio10(coalesce(h.holders, 0), coalesce(z.members, 0)) AS rate
  FROM (VALUES ('PAYROLL'), ('SILVER'), ('MINOR'), ('GUARDIAN'), ('PAYMENT'), ('MERCHANT'), ('COUNTY')) s(segment)
 CROSS JOIN (VALUES ('DEBIT_CARD'), ('CREDIT_CARD'), ('WEALTH'), ('LOAN'), ('APP'), ('BILL_AGREEMENT')) p(product)
  LEFT JOIN sizes z ON z.segment = s.segment LEFT JOIN h ON h.segment = s.segment AND h.product = p.product;

CREATE OR REPLACE TEMP TABLE paid AS
SELECT p.employer_id, e.org_id, p.customer_id, CAST(date_trunc('month', p.pay_date) AS DATE) AS month, p.amount
  FROM payroll p JOIN employers e USING (employer_id) WHERE p.pay_date >= :W13 AND p.pay_date < :LN;

CREATE OR REPLACE TABLE bl_employer_month AS
SELECT employer_id, month, CAST(count(DISTINCT customer_id) AS BIGINT) AS headcount, CAST(sum(amount) AS DECIMAL(38,2)) AS amount
  FROM paid GROUP BY ALL;

CREATE OR REPLACE TABLE bl_employer_tiers AS
WITH l AS (SELECT employer_id, sum(amount) AS a, sum(headcount) AS h FROM bl_employer_month WHERE month >= :L11 GROUP BY 1)
SELECT e.employer_id,
       CASE WHEN e.is_government = 'Y' OR coalesce(a, 0) >= 12 * 5000000 OR coalesce(h, 0) >= 12 * 500 THEN 'A'
            WHEN coalesce(a, 0) >= 12 * 500000 OR coalesce(h, 0) >= 12 * 50 THEN 'B' ELSE 'C' END AS tier,
       ratio10(coalesce(a, 0), 12) AS mean_amount_12, ratio10(coalesce(h, 0), 12) AS mean_headcount_12
  FROM employers e LEFT JOIN l USING (employer_id);

CREATE OR REPLACE TABLE bl_payroll_alerts AS
WITH m AS (
  SELECT employer_id,
         coalesce(sum(headcount) FILTER (WHERE month = :L), 0) AS hl, coalesce(sum(amount) FILTER (WHERE month = :L), 0) AS al,
         coalesce(sum(amount) FILTER (WHERE month = :L12), 0) AS aly,
         coalesce(sum(headcount) FILTER (WHERE month >= :L3 AND month < :L), 0) AS h3,
         count(*) FILTER (WHERE month >= :L3 AND month < :L AND amount > 0) AS n3
    FROM bl_employer_month GROUP BY 1
),
j AS (
  SELECT *, CASE WHEN al = 0 AND n3 = 3 THEN 'STOPPED' WHEN 3 * hl < (1 - 0.30) * h3 THEN 'DROP' END AS kind FROM m WHERE h3 >= 3 * 5
)
SELECT employer_id, kind, CAST(hl AS BIGINT) AS headcount_l, ratio10(h3, 3) AS avg3, CAST(al AS DECIMAL(38,2)) AS amount_l,
       ratio10(al, aly) AS yoy_ratio
  FROM j WHERE kind IS NOT NULL;

CREATE OR REPLACE TABLE bl_payroll_retention AS
WITH scoped AS (
  SELECT 'EMPLOYER' AS scope_kind, employer_id AS scope_id, customer_id, month, amount FROM paid
  UNION ALL
  SELECT 'ORG', x.ancestor_id, p.customer_id, p.month, p.amount FROM paid p JOIN bl_org_closure x ON x.org_id = p.org_id
),
sums AS (SELECT scope_kind, scope_id, month, sum(amount) AS payroll_sum FROM scoped GROUP BY ALL),
adb AS (
  SELECT x.scope_kind, x.scope_id, x.month, coalesce(sum(d.balance_days), 0) AS bd
    FROM (SELECT DISTINCT scope_kind, scope_id, customer_id, month FROM scoped) x
    LEFT JOIN deposit_month d ON d.customer_id = x.customer_id AND d.month = x.month GROUP BY ALL
)
SELECT s.scope_kind, s.scope_id, s.month,
       ratio10(a.bd, date_diff('day', s.month, CAST(s.month + INTERVAL 1 MONTH AS DATE))) AS adb_sum,
       CAST(s.payroll_sum AS DECIMAL(38,2)) AS payroll_sum,
       ratio10(a.bd, date_diff('day', s.month, CAST(s.month + INTERVAL 1 MONTH AS DATE)) * s.payroll_sum) AS rate
  FROM sums s JOIN adb a USING (scope_kind, scope_id, month);

CREATE OR REPLACE TABLE bl_employer_penetration AS
WITH e AS (SELECT DISTINCT employer_id, customer_id FROM payroll WHERE pay_date >= :L AND pay_date < :LN),
z AS (SELECT employer_id, count(*) AS employees FROM e GROUP BY 1),
h AS (SELECT e.employer_id, p.product, count(*) AS holders FROM e JOIN bl_customer_products p USING (customer_id) GROUP BY ALL)
SELECT z.employer_id, p.product, CAST(coalesce(h.holders, 0) AS BIGINT) AS holders, CAST(z.employees AS BIGINT) AS employees,
       ratio10(coalesce(h.holders, 0), z.employees) AS rate
  FROM z CROSS JOIN (VALUES ('DEBIT_CARD'), ('CREDIT_CARD'), ('WEALTH'), ('LOAN'), ('APP'), ('BILL_AGREEMENT')) p(product)
  LEFT JOIN h ON h.employer_id = z.employer_id AND h.product = p.product;

CREATE OR REPLACE TABLE bl_benefit_into_card AS
WITH w AS (
  SELECT DISTINCT c.program_id, c.customer_id, bool_or(a.card_kind = 'SSC_GEN3') OVER (PARTITION BY c.program_id, c.customer_id) AS into_ssc
    FROM benefit_credits c JOIN benefit_programs p USING (program_id) LEFT JOIN accounts a ON a.account_id = c.account_id
   WHERE c.credit_date <= :D AND c.credit_date > CASE WHEN p.kind = 'PENSION' THEN :D62 ELSE :D365 END
),
h AS (SELECT DISTINCT customer_id FROM accounts WHERE card_kind = 'SSC_GEN3' AND open_date <= :D AND (close_date IS NULL OR close_date > :D))
SELECT p.program_id, p.division_code, CAST(count(w.customer_id) AS BIGINT) AS recipients, CAST(count(h.customer_id) AS BIGINT) AS with_ssc_gen3,
       CAST(count(*) FILTER (WHERE w.into_ssc) AS BIGINT) AS credited_into_ssc_gen3
  FROM benefit_programs p LEFT JOIN w USING (program_id) LEFT JOIN h ON h.customer_id = w.customer_id GROUP BY ALL;

CREATE OR REPLACE TABLE bl_merchant_pricing AS
WITH q AS (
  SELECT merchant_id, sum(txn_amount) AS amt, sum(fee_income) AS inc, sum(fee_cost) AS cost
    FROM acquiring WHERE txn_date > :D90 AND txn_date <= :D GROUP BY 1
),
m AS (
  SELECT m.merchant_id, ratio10(coalesce(d.balance_days, 0), :L_DAYS) AS adb, coalesce(q.amt, 0) AS amt, coalesce(q.inc, 0) AS inc,
         coalesce(q.cost, 0) AS cost, m.fee_rate AS cur
    FROM merchants m LEFT JOIN deposit_month d ON d.customer_id = m.owner_customer_id AND d.month = :L LEFT JOIN q USING (merchant_id)
),
t AS (
  SELECT *, CAST(CASE WHEN adb >= 1000000 THEN 0.0045 WHEN adb >= 200000 THEN 0.0050 WHEN adb >= 50000 THEN 0.0055 ELSE 0.0060 END AS DECIMAL(12,6)) AS tier
    FROM m
),
p AS (SELECT *, CASE WHEN amt * tier >= cost THEN tier ELSE cur END AS prop FROM t)
SELECT merchant_id, adb AS merchant_adb, CAST(amt AS DECIMAL(38,2)) AS acq_amount_90, CAST(inc AS DECIMAL(38,2)) AS fee_income_90,
       CAST(cost AS DECIMAL(38,2)) AS fee_cost_90, inc >= cost AS coverage_ok, tier AS tier_rate,
       CAST(cur AS DECIMAL(12,6)) AS current_rate, CAST(prop AS DECIMAL(12,6)) AS proposed_rate,
       CAST(round(amt * (prop - cur), 2) AS DECIMAL(38,2)) AS fee_income_change_90
  FROM p;

CREATE OR REPLACE TABLE bl_ssc_funnel AS
WITH hq AS (SELECT org_id FROM orgs WHERE level = 'HQ'),
cr AS (SELECT DISTINCT account_id FROM benefit_credits WHERE credit_date > :D62 AND credit_date <= :D),
i AS (
  SELECT coalesce(o.org_id, (SELECT org_id FROM hq)) AS org_id, a.activated_date <= :D AS act, cr.account_id IS NOT NULL AS cred
    FROM accounts a LEFT JOIN orgs o ON o.org_id = a.open_org_id LEFT JOIN cr ON cr.account_id = a.account_id
   WHERE a.card_kind = 'SSC_GEN3' AND a.open_date >= :S AND a.open_date <= :D
)
SELECT g.org_id, CAST(count(i.org_id) AS BIGINT) AS issued, CAST(count(*) FILTER (WHERE i.act) AS BIGINT) AS activated,
       CAST(count(*) FILTER (WHERE i.cred) AS BIGINT) AS credited
  FROM orgs g LEFT JOIN bl_org_closure x ON x.ancestor_id = g.org_id LEFT JOIN i ON i.org_id = x.org_id GROUP BY 1;

CREATE OR REPLACE TABLE bl_county_funnel AS
WITH hq AS (SELECT org_id FROM orgs WHERE level = 'HQ'),
op AS (
  SELECT x.ancestor_id AS org_id, a.customer_id, a.activated_date <= :D AS act
    FROM accounts a LEFT JOIN orgs o ON o.org_id = a.open_org_id
    JOIN bl_org_closure x ON x.org_id = coalesce(o.org_id, (SELECT org_id FROM hq))
   WHERE a.card_kind = 'COUNTY_DEBIT' AND a.open_date >= :S AND a.open_date <= :D
),
app AS (SELECT customer_id, bool_or(event = 'REGISTER') AS reg, bool_or(event = 'FIRST_PAYMENT') AS fp
          FROM app_events WHERE app = 'COUNTY_APP' AND event_date <= :D GROUP BY 1),
acc AS (SELECT org_id, count(*) AS opened, count(*) FILTER (WHERE act) AS activated FROM op GROUP BY 1),
hol AS (SELECT h.org_id, count(*) FILTER (WHERE a.reg) AS reg, count(*) FILTER (WHERE a.fp) AS fp
          FROM (SELECT DISTINCT org_id, customer_id FROM op) h LEFT JOIN app a USING (customer_id) GROUP BY 1)
SELECT g.org_id, CAST(coalesce(acc.opened, 0) AS BIGINT) AS opened, CAST(coalesce(acc.activated, 0) AS BIGINT) AS activated,
       CAST(coalesce(hol.reg, 0) AS BIGINT) AS app_registered, CAST(coalesce(hol.fp, 0) AS BIGINT) AS first_payment
  FROM orgs g LEFT JOIN acc USING (org_id) LEFT JOIN hol USING (org_id);
