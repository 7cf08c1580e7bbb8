-- Targets and KPI progress (METRICS.md "KPIs (X3)").
--
-- targets: what a bank asks of an org or a staff member for a KPI over a period of a season. Loaded
-- from a workbook or CSV (`wangji targets load`) or split down from a parent (`wangji targets split`);
-- the season file's targets apply where this table has none for the same key. State kept across runs.
CREATE TABLE targets (
  season_start DATE NOT NULL,
  kpi VARCHAR NOT NULL,
  scope_kind VARCHAR NOT NULL,          -- ORG | STAFF
  scope_id VARCHAR NOT NULL,
  period VARCHAR NOT NULL,              -- SEASON, a phase, Q1…Q4, or YYYY-MM-DD..YYYY-MM-DD (clipped to the season)
  period_start DATE NOT NULL,
  period_end DATE NOT NULL,
  target DECIMAL(20,2) NOT NULL,
  source VARCHAR NOT NULL,              -- FILE | SPLIT
  source_ref VARCHAR,                   -- the file, or the parent and measure a split came from
  loaded_at TIMESTAMP NOT NULL
);

-- kpi_progress: every KPI's actual against its target, per org (rolled up) and staff member, per
-- period, as of each run's date (history: a run replaces only its own date's rows).
CREATE TABLE kpi_progress (
  as_of DATE NOT NULL,
  season_start DATE NOT NULL,
  kpi VARCHAR NOT NULL,
  program VARCHAR NOT NULL,             -- the KPI's program, or ALL
  scope_kind VARCHAR NOT NULL,          -- ORG | STAFF
  scope_id VARCHAR NOT NULL,
  scope_level VARCHAR NOT NULL,         -- the org's level, or STAFF
  parent_id VARCHAR,                    -- whose children are ranked together (an org's parent, a staff member's org)
  period VARCHAR NOT NULL,
  period_start DATE NOT NULL,
  period_end DATE NOT NULL,
  actual DECIMAL(20,2) NOT NULL,
  target DECIMAL(20,2),
  completion DECIMAL(38,10),            -- actual / target; empty when there is no target or it is ≤ 0
  time_progress DECIMAL(38,10) NOT NULL, -- (min(D, b) − a + 1) / (b − a + 1)
  gap DECIMAL(38,10),                   -- completion − time_progress
  rank INTEGER,                         -- among siblings by completion, highest first (1, 2, 2, 4)
  ranked INTEGER,                       -- n: the ranked rows under the same parent, itself included
  laggard BOOLEAN NOT NULL,
  daily_needed DECIMAL(20,2)            -- balance KPIs: (target − actual) / (b − D) while D < b
);
