-- PostgreSQL keys and indexes of the lead lifecycle (DuckDB carries none, see 004), and the console's
-- read access to the tables without personal data (contacts' notes, consent events and the audit log
-- may hold some, so the console does not see them).
ALTER TABLE leads ADD PRIMARY KEY (lead_id);
CREATE UNIQUE INDEX leads_key ON leads (season_start, activity_id, entity_kind, entity_id);
CREATE INDEX leads_customer ON leads (customer_id);
ALTER TABLE tasks ADD PRIMARY KEY (task_id);
CREATE UNIQUE INDEX tasks_lead ON tasks (lead_id);
CREATE INDEX tasks_staff ON tasks (staff_id, status);
ALTER TABLE contacts ADD PRIMARY KEY (contact_id);
CREATE INDEX contacts_customer ON contacts (customer_id, contact_at);
ALTER TABLE conversions ADD PRIMARY KEY (lead_id);
ALTER TABLE incentive_ledger ADD PRIMARY KEY (entry_id);
CREATE UNIQUE INDEX incentive_granted_once ON incentive_ledger (season_start, customer_id, activity_id, event_kind) WHERE status = 'GRANTED';
GRANT SELECT ON leads, lead_holdouts, tasks, conversions, incentive_ledger, lead_runs, uplift, budgets TO wangji_console;
