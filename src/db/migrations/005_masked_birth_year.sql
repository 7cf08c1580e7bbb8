-- The masked ID number (first 6 + last 4) hides exactly the 8 birth-date digits: with the full
-- birth_date beside it the number could be rebuilt. The masked view shows the birth year only
-- (as January 1st of that year); ages computed from it can be a year off, so analyses of age use the
-- pipeline's published features, not this view.
DROP VIEW masked.customers;

CREATE VIEW masked.customers AS SELECT
  customer_id,
  CASE WHEN name IS NULL THEN NULL ELSE CASE WHEN length(name) <= 1 THEN repeat('*', length(name)) WHEN length(name) = 2 THEN left(name, 1) || '*' ELSE left(name, 1) || repeat('*', length(name) - 2) || right(name, 1) END END AS name,
  id_type,
  CASE WHEN id_no IS NULL THEN NULL ELSE CASE WHEN length(id_no) >= 10 THEN left(id_no, 6) || repeat('*', length(id_no) - 10) || right(id_no, 4) ELSE repeat('*', length(id_no)) END END AS id_no,
  gender,
  CAST(date_trunc('year', birth_date) AS DATE) AS birth_date,
  CASE WHEN phone IS NULL THEN NULL ELSE CASE WHEN length(phone) >= 7 THEN left(phone, 3) || repeat('*', length(phone) - 7) || right(phone, 4) ELSE repeat('*', length(phone)) END END AS phone,
  home_org_id,
  manager_id,
  division_code,
  occupation,
  customer_since,
  risk_level,
  marketing_consent,
  dnd
FROM {{schema}}.customers;
