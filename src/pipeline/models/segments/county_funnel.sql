-- county_funnel: the county debit card funnel (C2, C5) per org, rolled up the tree: COUNTY_DEBIT accounts opened from S to D by open_org_id; of them activated by D; of their holders (counted once per org), those with a COUNTY_APP REGISTER, and those with a FIRST_PAYMENT, by D. Accounts whose open_org_id is empty or not in the tree count at HQ only.
-- reads: accounts, app_events, orgs, org_closure
-- key: org_id
-- rows: SELECT count(*) FROM orgs
WITH opened AS (
  SELECT a.account_id, a.customer_id,
         coalesce(o.org_id, (SELECT org_id FROM orgs WHERE level = 'HQ')) AS org_id,
         CASE WHEN a.activated_date <= {{as_of}} THEN 1 ELSE 0 END AS activated
    FROM accounts a
    LEFT JOIN orgs o ON o.org_id = a.open_org_id
   WHERE a.card_kind = 'COUNTY_DEBIT' AND a.open_date >= {{season_start}} AND a.open_date <= {{as_of}}
),
app AS (
  SELECT customer_id,
         max(CASE WHEN event = 'REGISTER' THEN 1 ELSE 0 END) AS registered,
         max(CASE WHEN event = 'FIRST_PAYMENT' THEN 1 ELSE 0 END) AS first_payment
    FROM app_events
   WHERE app = 'COUNTY_APP' AND event_date <= {{as_of}}
   GROUP BY customer_id
),
per_org AS (
  SELECT c.ancestor_id AS org_id, p.account_id, p.customer_id, p.activated
    FROM opened p
    JOIN {{ref:org_closure}} c ON c.org_id = p.org_id
),
holders AS (
  SELECT DISTINCT h.org_id, h.customer_id, coalesce(a.registered, 0) AS registered, coalesce(a.first_payment, 0) AS first_payment
    FROM per_org h
    LEFT JOIN app a ON a.customer_id = h.customer_id
),
accounts_per_org AS (
  SELECT org_id, count(*) AS opened, sum(activated) AS activated FROM per_org GROUP BY org_id
),
holders_per_org AS (
  SELECT org_id, sum(registered) AS app_registered, sum(first_payment) AS first_payment FROM holders GROUP BY org_id
)
SELECT g.org_id,
       CAST(coalesce(x.opened, 0) AS BIGINT) AS opened,
       CAST(coalesce(x.activated, 0) AS BIGINT) AS activated,
       CAST(coalesce(h.app_registered, 0) AS BIGINT) AS app_registered,
       CAST(coalesce(h.first_payment, 0) AS BIGINT) AS first_payment
  FROM orgs g
  LEFT JOIN accounts_per_org x ON x.org_id = g.org_id
  LEFT JOIN holders_per_org h ON h.org_id = g.org_id
