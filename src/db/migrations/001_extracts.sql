-- The raw tables: one per extract of DATA-CONTRACT.md, columns in contract order.
-- No key constraints here: the loader guarantees unique keys and upserts by anti-join, and DuckDB
-- pays heavily for index upkeep on big tables. PostgreSQL gets its keys and indexes in 004.

CREATE TABLE orgs (
  org_id VARCHAR NOT NULL,
  org_name VARCHAR,
  level VARCHAR,
  parent_id VARCHAR,
  division_code VARCHAR
);

CREATE TABLE products (
  product_code VARCHAR NOT NULL,
  product_name VARCHAR,
  category VARCHAR,
  risk_rating VARCHAR,
  min_age INTEGER,
  max_age INTEGER,
  card_kind VARCHAR,
  division_codes VARCHAR
);

CREATE TABLE staff (
  staff_id VARCHAR NOT NULL,
  org_id VARCHAR,
  staff_name VARCHAR,
  role VARCHAR,
  team VARCHAR
);

CREATE TABLE customers (
  customer_id VARCHAR NOT NULL,
  name VARCHAR,
  id_type VARCHAR,
  id_no VARCHAR,
  gender VARCHAR,
  birth_date DATE,
  phone VARCHAR,
  home_org_id VARCHAR,
  manager_id VARCHAR,
  division_code VARCHAR,
  occupation VARCHAR,
  customer_since DATE,
  risk_level VARCHAR,
  marketing_consent VARCHAR,
  dnd VARCHAR
);

CREATE TABLE relationships (
  customer_id VARCHAR NOT NULL,
  related_customer_id VARCHAR NOT NULL,
  relation VARCHAR NOT NULL
);

CREATE TABLE accounts (
  account_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  product_code VARCHAR,
  account_type VARCHAR,
  card_kind VARCHAR,
  open_date DATE,
  close_date DATE,
  activated_date DATE,
  open_org_id VARCHAR,
  open_staff_id VARCHAR,
  open_channel VARCHAR
);

CREATE TABLE employers (
  employer_id VARCHAR NOT NULL,
  employer_name VARCHAR,
  uscc VARCHAR,
  industry VARCHAR,
  is_government VARCHAR,
  org_id VARCHAR,
  corporate_rm_id VARCHAR,
  division_code VARCHAR
);

CREATE TABLE merchants (
  merchant_id VARCHAR NOT NULL,
  merchant_name VARCHAR,
  owner_customer_id VARCHAR,
  settlement_account_id VARCHAR,
  merchant_type VARCHAR,
  cluster_name VARCHAR,
  org_id VARCHAR,
  near_employer_id VARCHAR,
  onboard_date DATE,
  fee_rate DECIMAL(12,6)
);

CREATE TABLE overseas_institutions (
  institution_id VARCHAR NOT NULL,
  institution_name VARCHAR,
  country VARCHAR,
  swift_bic VARCHAR,
  account_no VARCHAR,
  aliases VARCHAR,
  supports_tuition VARCHAR
);

CREATE TABLE benefit_programs (
  program_id VARCHAR NOT NULL,
  program_name VARCHAR,
  kind VARCHAR,
  division_code VARCHAR,
  into_ssc VARCHAR,
  pay_day INTEGER,
  start_date DATE,
  end_date DATE
);

CREATE TABLE assistance_actions (
  action_id VARCHAR NOT NULL,
  division_code VARCHAR,
  counterpart VARCHAR,
  action VARCHAR,
  owner_org_id VARCHAR,
  due_date DATE,
  status VARCHAR
);

CREATE TABLE payroll (
  payroll_id VARCHAR NOT NULL,
  employer_id VARCHAR,
  project_code VARCHAR,
  customer_id VARCHAR,
  account_id VARCHAR,
  pay_date DATE,
  amount DECIMAL(18,2)
);

CREATE TABLE benefit_credits (
  credit_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  account_id VARCHAR,
  program_id VARCHAR,
  credit_date DATE,
  amount DECIMAL(18,2)
);

CREATE TABLE transfers (
  transfer_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  account_id VARCHAR,
  txn_date DATE,
  direction VARCHAR,
  amount DECIMAL(18,2),
  counterparty_name VARCHAR,
  counterparty_bank VARCHAR,
  remark VARCHAR
);

CREATE TABLE remittances (
  remittance_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  remit_date DATE,
  currency VARCHAR,
  amount DECIMAL(18,2),
  amount_cny DECIMAL(18,2),
  beneficiary_name VARCHAR,
  beneficiary_account VARCHAR,
  beneficiary_bic VARCHAR,
  beneficiary_country VARCHAR,
  purpose VARCHAR
);

CREATE TABLE balances (
  account_id VARCHAR NOT NULL,
  balance_date DATE NOT NULL,
  balance DECIMAL(18,2)
);

CREATE TABLE acquiring (
  merchant_id VARCHAR NOT NULL,
  txn_date DATE NOT NULL,
  txn_count INTEGER,
  txn_amount DECIMAL(18,2),
  fee_income DECIMAL(18,2),
  fee_cost DECIMAL(18,2)
);

CREATE TABLE bill_agreements (
  agreement_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  account_id VARCHAR,
  biller_kind VARCHAR,
  signed_date DATE,
  cancelled_date DATE
);

CREATE TABLE app_events (
  customer_id VARCHAR NOT NULL,
  app VARCHAR NOT NULL,
  event VARCHAR NOT NULL,
  event_date DATE
);

CREATE TABLE ecny_wallets (
  wallet_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  opened_date DATE,
  bound_account_id VARCHAR
);

CREATE TABLE prospects (
  prospect_id VARCHAR NOT NULL,
  name VARCHAR,
  phone VARCHAR,
  id_no VARCHAR,
  source VARCHAR,
  source_name VARCHAR,
  target_institution VARCHAR,
  division_code VARCHAR,
  consent VARCHAR,
  collected_date DATE
);

CREATE TABLE credit_card_applications (
  application_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  product_code VARCHAR,
  apply_date DATE,
  status VARCHAR,
  decision_date DATE
);
