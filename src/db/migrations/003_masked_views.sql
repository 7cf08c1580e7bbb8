-- Masked views: the analysts' console (wangji sql) resolves table names here first, so personal
-- data reads masked (patterns in src/domain/masking.ts). {{schema}} is the engine's default schema.
CREATE SCHEMA masked;

CREATE VIEW masked.customers AS SELECT
  customer_id,
  CASE WHEN name IS NULL THEN NULL ELSE CASE WHEN length(name) <= 1 THEN repeat('*', length(name)) WHEN length(name) = 2 THEN left(name, 1) || '*' ELSE left(name, 1) || repeat('*', length(name) - 2) || right(name, 1) END END AS name,
  id_type,
  CASE WHEN id_no IS NULL THEN NULL ELSE CASE WHEN length(id_no) >= 10 THEN left(id_no, 6) || repeat('*', length(id_no) - 10) || right(id_no, 4) ELSE repeat('*', length(id_no)) END END AS id_no,
  gender,
  birth_date,
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

CREATE VIEW masked.remittances AS SELECT
  remittance_id,
  customer_id,
  remit_date,
  currency,
  amount,
  amount_cny,
  beneficiary_name,
  CASE WHEN beneficiary_account IS NULL THEN NULL ELSE CASE WHEN length(beneficiary_account) > 4 THEN repeat('*', length(beneficiary_account) - 4) || right(beneficiary_account, 4) ELSE repeat('*', length(beneficiary_account)) END END AS beneficiary_account,
  beneficiary_bic,
  beneficiary_country,
  purpose
FROM {{schema}}.remittances;

CREATE VIEW masked.prospects AS SELECT
  prospect_id,
  CASE WHEN name IS NULL THEN NULL ELSE CASE WHEN length(name) <= 1 THEN repeat('*', length(name)) WHEN length(name) = 2 THEN left(name, 1) || '*' ELSE left(name, 1) || repeat('*', length(name) - 2) || right(name, 1) END END AS name,
  CASE WHEN phone IS NULL THEN NULL ELSE CASE WHEN length(phone) >= 7 THEN left(phone, 3) || repeat('*', length(phone) - 7) || right(phone, 4) ELSE repeat('*', length(phone)) END END AS phone,
  CASE WHEN id_no IS NULL THEN NULL ELSE CASE WHEN length(id_no) >= 10 THEN left(id_no, 6) || repeat('*', length(id_no) - 10) || right(id_no, 4) ELSE repeat('*', length(id_no)) END END AS id_no,
  source,
  source_name,
  target_institution,
  division_code,
  consent,
  collected_date
FROM {{schema}}.prospects;

-- Quarantined values of personal columns are masked too; a raw CSV record (parse error) is withheld.
CREATE VIEW masked.quarantine AS SELECT load_id, extract, file, line, column_name,
  CASE
    WHEN extract = 'customers' AND column_name = 'name' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) <= 1 THEN repeat('*', length(value)) WHEN length(value) = 2 THEN left(value, 1) || '*' ELSE left(value, 1) || repeat('*', length(value) - 2) || right(value, 1) END END
    WHEN extract = 'customers' AND column_name = 'id_no' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) >= 10 THEN left(value, 6) || repeat('*', length(value) - 10) || right(value, 4) ELSE repeat('*', length(value)) END END
    WHEN extract = 'customers' AND column_name = 'phone' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) >= 7 THEN left(value, 3) || repeat('*', length(value) - 7) || right(value, 4) ELSE repeat('*', length(value)) END END
    WHEN extract = 'remittances' AND column_name = 'beneficiary_account' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) > 4 THEN repeat('*', length(value) - 4) || right(value, 4) ELSE repeat('*', length(value)) END END
    WHEN extract = 'prospects' AND column_name = 'name' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) <= 1 THEN repeat('*', length(value)) WHEN length(value) = 2 THEN left(value, 1) || '*' ELSE left(value, 1) || repeat('*', length(value) - 2) || right(value, 1) END END
    WHEN extract = 'prospects' AND column_name = 'phone' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) >= 7 THEN left(value, 3) || repeat('*', length(value) - 7) || right(value, 4) ELSE repeat('*', length(value)) END END
    WHEN extract = 'prospects' AND column_name = 'id_no' THEN CASE WHEN value IS NULL THEN NULL ELSE CASE WHEN length(value) >= 10 THEN left(value, 6) || repeat('*', length(value) - 10) || right(value, 4) ELSE repeat('*', length(value)) END END
    WHEN column_name IS NULL THEN '(' || CAST(length(value) AS VARCHAR) || ' characters withheld)'
    ELSE value END AS value,
  reason
FROM {{schema}}.quarantine;
