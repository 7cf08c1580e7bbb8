-- segment_members: the members of each segment of the five programs at D (G2): PAYROLL (is_payroll), SILVER (is_silver), MINOR (is_minor), GUARDIAN (is_guardian), PAYMENT (has_bill_agreement, tuition_remitter or has_cross_border_payment), MERCHANT (is_merchant_owner), COUNTY (is_county). A customer may be in several.
-- reads: customer_features
-- key: customer_id, segment
WITH f AS (
  SELECT * FROM {{ref:customer_features}}
)
SELECT customer_id, 'PAYROLL' AS segment FROM f WHERE is_payroll
UNION ALL SELECT customer_id, 'SILVER' FROM f WHERE is_silver
UNION ALL SELECT customer_id, 'MINOR' FROM f WHERE is_minor
UNION ALL SELECT customer_id, 'GUARDIAN' FROM f WHERE is_guardian
UNION ALL SELECT customer_id, 'PAYMENT' FROM f WHERE has_bill_agreement OR tuition_remitter OR has_cross_border_payment
UNION ALL SELECT customer_id, 'MERCHANT' FROM f WHERE is_merchant_owner
UNION ALL SELECT customer_id, 'COUNTY' FROM f WHERE is_county
