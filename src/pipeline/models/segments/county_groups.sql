-- county_groups: the county customer groups of each customer of the population at D (C1): FARMER, RURAL_WORKER, MIGRANT_WORKER from occupation; RURAL_TRANSFER when a FARM_SUBSIDY or OTHER_SUBSIDY credit arrived in (D − 365, D]. A customer can be in several; assigned whether or not is_county (migrant workers often live in cities).
-- reads: customers, benefit_credits, benefit_programs
-- key: customer_id, county_group
WITH population AS (
  SELECT customer_id, occupation FROM customers WHERE customer_since IS NULL OR customer_since <= {{as_of}}
),
transfer_recipients AS (
  SELECT DISTINCT c.customer_id
    FROM benefit_credits c
    JOIN benefit_programs p ON p.program_id = c.program_id
   WHERE p.kind IN ('FARM_SUBSIDY', 'OTHER_SUBSIDY') AND c.credit_date > {{as_of_minus_365}} AND c.credit_date <= {{as_of}}
)
SELECT customer_id, occupation AS county_group
  FROM population
 WHERE occupation IN ('FARMER', 'RURAL_WORKER', 'MIGRANT_WORKER')
UNION ALL
SELECT p.customer_id, 'RURAL_TRANSFER'
  FROM population p
  JOIN transfer_recipients t ON t.customer_id = p.customer_id
