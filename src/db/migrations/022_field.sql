-- Field operations (PLAYBOOK "Field operations": P3, P6, P7, P11, O2, B2): records people create in the
-- app, not extracts. src/field/ reads and writes them; every write is audited in the same transaction
-- (src/audit/log.ts withAudit). Ids are assigned as max + 1 under the audit lock, which every write
-- takes first (so two writers on PostgreSQL never draw the same id). Timestamps are UTC; dates are
-- bank dates. docs/field.md describes every column.
--
-- Free text people type (summaries, next steps, notes, pain points) may hold personal data: it is
-- stored as typed, answered by the API only in a record's detail with digit runs masked (never in
-- lists), and the analysts' console sees these tables only through the masked views at the end of
-- this file (free text NULL, contacts masked).

-- An employer or government visit (P3): who went where, when, what came of it, what next.
CREATE TABLE visits (
  visit_id BIGINT NOT NULL,
  kind VARCHAR NOT NULL,                -- EMPLOYER | GOVERNMENT
  employer_id VARCHAR,                  -- the employer visited (required for EMPLOYER; a government employer for GOVERNMENT)
  counterpart VARCHAR,                  -- the body visited when it is no employer of the extract (人社局, 民政局 …)
  org_id VARCHAR NOT NULL,              -- the org whose visit it is
  staff_id VARCHAR NOT NULL,            -- who visited
  visited_on DATE NOT NULL,
  outcome VARCHAR NOT NULL,             -- MET | INTERESTED | AGREED | DECLINED | NOT_MET
  summary VARCHAR,                      -- free text: what was discussed
  next_step VARCHAR,                    -- free text: what happens next
  next_date DATE,
  created_by VARCHAR NOT NULL,          -- username
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

-- A temporary service point (临时服务点, P11): a place staffed for a while.
CREATE TABLE service_points (
  service_point_id BIGINT NOT NULL,
  org_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  place VARCHAR NOT NULL,
  division_code VARCHAR,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  notes VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

CREATE TABLE service_point_staff (
  service_point_id BIGINT NOT NULL,
  staff_id VARCHAR NOT NULL
);

-- A station (驿站, O2) with its scenario services and partners.
CREATE TABLE stations (
  station_id BIGINT NOT NULL,
  org_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  place VARCHAR NOT NULL,
  division_code VARCHAR,
  opened_on DATE,
  status VARCHAR NOT NULL,              -- ACTIVE | CLOSED
  notes VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

CREATE TABLE station_services (
  station_id BIGINT NOT NULL,
  family VARCHAR NOT NULL,              -- WEALTH | LIFE | WELFARE | HAPPINESS
  service VARCHAR NOT NULL              -- e.g. 金融知识普及基地, 便民生态云平台, 老年人关爱, 康养服务
);

CREATE TABLE station_partners (
  station_id BIGINT NOT NULL,
  partner_name VARCHAR NOT NULL,        -- an organisation (卫生院, 社区居委会 …), never a person
  partner_kind VARCHAR,
  family VARCHAR                        -- the scenario family it serves, if one
);

-- An outreach event (外拓, P11, O2): a team's day at a place, and what came of it.
CREATE TABLE outreach_events (
  event_id BIGINT NOT NULL,
  team VARCHAR NOT NULL,                -- DOOR | BACKPACK | CARE | LOBBY_SALON
  org_id VARCHAR NOT NULL,
  place VARCHAR NOT NULL,
  community VARCHAR,                    -- the village or community (村/社区)
  division_code VARCHAR,
  event_date DATE NOT NULL,
  station_id BIGINT,                    -- held at a station
  service_point_id BIGINT,              -- held at a temporary service point
  status VARCHAR NOT NULL,              -- PLANNED | DONE | CANCELLED
  cards_opened INTEGER,                 -- as the team typed them (the accounts' figure is computed beside)
  appointments_taken INTEGER,
  participants INTEGER,                 -- people who took part (a headcount; people are not named)
  notes VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

CREATE TABLE outreach_event_staff (
  event_id BIGINT NOT NULL,
  staff_id VARCHAR NOT NULL
);

-- A home-visit appointment (预约, P11): a customer, a slot, who goes, and what became of it.
CREATE TABLE appointments (
  appointment_id BIGINT NOT NULL,
  customer_id VARCHAR NOT NULL,
  task_id BIGINT,                       -- booked from a task
  org_id VARCHAR NOT NULL,
  team VARCHAR,                         -- DOOR | BACKPACK | CARE, or empty (the staff member alone)
  staff_id VARCHAR,                     -- who goes (empty: the team of the org)
  reason VARCHAR NOT NULL,              -- SSC_CARD | PENSION | ACCOUNT | CARD_SERVICE | WEALTH | BENEFIT | OTHER
  slot_start TIMESTAMP NOT NULL,        -- UTC
  slot_end TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,              -- BOOKED | DONE | CANCELLED | NO_SHOW
  notes VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

-- Progress of the bank against the assistance-action table (帮扶动作一览表, P7), by action_id.
CREATE TABLE assistance_progress (
  progress_id BIGINT NOT NULL,
  action_id VARCHAR NOT NULL,
  org_id VARCHAR NOT NULL,              -- the org that records it
  recorded_on DATE NOT NULL,            -- bank date
  status VARCHAR NOT NULL,              -- IN_PROGRESS | DONE | BLOCKED
  note VARCHAR,
  recorded_by VARCHAR NOT NULL,
  recorded_at TIMESTAMP NOT NULL
);

-- Progress against the benefit-policy table (惠农惠民政策一览表, P7): an org's figures to date for a program.
CREATE TABLE benefit_progress (
  progress_id BIGINT NOT NULL,
  program_id VARCHAR NOT NULL,
  org_id VARCHAR NOT NULL,
  recorded_on DATE NOT NULL,
  recipients_reached INTEGER NOT NULL,  -- recipients the org has reached so far
  paid_into_card INTEGER NOT NULL,      -- of whom paid into a card of the bank so far
  note VARCHAR,
  recorded_by VARCHAR NOT NULL,
  recorded_at TIMESTAMP NOT NULL
);

-- A per-employer service plan (P6): the employer's pain points and what the bank offers.
CREATE TABLE service_plans (
  plan_id BIGINT NOT NULL,
  employer_id VARCHAR NOT NULL,
  pain_points VARCHAR,                  -- free text
  offers VARCHAR NOT NULL,              -- '|'-separated: PAYROLL_PROCESS | AUTO_DEBIT | OPEN_WEALTH | WHOLE_LIFE_INSURANCE | FUND_PLAN | GOLD_PLAN | CARD_REPLACEMENT | OTHER
  auto_debit_kinds VARCHAR,             -- '|'-separated biller kinds offered (WATER, POWER …)
  owner_staff_id VARCHAR NOT NULL,
  status VARCHAR NOT NULL,              -- DRAFT | PROPOSED | AGREED | IN_PROGRESS | DONE | DROPPED
  due_date DATE,
  notes VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

-- A partner institution for cross-border tuition (B2) that supplies lists of prospects.
CREATE TABLE tuition_partners (
  partner_id BIGINT NOT NULL,
  org_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,                -- as the prospects extract's source_name names it
  kind VARCHAR NOT NULL,                -- SCHOOL | UNIVERSITY | STUDY_AGENCY (the prospects' source)
  institution_id VARCHAR,               -- an overseas institution it is (or sends students to)
  contact_name VARCHAR,                 -- personal data: answered masked
  contact_phone VARCHAR,                -- personal data: answered masked
  lists_received INTEGER NOT NULL,
  last_list_on DATE,
  status VARCHAR NOT NULL,              -- PROSPECTING | AGREED | ACTIVE | PAUSED | ENDED
  notes VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_by VARCHAR,
  updated_at TIMESTAMP
);

-- The analysts' console: free text NULL, the partner's contact masked (patterns of src/domain/masking.ts).
CREATE VIEW masked.visits AS SELECT
  visit_id, kind, employer_id, counterpart, org_id, staff_id, visited_on, outcome,
  CAST(NULL AS VARCHAR) AS summary, CAST(NULL AS VARCHAR) AS next_step, next_date,
  created_by, created_at, updated_by, updated_at
FROM {{schema}}.visits;

CREATE VIEW masked.service_points AS SELECT
  service_point_id, org_id, name, place, division_code, start_date, end_date, CAST(NULL AS VARCHAR) AS notes,
  created_by, created_at, updated_by, updated_at
FROM {{schema}}.service_points;

CREATE VIEW masked.stations AS SELECT
  station_id, org_id, name, place, division_code, opened_on, status, CAST(NULL AS VARCHAR) AS notes,
  created_by, created_at, updated_by, updated_at
FROM {{schema}}.stations;

CREATE VIEW masked.outreach_events AS SELECT
  event_id, team, org_id, place, community, division_code, event_date, station_id, service_point_id, status,
  cards_opened, appointments_taken, participants, CAST(NULL AS VARCHAR) AS notes,
  created_by, created_at, updated_by, updated_at
FROM {{schema}}.outreach_events;

CREATE VIEW masked.appointments AS SELECT
  appointment_id, customer_id, task_id, org_id, team, staff_id, reason,
  slot_start, slot_end, status, CAST(NULL AS VARCHAR) AS notes, created_by, created_at, updated_by, updated_at
FROM {{schema}}.appointments;

CREATE VIEW masked.assistance_progress AS SELECT
  progress_id, action_id, org_id, recorded_on, status, CAST(NULL AS VARCHAR) AS note, recorded_by, recorded_at
FROM {{schema}}.assistance_progress;

CREATE VIEW masked.benefit_progress AS SELECT
  progress_id, program_id, org_id, recorded_on, recipients_reached, paid_into_card, CAST(NULL AS VARCHAR) AS note,
  recorded_by, recorded_at
FROM {{schema}}.benefit_progress;

CREATE VIEW masked.service_plans AS SELECT
  plan_id, employer_id, CAST(NULL AS VARCHAR) AS pain_points, offers, auto_debit_kinds, owner_staff_id, status,
  due_date, CAST(NULL AS VARCHAR) AS notes, created_by, created_at, updated_by, updated_at
FROM {{schema}}.service_plans;

CREATE VIEW masked.tuition_partners AS SELECT
  partner_id, org_id, name, kind, institution_id,
  CASE WHEN contact_name IS NULL THEN NULL ELSE CASE WHEN length(contact_name) <= 1 THEN repeat('*', length(contact_name)) WHEN length(contact_name) = 2 THEN left(contact_name, 1) || '*' ELSE left(contact_name, 1) || repeat('*', length(contact_name) - 2) || right(contact_name, 1) END END AS contact_name,
  CASE WHEN contact_phone IS NULL THEN NULL ELSE CASE WHEN length(contact_phone) >= 7 THEN left(contact_phone, 3) || repeat('*', length(contact_phone) - 7) || right(contact_phone, 4) ELSE repeat('*', length(contact_phone)) END END AS contact_phone,
  lists_received, last_list_on, status, CAST(NULL AS VARCHAR) AS notes, created_by, created_at, updated_by, updated_at
FROM {{schema}}.tuition_partners;
