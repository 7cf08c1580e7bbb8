-- PostgreSQL: the analysts' console (wangji sql) connects as wangji_console, a role that can read the
-- masked views and the tables without personal data, and nothing else: no raw customers, prospects,
-- remittances or quarantine, no server files, no large objects, no writes. A migration that adds a
-- table must grant it here explicitly (never by default privileges: a new table may hold personal data).
DO $$
BEGIN
  CREATE ROLE wangji_console LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- the role is cluster-wide: another database of this server made it already
END
$$;

GRANT USAGE ON SCHEMA masked TO wangji_console;
GRANT SELECT ON ALL TABLES IN SCHEMA masked TO wangji_console;
GRANT SELECT ON orgs, products, staff, relationships, accounts, employers, merchants, overseas_institutions, benefit_programs, assistance_actions, payroll, benefit_credits, transfers, balances, acquiring, bill_agreements, app_events, ecny_wallets, credit_card_applications, loads, load_files, schema_migrations TO wangji_console;
