-- segment_penetration: for each segment of the five programs, the share of its members holding each product family at D (O1), the families of employer penetration: DEBIT_CARD, CREDIT_CARD, WEALTH, LOAN, APP, BILL_AGREEMENT. rate = holders / members (empty when the segment has no members).
-- reads: segment_members, customer_products
-- key: segment, product
-- rows: SELECT 42
WITH segments (segment) AS (
  VALUES ('PAYROLL'), ('SILVER'), ('MINOR'), ('GUARDIAN'), ('PAYMENT'), ('MERCHANT'), ('COUNTY')
),
products (product) AS (
  VALUES ('DEBIT_CARD'), ('CREDIT_CARD'), ('WEALTH'), ('LOAN'), ('APP'), ('BILL_AGREEMENT')
),
sizes AS (
  SELECT segment, count(*) AS members FROM {{ref:segment_members}} GROUP BY segment
),
holders AS (
  SELECT s.segment, h.product, count(*) AS holders
    FROM {{ref:segment_members}} s
    JOIN {{ref:customer_products}} h ON h.customer_id = s.customer_id
   GROUP BY s.segment, h.product
),
counted AS (
  SELECT s.segment, p.product, coalesce(h.holders, 0) AS holders, coalesce(z.members, 0) AS members
    FROM segments s
   CROSS JOIN products p
    LEFT JOIN sizes z ON z.segment = s.segment
    LEFT JOIN holders h ON h.segment = s.segment AND h.product = p.product
)
SELECT segment, product, CAST(holders AS BIGINT) AS holders, CAST(members AS BIGINT) AS members,
       {{ratio: holders ;; members}} AS rate
  FROM counted
