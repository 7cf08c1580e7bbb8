-- PostgreSQL only: indexes on the fact tables' keys, so a daily upsert touches only its keys.
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
