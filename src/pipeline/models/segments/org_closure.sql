-- org_closure: every org with each of its ancestors and itself (depth 0 = itself), for rolling figures up the org tree; at most 10 levels, so a cycle in a delivered tree cannot run away.
-- reads: orgs
-- key: org_id, ancestor_id
WITH RECURSIVE up (org_id, ancestor_id, depth) AS (
  SELECT org_id, org_id, 0 FROM orgs
  UNION ALL
  SELECT u.org_id, o.parent_id, u.depth + 1
    FROM up u
    JOIN orgs o ON o.org_id = u.ancestor_id
   WHERE o.parent_id IS NOT NULL AND u.depth < 10
)
SELECT DISTINCT org_id, ancestor_id, CAST(min(depth) OVER (PARTITION BY org_id, ancestor_id) AS INTEGER) AS depth
  FROM up
