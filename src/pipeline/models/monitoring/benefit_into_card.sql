-- benefit_into_card: benefit money into social-security cards (P7), per program: recipients = customers with a credit from the program in (D − 62, D] for PENSION, (D − 365, D] for subsidies; with_ssc_gen3 = those holding an open SSC_GEN3 card at D; credited_into_ssc_gen3 = those with at least one credit of the window into an SSC_GEN3 account.
-- reads: benefit_programs, benefit_credits, accounts
-- key: program_id
-- rows: SELECT count(*) FROM benefit_programs
WITH windowed AS (
  SELECT c.customer_id, c.program_id, c.account_id
    FROM benefit_credits c
    JOIN benefit_programs p ON p.program_id = c.program_id
   WHERE c.credit_date <= {{as_of}}
     AND c.credit_date > CASE WHEN p.kind = 'PENSION' THEN {{as_of_minus_62}} ELSE {{as_of_minus_365}} END
),
ssc_holders AS (
  SELECT DISTINCT customer_id FROM accounts
   WHERE card_kind = 'SSC_GEN3' AND open_date <= {{as_of}} AND (close_date IS NULL OR close_date > {{as_of}})
),
into_ssc AS (
  SELECT DISTINCT w.program_id, w.customer_id
    FROM windowed w JOIN accounts a ON a.account_id = w.account_id
   WHERE a.card_kind = 'SSC_GEN3'
),
recipients AS (
  SELECT DISTINCT program_id, customer_id FROM windowed
)
SELECT p.program_id,
       p.division_code,
       CAST(count(r.customer_id) AS BIGINT) AS recipients,
       CAST(count(h.customer_id) AS BIGINT) AS with_ssc_gen3,
       CAST(count(i.customer_id) AS BIGINT) AS credited_into_ssc_gen3
  FROM benefit_programs p
  LEFT JOIN recipients r ON r.program_id = p.program_id
  LEFT JOIN ssc_holders h ON h.customer_id = r.customer_id
  LEFT JOIN into_ssc i ON i.program_id = r.program_id AND i.customer_id = r.customer_id
 GROUP BY p.program_id, p.division_code
