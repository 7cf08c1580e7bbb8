-- customer_products: the product families each customer holds at D, as employer and segment penetration count them (P5, P6, O1): DEBIT_CARD, CREDIT_CARD, WEALTH (a WEALTH, FUND or INSURANCE account), LOAN (accounts open at D: open_date ≤ D, close_date empty or later), APP (a MOBILE_BANK or COUNTY_APP REGISTER event by D), BILL_AGREEMENT (an agreement of any kind signed by D and not cancelled by D).
-- reads: accounts, app_events, bill_agreements
-- key: customer_id, product
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
