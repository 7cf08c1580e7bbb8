-- employer_penetration: cross-sell per employer (P6; P5 is its government employers): among the customers the employer paid in L, the share holding at D each product family of customer_products — DEBIT_CARD, CREDIT_CARD, WEALTH (a WEALTH, FUND or INSURANCE account), LOAN (open accounts), APP (a MOBILE_BANK or COUNTY_APP REGISTER event by D), BILL_AGREEMENT (an agreement of any kind active at D).
-- reads: payroll, customer_products
-- key: employer_id, product
WITH employees AS (
  SELECT DISTINCT employer_id, customer_id
    FROM payroll
   WHERE pay_date >= {{L}} AND pay_date < {{L_next}}
),
products (product) AS (
  VALUES ('DEBIT_CARD'), ('CREDIT_CARD'), ('WEALTH'), ('LOAN'), ('APP'), ('BILL_AGREEMENT')
),
sizes AS (
  SELECT employer_id, count(*) AS employees FROM employees GROUP BY employer_id
),
holders AS (
  SELECT e.employer_id, h.product, count(*) AS holders
    FROM employees e
    JOIN {{ref:customer_products}} h ON h.customer_id = e.customer_id
   GROUP BY e.employer_id, h.product
),
counted AS (
  SELECT z.employer_id, p.product, coalesce(h.holders, 0) AS holders, z.employees
    FROM sizes z
   CROSS JOIN products p
    LEFT JOIN holders h ON h.employer_id = z.employer_id AND h.product = p.product
)
SELECT employer_id, product, CAST(holders AS BIGINT) AS holders, CAST(employees AS BIGINT) AS employees,
       {{ratio: holders ;; employees}} AS rate
  FROM counted
