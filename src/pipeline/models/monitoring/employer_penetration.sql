-- employer_penetration: cross-sell per employer (P6; P5 is its government employers): among the customers the employer paid in L, the share holding at D each product family — DEBIT_CARD, CREDIT_CARD, WEALTH (a WEALTH, FUND or INSURANCE account), LOAN (open accounts), APP (a MOBILE_BANK or COUNTY_APP REGISTER event by D), BILL_AGREEMENT (an agreement of any kind active at D).
-- reads: payroll, accounts, app_events, bill_agreements
-- key: employer_id, product
WITH employees AS (
  SELECT DISTINCT employer_id, customer_id
    FROM payroll
   WHERE pay_date >= {{L}} AND pay_date < {{L_next}}
),
holdings AS (
  SELECT DISTINCT customer_id,
         CASE WHEN account_type IN ('WEALTH', 'FUND', 'INSURANCE') THEN 'WEALTH' ELSE account_type END AS product
    FROM accounts
   WHERE account_type IN ('DEBIT_CARD', 'CREDIT_CARD', 'WEALTH', 'FUND', 'INSURANCE', 'LOAN')
     AND open_date <= {{as_of}} AND (close_date IS NULL OR close_date > {{as_of}})
  UNION
  SELECT DISTINCT customer_id, 'APP' FROM app_events
   WHERE event = 'REGISTER' AND app IN ('MOBILE_BANK', 'COUNTY_APP') AND event_date <= {{as_of}}
  UNION
  SELECT DISTINCT customer_id, 'BILL_AGREEMENT' FROM bill_agreements
   WHERE signed_date <= {{as_of}} AND (cancelled_date IS NULL OR cancelled_date > {{as_of}})
),
products (product) AS (
  VALUES ('DEBIT_CARD'), ('CREDIT_CARD'), ('WEALTH'), ('LOAN'), ('APP'), ('BILL_AGREEMENT')
),
counted AS (
  SELECT e.employer_id, p.product,
         count(DISTINCT h.customer_id) AS holders,
         (SELECT count(*) FROM employees x WHERE x.employer_id = e.employer_id) AS employees
    FROM (SELECT DISTINCT employer_id FROM employees) e
   CROSS JOIN products p
    LEFT JOIN employees m ON m.employer_id = e.employer_id
    LEFT JOIN holdings h ON h.customer_id = m.customer_id AND h.product = p.product
   GROUP BY e.employer_id, p.product
)
SELECT employer_id, product, CAST(holders AS BIGINT) AS holders, CAST(employees AS BIGINT) AS employees,
       {{ratio: holders ;; employees}} AS rate
  FROM counted
