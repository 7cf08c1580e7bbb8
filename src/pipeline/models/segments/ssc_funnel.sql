-- ssc_funnel: the third-generation social-security card funnel (P2, P10) per org, rolled up the tree: SSC_GEN3 accounts opened from S to D by open_org_id; of them activated by D; of them with a benefit credit into the account in (D − 62, D]. Accounts whose open_org_id is empty or not in the tree count at HQ only, so the HQ row is the whole bank.
-- reads: accounts, benefit_credits, orgs, org_closure
-- key: org_id
-- rows: SELECT count(*) FROM orgs
WITH credited_accounts AS (
  -- Accounts with a benefit credit in (D − 62, D] (a join, not a subquery per account: PostgreSQL
  -- has no index on benefit_credits.account_id and took 87 s at 100 k customers).
  SELECT DISTINCT account_id FROM benefit_credits
   WHERE credit_date > {{as_of_minus_62}} AND credit_date <= {{as_of}}
),
issued AS (
  SELECT a.account_id,
         coalesce(o.org_id, (SELECT org_id FROM orgs WHERE level = 'HQ')) AS org_id,
         CASE WHEN a.activated_date <= {{as_of}} THEN 1 ELSE 0 END AS activated,
         CASE WHEN c.account_id IS NOT NULL THEN 1 ELSE 0 END AS credited
    FROM accounts a
    LEFT JOIN orgs o ON o.org_id = a.open_org_id
    LEFT JOIN credited_accounts c ON c.account_id = a.account_id
   WHERE a.card_kind = 'SSC_GEN3' AND a.open_date >= {{season_start}} AND a.open_date <= {{as_of}}
)
SELECT g.org_id,
       CAST(count(i.account_id) AS BIGINT) AS issued,
       CAST(coalesce(sum(i.activated), 0) AS BIGINT) AS activated,
       CAST(coalesce(sum(i.credited), 0) AS BIGINT) AS credited
  FROM orgs g
  LEFT JOIN {{ref:org_closure}} c ON c.ancestor_id = g.org_id
  LEFT JOIN issued i ON i.org_id = c.org_id
 GROUP BY g.org_id
