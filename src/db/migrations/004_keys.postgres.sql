-- PostgreSQL only: primary keys of the reference tables, and indexes on the fact tables' keys, so
-- that lookups and a daily upsert touch only their keys (DuckDB joins by hash and needs neither).
ALTER TABLE orgs ADD PRIMARY KEY (org_id);
ALTER TABLE products ADD PRIMARY KEY (product_code);
ALTER TABLE staff ADD PRIMARY KEY (staff_id);
ALTER TABLE customers ADD PRIMARY KEY (customer_id);
ALTER TABLE relationships ADD PRIMARY KEY (customer_id, related_customer_id, relation);
ALTER TABLE accounts ADD PRIMARY KEY (account_id);
ALTER TABLE employers ADD PRIMARY KEY (employer_id);
ALTER TABLE merchants ADD PRIMARY KEY (merchant_id);
ALTER TABLE overseas_institutions ADD PRIMARY KEY (institution_id);
ALTER TABLE benefit_programs ADD PRIMARY KEY (program_id);
ALTER TABLE assistance_actions ADD PRIMARY KEY (action_id);
CREATE INDEX payroll_key ON payroll (payroll_id);
CREATE INDEX benefit_credits_key ON benefit_credits (credit_id);
CREATE INDEX transfers_key ON transfers (transfer_id);
CREATE INDEX remittances_key ON remittances (remittance_id);
CREATE INDEX balances_key ON balances (account_id, balance_date);
CREATE INDEX acquiring_key ON acquiring (merchant_id, txn_date);
CREATE INDEX bill_agreements_key ON bill_agreements (agreement_id);
CREATE INDEX app_events_key ON app_events (customer_id, app, event);
CREATE INDEX ecny_wallets_key ON ecny_wallets (wallet_id);
CREATE INDEX prospects_key ON prospects (prospect_id);
CREATE INDEX credit_card_applications_key ON credit_card_applications (application_id);
