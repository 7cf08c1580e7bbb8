-- employer_month: payroll per employer and month of W13 (the 13 complete months L − 12 … L): headcount (distinct customers paid) and amount; a row only where the employer paid someone that month (METRICS.md Payroll monitoring).
-- reads: payroll
-- key: employer_id, month
WITH paid AS (
  SELECT employer_id, customer_id, amount, CAST(date_trunc('month', pay_date) AS DATE) AS month
    FROM payroll
   WHERE pay_date >= {{W13_start}} AND pay_date < {{L_next}}
)
SELECT employer_id,
       month,
       CAST(count(DISTINCT customer_id) AS BIGINT) AS headcount,
       CAST(sum(amount) AS DECIMAL(38,2)) AS amount
  FROM paid
 GROUP BY employer_id, month
