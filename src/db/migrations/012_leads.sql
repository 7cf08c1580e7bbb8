-- The lead lifecycle (PLAYBOOK.md: mine → arbitrate → hold out → route → work → convert → reward →
-- count). Unlike the pipeline's tables these are state that lives across runs: a run of the season
-- pipeline advances them (src/leads/lifecycle.ts) and people's work writes them (src/leads/work.ts);
-- no run ever deletes what a person recorded. Ids are assigned as max + row_number in a stated order,
-- so that both engines number alike.

-- One lead per (season, activity, entity): created_on is the as-of date of the run that created it.
CREATE TABLE leads (
  lead_id BIGINT NOT NULL,
  season_start DATE NOT NULL,
  activity_id VARCHAR NOT NULL,
  entity_kind VARCHAR NOT NULL,         -- CUSTOMER | EMPLOYER | MERCHANT | PROSPECT
  entity_id VARCHAR NOT NULL,
  customer_id VARCHAR,                  -- whom to contact (a minor's guardian, a merchant's owner); empty for an employer or a prospect
  holder_id VARCHAR,                    -- who would hold the product (the entity customer, else the contact)
  product_code VARCHAR,                 -- the suggested product: the first of the activity's that is eligible and suitable
  facts VARCHAR NOT NULL,               -- JSON: the facts of the latest mining
  created_facts VARCHAR NOT NULL,       -- JSON: the facts when the lead was created (conversion thresholds)
  created_on DATE NOT NULL,
  refreshed_on DATE NOT NULL,           -- the last run that mined it again
  status VARCHAR NOT NULL,              -- OPEN | CONVERTED | REFUSED | INVALID | EXPIRED | DROPPED
  status_on DATE NOT NULL,
  status_reason VARCHAR,
  propensity DECIMAL(12,6) NOT NULL,
  value DECIMAL(14,2) NOT NULL,         -- expected value contribution of a conversion, yuan
  weight DECIMAL(10,4) NOT NULL,        -- business weight (the activity's, times a weight_by factor)
  priority DECIMAL(38,12) NOT NULL,     -- propensity × value × weight, exact
  is_control BOOLEAN NOT NULL,          -- the holdout group: recorded, never routed, never rewarded
  service BOOLEAN NOT NULL              -- a service task: no holdout, no contact caps, not a conversion
);

-- The control group as drawn: a lead's holdout bucket is sha256("<activity_id>:<entity_id>")'s first
-- 8 bytes, unsigned big-endian, mod 10000; control when below holdout_basis_points.
CREATE TABLE lead_holdouts (
  lead_id BIGINT NOT NULL,
  season_start DATE NOT NULL,
  activity_id VARCHAR NOT NULL,
  entity_kind VARCHAR NOT NULL,
  entity_id VARCHAR NOT NULL,
  bucket INTEGER NOT NULL,
  created_on DATE NOT NULL
);

-- A task: a lead handed to a staff member (staff_id) or to an org's pool (staff_id empty).
CREATE TABLE tasks (
  task_id BIGINT NOT NULL,
  lead_id BIGINT NOT NULL,
  activity_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  org_id VARCHAR NOT NULL,              -- the owning org (a pool's org; the remote centre for SMS / outbound calls)
  staff_id VARCHAR,
  channel VARCHAR NOT NULL,             -- MANAGER | CORPORATE_RM | POOL | LOBBY | DOOR | BACKPACK | CARE | SMS | OUTBOUND_CALL
  credit_org_id VARCHAR,                -- whose conversion and budget it is (remote work: the customer's home org)
  status VARCHAR NOT NULL,              -- QUEUED | OPEN | IN_PROGRESS | DONE | CLOSED
  queue_reason VARCHAR,                 -- why it waits (staff capacity, the contact cap)
  created_on DATE NOT NULL,
  assigned_on DATE,
  due_date DATE,
  last_outcome VARCHAR,
  last_outcome_at TIMESTAMP,
  closed_reason VARCHAR
);

-- Every outcome recorded by a person (or an SMS sent). is_contact: counts towards the contact cap
-- (an outcome other than NOT_REACHED); is_marketing: the activity is not a service.
CREATE TABLE contacts (
  contact_id BIGINT NOT NULL,
  task_id BIGINT NOT NULL,
  lead_id BIGINT NOT NULL,
  activity_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  staff_id VARCHAR,
  channel VARCHAR NOT NULL,
  outcome VARCHAR NOT NULL,             -- CONTACTED | NOT_REACHED | INTERESTED | APPOINTMENT | REFUSED | REFUSED_ALL | CONVERTED_CLAIMED | INVALID
  reason VARCHAR,                       -- INVALID: why (feeds back to the rule's owner)
  note VARCHAR,
  contact_at TIMESTAMP NOT NULL,        -- when it happened, bank local time (Asia/Shanghai)
  recorded_at TIMESTAMP NOT NULL,
  is_contact BOOLEAN NOT NULL,
  is_marketing BOOLEAN NOT NULL
);

-- Refusals of all marketing (PIPL art. 24) and the re-grants that lift them; an extract's
-- marketing_consent = Y never does.
CREATE TABLE consent_events (
  customer_id VARCHAR NOT NULL,
  event VARCHAR NOT NULL,               -- REFUSED_ALL | REGRANTED
  event_at TIMESTAMP NOT NULL,
  staff_id VARCHAR,
  note VARCHAR
);

-- A lead's conversion, observed in the extracts: the first event of its activity's kind dated in
-- (created_on, created_on + window], credited to its task's org and staff.
CREATE TABLE conversions (
  lead_id BIGINT NOT NULL,
  season_start DATE NOT NULL,
  activity_id VARCHAR NOT NULL,
  customer_id VARCHAR,
  event_kind VARCHAR NOT NULL,
  event_date DATE NOT NULL,
  event_ref VARCHAR,                    -- the row that shows it (account, agreement, application, month …)
  is_control BOOLEAN NOT NULL,
  service BOOLEAN NOT NULL,
  task_id BIGINT,
  credit_org_id VARCHAR,
  credit_staff_id VARCHAR,
  observed_on DATE NOT NULL             -- the as-of date of the run that saw it
);

-- Incentive grants and refusals, append-only: once per (season, customer, activity, event kind), from
-- the crediting branch's budget for the incentive kind.
CREATE TABLE incentive_ledger (
  entry_id BIGINT NOT NULL,
  season_start DATE NOT NULL,
  recorded_on DATE NOT NULL,
  lead_id BIGINT NOT NULL,
  customer_id VARCHAR NOT NULL,
  activity_id VARCHAR NOT NULL,
  event_kind VARCHAR NOT NULL,
  event_date DATE NOT NULL,
  branch_id VARCHAR,
  kind VARCHAR NOT NULL,                -- POINTS | LIJIANJIN
  amount DECIMAL(18,2) NOT NULL,
  status VARCHAR NOT NULL,              -- GRANTED | REFUSED
  reason VARCHAR
);

-- Uplift (intention to treat) per activity, as of the last lifecycle pass: over leads whose attribution
-- window has closed by D (scope CLOSED) and over every lead so far (TO_DATE).
CREATE TABLE uplift (
  as_of DATE NOT NULL,
  season_start DATE NOT NULL,
  activity_id VARCHAR NOT NULL,
  scope VARCHAR NOT NULL,               -- CLOSED | TO_DATE
  treated_leads BIGINT NOT NULL,
  treated_converted BIGINT NOT NULL,
  control_leads BIGINT NOT NULL,
  control_converted BIGINT NOT NULL,
  treated_rate DECIMAL(12,6),
  control_rate DECIMAL(12,6),
  uplift DECIMAL(12,6),
  ci_low DECIMAL(12,6),                 -- 95 %: uplift ∓ 1.96 × the unpooled Wald standard error
  ci_high DECIMAL(12,6),
  status VARCHAR NOT NULL               -- OK | INSUFFICIENT (a group below holdout_min_group leads)
);

-- Incentive budgets per branch and kind (season config) and what the ledger has granted from them.
CREATE TABLE budgets (
  as_of DATE NOT NULL,
  season_start DATE NOT NULL,
  branch_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  budget DECIMAL(18,2) NOT NULL,
  granted DECIMAL(18,2) NOT NULL,
  remaining DECIMAL(18,2) NOT NULL,
  grants BIGINT NOT NULL,
  refusals BIGINT NOT NULL              -- conversions whose grant this budget could not pay
);

-- One row per lifecycle pass: the as-of it brought the leads to, and what it did (JSON).
CREATE TABLE lead_runs (
  as_of DATE NOT NULL,
  run_id BIGINT NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  summary VARCHAR NOT NULL
);

-- Who looked at or revealed personal data, and when (MISSION X5): point-of-service lookups for now.
CREATE TABLE audit_log (
  logged_at TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  subject VARCHAR,
  detail VARCHAR
);
