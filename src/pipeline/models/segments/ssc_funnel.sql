-- ssc_funnel: the third-generation social-security card funnel (P2, P10) per org, rolled up the tree: SSC_GEN3 accounts opened from S to D by open_org_id; of them activated by D; of them with a benefit credit into the account in (D − 62, D]. Accounts whose open_org_id is empty or not in the tree count at HQ only, so the HQ row is the whole bank.
-- reads: accounts, benefit_credits, orgs, org_closure
-- key: org_id
-- rows: SELECT count(*) FROM orgs
WITH issued AS (
  SELECT a.account_id,
         coalesce(o.org_id, (SELECT org_id FROM orgs WHERE level = 'HQ')) AS org_id,
         CASE WHEN a.activated_date <= {{as_of}} THEN 1 ELSE 0 END AS activated,
         CASE WHEN EXISTS (SELECT 1 FROM benefit_credits c
                            WHERE c.account_id = a.account_id AND c.credit_date > {{as_of_minus_62}} AND c.credit_date <= {{as_of}})
              THEN 1 ELSE 0 END AS credited
    FROM accounts a
    LEFT JOIN orgs o ON o.org_id = a.open_org_id
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
