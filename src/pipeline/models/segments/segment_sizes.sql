-- segment_sizes: the members of each segment per org at each as-of date, rolled up the org tree by home_org_id (the HQ row is the bank); every org and segment has a row, 0 included.
-- reads: orgs, org_closure, customer_features, segment_members
-- key: as_of, org_id, segment
-- history: as_of
-- rows: SELECT count(*) * 7 FROM orgs
WITH segments (segment) AS (
  VALUES ('PAYROLL'), ('SILVER'), ('MINOR'), ('GUARDIAN'), ('PAYMENT'), ('MERCHANT'), ('COUNTY')
),
rolled AS (
  SELECT r.ancestor_id AS org_id, s.segment, count(*) AS members
    FROM {{ref:segment_members}} s
    JOIN {{ref:customer_features}} f ON f.customer_id = s.customer_id
    JOIN {{ref:org_closure}} r ON r.org_id = f.home_org_id
   GROUP BY r.ancestor_id, s.segment
)
SELECT {{as_of}} AS as_of, o.org_id, s.segment, CAST(coalesce(r.members, 0) AS BIGINT) AS members
  FROM orgs o
 CROSS JOIN segments s
  LEFT JOIN rolled r ON r.org_id = o.org_id AND r.segment = s.segment
